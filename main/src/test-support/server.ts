/** Test support: a real Parley server in a temporary data directory, and accounts on it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer, type ServerConfig } from '../../../server/src/app.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Registers a user and returns its token. */
  register(userId: string, name?: string): Promise<string>;
  /** Stops the server and deletes its data. */
  destroy(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `parley-${prefix}-`));
}

export async function startTestServer(config: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = config.dataDir ?? tempDir('server');
  // Cheap password hashing and no registration limits: tests register many users from one address.
  const server = await startServer({ port: 0, logLevel: 'silent', sendRate: 0, passwordCost: 10, registerPerIpPerHour: 0, registerPerMinute: 0, hashQueue: 1000, ...config, dataDir });
  return {
    ...server,
    dataDir,
    async register(userId, name = userId) {
      const res = await fetch(`${server.url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, password: 'correct horse battery', name }),
      });
      if (res.status !== 201) throw new Error(`register ${userId}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async destroy() {
      await server.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Restarts a server on the same data directory and port (clients reconnect to the same address). */
export async function restartTestServer(server: TestServer, config: Partial<ServerConfig> = {}): Promise<TestServer> {
  await server.close();
  return startTestServer({ ...server.config, ...config, port: server.port, dataDir: server.dataDir });
}

/** Resolves when `predicate` holds, polling; rejects after `timeoutMs`. For state that has no event. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
