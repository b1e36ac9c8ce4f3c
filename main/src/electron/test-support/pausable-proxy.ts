/**
 * Test support: a TCP proxy in front of a test server whose client-to-server direction can be held, so a
 * message can be caught "in flight" (written by the client, not yet read by the server, so not acknowledged).
 * Bytes held when the client's connection ends are dropped, as a connection lost mid-send drops them.
 */
import net from 'node:net';

export interface PausableProxy {
  /** http://127.0.0.1:<port>, for the client's server URL. */
  url: string;
  /** Holds what clients write from now on. */
  pause(): void;
  /** Passes on what was held, and whatever follows. */
  resume(): void;
  /** Bytes written by clients and held. */
  held(): number;
  close(): Promise<void>;
}

export async function startPausableProxy(target: { port: number; host?: string }): Promise<PausableProxy> {
  let paused = false;
  const links = new Set<{ client: net.Socket; upstream: net.Socket; held: Buffer[] }>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host ?? '127.0.0.1');
    const link = { client, upstream, held: [] as Buffer[] };
    links.add(link);
    client.on('data', (chunk: Buffer) => {
      if (paused) link.held.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      links.delete(link);
      link.held = [];
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const link of links) {
        for (const chunk of link.held.splice(0)) link.upstream.write(chunk);
      }
    },
    held: () => [...links].reduce((n, link) => n + link.held.reduce((m, c) => m + c.length, 0), 0),
    async close() {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
