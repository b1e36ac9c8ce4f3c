/**
 * The faults of a convergence run, each ended at a later step: a dropped socket (the client reconnects by itself),
 * a client's network cut for a few steps, the app quitting and starting again on its data directory (sometimes
 * right after the user read something offline), the app crashing (SIGKILLed in a process of its own), and the
 * server SIGKILLed and started again on its data directory and port.
 */
import { until } from '../server.js';
import type { Rng } from './prng.js';
import type { Client, World } from './world.js';

export interface FaultLimits {
  maxServerKills: number;
  /** Client crashes. */
  maxCrashes: number;
}

export interface FaultLog {
  note(line: string): void;
  count(what: string): void;
}

export class Faults {
  private readonly cutUntil = new Map<Client, number>();
  private readonly stoppedUntil = new Map<Client, number>();
  /** Crashes under way (each starts its client again when done), and the clients in one. */
  private readonly crashes: Array<Promise<void>> = [];
  private readonly crashing = new Set<Client>();
  private serverDownUntil: number | null = null;
  private serverKills = 0;

  constructor(
    private readonly world: World,
    private readonly rng: Rng,
    private readonly limits: FaultLimits,
    private readonly log: FaultLog,
    /** The user reads something (used while the client is offline, just before the app quits). */
    private readonly read: (client: Client) => Promise<void>,
  ) {}

  get serverDown(): boolean {
    return this.serverDownUntil !== null;
  }

  /** Ends the faults whose time has come at `step`; all of them when `all`. */
  async heal(step: number, all = false): Promise<void> {
    if (all) await Promise.all(this.crashes);
    for (const [client, until] of [...this.cutUntil]) {
      if (!all && until > step) continue;
      client.proxy.restore();
      this.cutUntil.delete(client);
      this.log.note(`${client.name} network back`);
    }
    if (this.serverDownUntil !== null && (all || this.serverDownUntil <= step)) {
      await this.world.startServer();
      this.serverDownUntil = null;
      this.log.note('server started again');
    }
    for (const [client, until] of [...this.stoppedUntil]) {
      if (!all && until > step) continue;
      client.open();
      this.stoppedUntil.delete(client);
      this.log.note(`${client.name} app started again`);
    }
  }

  async inject(step: number, forced?: 'server'): Promise<void> {
    const kind =
      forced ??
      this.rng.weighted({
        drop: 3,
        cut: 2,
        restart: 2,
        crash: this.crashes.length < this.limits.maxCrashes ? 1 : 0,
        server: this.serverKills < this.limits.maxServerKills ? 1 : 0,
      });
    if (kind === 'server') {
      if (this.serverDownUntil !== null) return;
      this.serverKills++;
      this.serverDownUntil = step + this.rng.int(2, 10);
      this.log.count('fault.server-kill');
      this.log.note('server SIGKILLed');
      await this.world.killServer();
      return;
    }
    const candidates = this.world.clients.filter((c) => c.running && !this.cutUntil.has(c) && !this.crashing.has(c));
    if (candidates.length === 0) return;
    const client = this.rng.pick(candidates);
    this.log.count(`fault.${kind}`);
    switch (kind) {
      case 'drop':
        this.log.note(`${client.name} socket dropped`);
        client.core!.current!.conn.drop();
        return;
      case 'cut':
        this.log.note(`${client.name} network cut`);
        client.proxy.cut();
        this.cutUntil.set(client, step + this.rng.int(2, 14));
        return;
      case 'restart':
        if (this.rng.chance(0.4)) {
          // The user reads on a train and closes the app before the network comes back.
          client.proxy.cut();
          await until(() => !client.online, 10_000, `${client.name} offline`);
          this.log.note(`${client.name} network cut`);
          await this.read(client);
          client.proxy.restore();
          this.log.note(`${client.name} network back`);
        }
        this.log.note(`${client.name} app quit`);
        this.stoppedUntil.set(client, step + this.rng.int(0, 6));
        await client.quit();
        return;
      case 'crash': {
        // Quits here, runs in a process of its own for a moment (reconnecting, catching up, sending), is killed.
        const afterMs = this.rng.int(0, 400);
        this.log.note(`${client.name} app crashes ${afterMs} ms after starting in its own process`);
        await client.quit();
        this.crashing.add(client);
        const crashed = client.crash(afterMs).finally(() => {
          this.crashing.delete(client);
          client.open();
          this.log.note(`${client.name} app started again after the crash`);
        });
        crashed.catch(() => undefined); // awaited (and its failure thrown) when the faults stop
        this.crashes.push(crashed);
        return;
      }
    }
  }
}
