import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, ENV_SETTINGS, configFromArgs, envForConfig, parseListenAddress, resolveConfig, type ServerConfig } from './config.js';

describe('server configuration', () => {
  it('every setting can be given through the environment, and envForConfig gives back what it was given', () => {
    const changed = Object.fromEntries(
      Object.entries(DEFAULT_CONFIG).map(([key, value]) => {
        const setting = ENV_SETTINGS[key as keyof ServerConfig];
        const next =
          setting.type === 'bool'
            ? !value
            : setting.type === 'int'
              ? Math.min(Number(value) + 7, setting.max ?? Number.MAX_SAFE_INTEGER)
              : setting.type === 'enum'
                ? setting.values.find((v) => v !== value)
                : key === 'dataDir'
                  ? '/tmp/parley-config-test'
                  : key === 'metricsAddress'
                    ? '127.0.0.1:9464'
                    : key === 'trustedProxies'
                      ? '10.0.0.1,fd00::/8'
                      : key === 'databaseUrl'
                        ? 'postgres://parley@db.example:5432/parley'
                        : key === 'natsUrl'
                          ? 'nats://nats.example:4222'
                          : `${key}-x`;
        return [key, next];
      }),
    ) as unknown as ServerConfig;
    changed.port = 9999;
    const { help: _help, ...read } = configFromArgs([], envForConfig(changed));
    expect(read).toEqual(changed);
  });

  it('storage is SQLite unless PARLEY_DATABASE_URL or --database names PostgreSQL; anything else is a ConfigError that does not echo it', () => {
    expect(configFromArgs([], {}).databaseUrl).toBeUndefined();
    expect(configFromArgs([], { PARLEY_DATABASE_URL: 'postgresql://a@h/db' }).databaseUrl).toBe('postgresql://a@h/db');
    expect(configFromArgs(['--database', 'postgres://b@h/db'], { PARLEY_DATABASE_URL: 'postgres://a@h/db' }).databaseUrl).toBe('postgres://b@h/db');
    const refused = (() => {
      try {
        configFromArgs([], { PARLEY_DATABASE_URL: 'mysql://u:hunter2@h/db' });
        return null;
      } catch (error) {
        return error as Error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused?.message).toMatch(/^PARLEY_DATABASE_URL \(--database\) must be a PostgreSQL URL/);
    expect(refused?.message).not.toContain('hunter2');
  });

  it('flags win over the environment; bad values are a ConfigError naming the variable', () => {
    expect(configFromArgs(['--port', '7000'], { PARLEY_PORT: '8000' }).port).toBe(7000);
    expect(() => configFromArgs([], { PARLEY_RECALL_WINDOW_MS: 'soon' })).toThrow(ConfigError);
    expect(() => configFromArgs([], { PARLEY_PING_INTERVAL_MS: '0' })).toThrow(/PARLEY_PING_INTERVAL_MS/);
  });

  it('durability is full unless PARLEY_DURABILITY says normal; anything else is a ConfigError', () => {
    expect(DEFAULT_CONFIG.durability).toBe('full');
    expect(configFromArgs([], {}).durability).toBe('full');
    expect(configFromArgs([], { PARLEY_DURABILITY: 'normal' }).durability).toBe('normal');
    expect(configFromArgs([], { PARLEY_DURABILITY: 'full' }).durability).toBe('full');
    for (const bad of ['FULL', 'off', 'extra', '2']) {
      expect(() => configFromArgs([], { PARLEY_DURABILITY: bad })).toThrow(ConfigError);
    }
    expect(() => configFromArgs([], { PARLEY_DURABILITY: 'off' })).toThrow(/PARLEY_DURABILITY must be one of full, normal/);
    expect(() => resolveConfig({ durability: 'off' as ServerConfig['durability'] })).toThrow(ConfigError);
  });

  it('PARLEY_METRICS_ADDRESS is host:port or [v6]:port; anything else is a ConfigError naming the variable', () => {
    expect(DEFAULT_CONFIG.metricsAddress).toBeUndefined();
    expect(DEFAULT_CONFIG.metricsToken).toBeUndefined();
    expect(configFromArgs([], { PARLEY_METRICS_ADDRESS: '10.0.0.5:9464' }).metricsAddress).toBe('10.0.0.5:9464');
    expect(parseListenAddress('10.0.0.5:9464')).toEqual({ host: '10.0.0.5', port: 9464 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('metrics.internal:9464')).toEqual({ host: 'metrics.internal', port: 9464 });
    for (const bad of ['9464', ':9464', '10.0.0.5', '10.0.0.5:', '::1:9464', '10.0.0.5:70000', 'host:port']) {
      expect(() => configFromArgs([], { PARLEY_METRICS_ADDRESS: bad }), bad).toThrow(/PARLEY_METRICS_ADDRESS/);
    }
  });

  it('anyone may message anyone unless told; PARLEY_MESSAGING takes anyone or contacts; contact-request limits', () => {
    expect(configFromArgs([], {}).messaging).toBe('anyone');
    expect(configFromArgs([], { PARLEY_MESSAGING: 'contacts' }).messaging).toBe('contacts');
    expect(() => configFromArgs([], { PARLEY_MESSAGING: 'friends' })).toThrow(/PARLEY_MESSAGING must be one of anyone, contacts/);
    expect(() => resolveConfig({ messaging: 'some' as never })).toThrow(ConfigError);
    const defaults = configFromArgs([], {});
    expect([defaults.contactRequestRate, defaults.contactRequestBurst, defaults.contactMaxPending]).toEqual([20, 50, 1000]);
    const set = configFromArgs([], { PARLEY_CONTACT_REQUEST_RATE: '0', PARLEY_CONTACT_REQUEST_BURST: '5', PARLEY_CONTACT_MAX_PENDING: '10' });
    expect([set.contactRequestRate, set.contactRequestBurst, set.contactMaxPending]).toEqual([0, 5, 10]);
    expect(() => configFromArgs([], { PARLEY_CONTACT_MAX_PENDING: '0' })).toThrow(/PARLEY_CONTACT_MAX_PENDING/);
  });

  it('the directory finds everyone unless told; PARLEY_DIRECTORY takes all, contacts-of-contacts or none', () => {
    expect(configFromArgs([], {}).directory).toBe('all');
    expect(configFromArgs([], { PARLEY_DIRECTORY: 'none' }).directory).toBe('none');
    expect(configFromArgs([], { PARLEY_DIRECTORY: 'contacts-of-contacts' }).directory).toBe('contacts-of-contacts');
    expect(() => configFromArgs([], { PARLEY_DIRECTORY: 'friends' })).toThrow(/PARLEY_DIRECTORY must be one of all, contacts-of-contacts, none/);
    expect(() => resolveConfig({ directory: 'some' as never })).toThrow(ConfigError);
  });

  it('registration is open and passwords cost 2^17 unless told; bad values are a ConfigError', () => {
    expect(configFromArgs([], {})).toMatchObject({ registration: 'open', passwordCost: 17 });
    expect(configFromArgs([], { PARLEY_REGISTRATION: 'invite', PARLEY_PASSWORD_COST: '12' })).toMatchObject({ registration: 'invite', passwordCost: 12 });
    expect(() => configFromArgs([], { PARLEY_REGISTRATION: 'sometimes' })).toThrow(/PARLEY_REGISTRATION must be one of open, invite, closed/);
    expect(() => configFromArgs([], { PARLEY_PASSWORD_COST: '9' })).toThrow(/PARLEY_PASSWORD_COST/);
    expect(() => configFromArgs([], { PARLEY_PASSWORD_COST: '21' })).toThrow(/from 10 to 20/);
    expect(() => resolveConfig({ passwordCost: 40 })).toThrow(ConfigError);
    expect(() => configFromArgs([], { PARLEY_TRUSTED_PROXIES: '10.0.0.1, nginx' })).toThrow(/PARLEY_TRUSTED_PROXIES: "nginx"/);
    expect(() => configFromArgs([], { PARLEY_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(ConfigError);
    expect(configFromArgs([], { PARLEY_TRUSTED_PROXIES: '127.0.0.1, 172.16.0.0/12, ::1' }).trustedProxies).toBe('127.0.0.1, 172.16.0.0/12, ::1');
  });
});
