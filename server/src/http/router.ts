/** The HTTP routes of docs/protocol.md on one handler; every failure becomes `{"error":{code,message}}`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError } from '../../../protocol/index.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Storage } from '../storage/storage.js';
import type { Accounts } from './accounts.js';
import type { AdminApi } from './admin.js';
import { armBodyDeadline } from './body-deadline.js';
import type { Files } from './files.js';
import { sendError, sendJson } from './respond.js';

export interface RouterDeps {
  storage: Storage;
  metrics: Metrics;
  log: Logger;
  accounts: Accounts | null;
  files: Files;
  admin: AdminApi | null;
  /** Every request but an upload must have sent its body this long after it started. */
  bodyTimeoutMs: number;
}

export function createRouter(deps: RouterDeps) {
  const { metrics, log } = deps;

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<string> {
    const method = req.method ?? 'GET';
    if (pathname === '/healthz' && method === 'GET') {
      try {
        await deps.storage.ping();
        sendJson(res, 200, { status: 'ok' });
      } catch {
        sendJson(res, 503, { error: { code: 'INTERNAL', message: 'storage does not answer' } });
      }
      return 'healthz';
    }
    if (pathname === '/metrics' && method === 'GET') {
      const text = await metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
      res.end(text);
      return 'metrics';
    }
    if (pathname.startsWith('/v1/auth/') && deps.accounts) {
      if (pathname === '/v1/auth/register' && method === 'POST') {
        await deps.accounts.register(req, res);
        return 'register';
      }
      if (pathname === '/v1/auth/login' && method === 'POST') {
        await deps.accounts.login(req, res);
        return 'login';
      }
    }
    if (pathname === '/v1/files' && method === 'PUT') {
      await deps.files.upload(req, res);
      return 'files.put';
    }
    if (pathname.startsWith('/v1/files/') && method === 'GET') {
      await deps.files.download(req, res, pathname.slice('/v1/files/'.length));
      return 'files.get';
    }
    if (pathname.startsWith('/v1/admin/') && deps.admin) {
      if (await deps.admin.handle(req, res, pathname)) return 'admin';
    }
    throw new ProtocolError('NOT_FOUND', `no route ${method} ${pathname}`);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '/';
    }
    let label = 'unknown';
    if (!(pathname === '/v1/files' && req.method === 'PUT')) armBodyDeadline(req, res, deps.bodyTimeoutMs);
    try {
      label = await route(req, res, pathname);
    } catch (error) {
      if (error instanceof ProtocolError) {
        sendError(res, error);
      } else {
        log.error({ err: error, path: pathname }, 'http request failed');
        sendError(res, new ProtocolError('INTERNAL', 'internal error'));
      }
    }
    metrics.httpRequests.inc({ route: label, status: String(res.statusCode) });
  };
}
