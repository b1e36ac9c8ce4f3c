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
import { answerInstance } from './instance.js';
import type { ProfileRoutes } from './profiles.js';
import type { SessionRoutes } from './sessions.js';
import { checkMetricsAccess, type MetricsAccessConfig } from './metrics-access.js';
import { sendError, sendJson } from './respond.js';

export interface RouterDeps {
  storage: Storage;
  /** False while this node is cut off from its cluster (healthz answers 503 then). */
  accepting: () => boolean;
  metrics: Metrics;
  /** Who may read /metrics here (docs/protocol.md part 2, "Metrics access"). */
  metricsAccess: MetricsAccessConfig;
  log: Logger;
  accounts: Accounts | null;
  sessions: SessionRoutes;
  files: Files;
  profiles: ProfileRoutes;
  admin: AdminApi | null;
  /** PARLEY_INSTANCE_TOKEN: turns on GET /v1/instance (./instance.ts); null leaves that route unknown. */
  instanceToken: string | null;
  /** Every request but an upload must have sent its body this long after it started. */
  bodyTimeoutMs: number;
}

export function createRouter(deps: RouterDeps) {
  const { metrics, log } = deps;

  async function route(req: IncomingMessage, res: ServerResponse, pathname: string, search: URLSearchParams): Promise<string> {
    const method = req.method ?? 'GET';
    if (pathname === '/healthz' && method === 'GET') {
      try {
        await deps.storage.ping();
        if (!deps.accepting()) {
          sendJson(res, 503, { error: { code: 'INTERNAL', message: 'this node lost contact with its cluster (NATS)' } });
          return 'healthz';
        }
        sendJson(res, 200, { status: 'ok' });
      } catch {
        sendJson(res, 503, { error: { code: 'INTERNAL', message: 'storage does not answer' } });
      }
      return 'healthz';
    }
    if (pathname === '/metrics' && method === 'GET') {
      checkMetricsAccess(req, deps.metricsAccess, false);
      await serveMetrics(metrics, res);
      return 'metrics';
    }
    if (pathname === '/v1/auth/logout' && method === 'POST') {
      await deps.sessions.logout(req, res);
      return 'logout';
    }
    if (pathname === '/v1/auth/password' && method === 'POST') {
      await deps.sessions.changePassword(req, res);
      return 'password';
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
    if (pathname === '/v1/profile/avatar' && method === 'PUT') {
      await deps.profiles.putAvatar(req, res);
      return 'avatar.put';
    }
    if (pathname === '/v1/profile/avatar' && method === 'DELETE') {
      await deps.profiles.deleteAvatar(req, res);
      return 'avatar.delete';
    }
    if (pathname.startsWith('/v1/avatars/') && method === 'GET') {
      await deps.profiles.getAvatar(req, res, pathname.slice('/v1/avatars/'.length), search.get('size'));
      return 'avatar.get';
    }
    if (pathname === '/v1/instance' && method === 'GET' && deps.instanceToken) {
      answerInstance(req, res, deps.instanceToken);
      return 'instance';
    }
    if (pathname.startsWith('/v1/admin/') && deps.admin) {
      if (await deps.admin.handle(req, res, pathname)) return 'admin';
    }
    throw new ProtocolError('NOT_FOUND', `no route ${method} ${pathname}`);
  }

  return errorsAsAnswers(metrics, log, route, deps.bodyTimeoutMs);
}

/**
 * The handler of the metrics address: `GET /metrics` (with the token when one is set), and 404 for everything else.
 */
export function createMetricsRouter(deps: { metrics: Metrics; log: Logger; metricsAccess: MetricsAccessConfig }) {
  return errorsAsAnswers(deps.metrics, deps.log, async (req, res, pathname) => {
    if (pathname !== '/metrics' || req.method !== 'GET') throw new ProtocolError('NOT_FOUND', `no route ${req.method ?? 'GET'} ${pathname}`);
    checkMetricsAccess(req, deps.metricsAccess, true);
    await serveMetrics(deps.metrics, res);
    return 'metrics';
  });
}

async function serveMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
  res.end(text);
}

type Route = (req: IncomingMessage, res: ServerResponse, pathname: string, search: URLSearchParams) => Promise<string>;

/**
 * Runs a route; a failure becomes `{"error":{code,message}}`; every request is counted by route and status. With
 * `bodyTimeoutMs`, every request but an upload must have sent its whole body that long after it started.
 */
function errorsAsAnswers(metrics: Metrics, log: Logger, route: Route, bodyTimeoutMs?: number) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let pathname: string;
    let search: URLSearchParams;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      pathname = url.pathname;
      search = url.searchParams;
    } catch {
      pathname = '/';
      search = new URLSearchParams();
    }
    let label = 'unknown';
    if (bodyTimeoutMs !== undefined && !(pathname === '/v1/files' && req.method === 'PUT')) armBodyDeadline(req, res, bodyTimeoutMs);
    try {
      label = await route(req, res, pathname, search);
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
