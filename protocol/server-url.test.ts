import { describe, expect, it } from 'vitest';
import { isCleartextRemote, isLoopbackHttp } from './server-url.js';

describe('plain http to this computer or elsewhere', () => {
  it('counts localhost, 127.0.0.0/8 and ::1 as this computer, however the address is written', () => {
    for (const url of [
      'http://localhost:8080',
      'http://LOCALHOST',
      'http://127.0.0.1:8080/',
      'http://127.1:8080',
      'http://0x7f.0.0.1',
      'http://2130706433',
      'http://127.255.10.3',
      'http://[::1]:8080',
      'http://[::ffff:127.0.0.1]',
      ' http://127.0.0.1:8080 ',
    ]) {
      expect(isLoopbackHttp(url), url).toBe(true);
      expect(isCleartextRemote(url), url).toBe(false);
    }
  });

  it('counts every other http host as remote, even when its name starts like a loopback one', () => {
    for (const url of [
      'http://chat.example.com',
      'http://192.168.1.10:8080',
      'http://10.0.0.1',
      'http://128.0.0.1',
      'http://127.0.0.1.nip.io',
      'http://localhost.example.com',
      'http://evil.localhost.attacker.net',
      'http://127.0.0.1@chat.example.com',
      'http://[::2]',
      'http://[::ffff:10.0.0.1]',
      'http://0.0.0.0',
    ]) {
      expect(isCleartextRemote(url), url).toBe(true);
      expect(isLoopbackHttp(url), url).toBe(false);
    }
  });

  it('does not flag https or what is not a URL', () => {
    for (const url of ['https://chat.example.com', 'https://127.0.0.1', 'not a url', '', 'ftp://chat.example.com']) {
      expect(isCleartextRemote(url), url).toBe(false);
      expect(isLoopbackHttp(url), url).toBe(false);
    }
  });
});
