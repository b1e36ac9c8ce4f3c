import net from 'node:net';

/** A TCP relay between a server and a service it uses (NATS, PostgreSQL) that a test can slow, cut and restore, as a network would. */
export class TcpRelay {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private readonly links = new Set<{ from: net.Socket; to: net.Socket }>();
  port = 0;

  constructor(
    private readonly target: URL,
    private readonly defaultPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = net.createServer((inbound) => {
      const outbound = net.connect(Number(this.target.port || this.defaultPort), this.target.hostname);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      const link = { from: inbound, to: outbound };
      this.links.add(link);
      inbound.on('close', () => this.links.delete(link));
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Holds back what the node sends to NATS (a slow link), until `release`. */
  hold(): void {
    for (const { from, to } of this.links) {
      from.unpipe(to);
      from.pause();
    }
  }

  release(): void {
    for (const { from, to } of this.links) from.pipe(to);
  }

  /** Stops accepting and drops every relayed connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
