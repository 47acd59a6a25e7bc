/**
 * Bonsai's own endpoints under /_bonsai/ (no AWS API uses that prefix: bucket names cannot start
 * with '_'). Health is public on the loopback interface; endpoints that change state, such as
 * moving the clock, require the admin token kept 0600 in the data directory.
 */
import { timingSafeEqual } from 'node:crypto';
import type { RawRequest, RawResponse } from '../core/http.ts';
import { parseDuration, type Clock } from '../core/clock.ts';
import type { ServiceDefinition } from '../services/types.ts';

export interface AdminDeps {
  accountId: string;
  adminToken: string;
  clock: Clock;
  services: readonly ServiceDefinition[];
  version: string;
}

export const ADMIN_TOKEN_HEADER = 'x-bonsai-admin-token';

export function createAdminHandler(deps: AdminDeps): (req: RawRequest) => Promise<RawResponse | undefined> {
  return async (req) => {
    if (!req.path.startsWith('/_bonsai/')) return undefined;
    if (req.path === '/_bonsai/health' && req.method === 'GET') return json(200, health(deps));
    if (req.path === '/_bonsai/clock') {
      if (!authorized(req, deps.adminToken)) return json(403, { error: `missing or wrong ${ADMIN_TOKEN_HEADER} header` });
      if (req.method === 'GET') return json(200, clockState(deps.clock));
      if (req.method === 'POST') return moveClock(req, deps.clock);
    }
    return json(404, { error: `no such Bonsai endpoint: ${req.method} ${req.path}` });
  };
}

function health(deps: AdminDeps) {
  const services: Record<string, string> = {};
  for (const s of deps.services) services[s.name] = Object.keys(s.handlers).length > 0 ? 'running' : 'not implemented';
  return { status: 'running', version: deps.version, accountId: deps.accountId, services };
}

function clockState(clock: Clock) {
  return { now: clock.now().toISOString(), offsetMs: clock.offsetMs() };
}

/** POST {"advance": "30d"} moves Bonsai's clock forward. */
function moveClock(req: RawRequest, clock: Clock): RawResponse {
  let body: { advance?: unknown };
  try {
    body = JSON.parse(req.body.toString('utf8') || '{}');
  } catch {
    return json(400, { error: 'the body must be JSON such as {"advance": "30d"}' });
  }
  if (typeof body.advance !== 'string') return json(400, { error: 'the body must be JSON such as {"advance": "30d"}' });
  try {
    clock.advance(parseDuration(body.advance));
  } catch (err) {
    return json(400, { error: (err as Error).message });
  }
  return json(200, clockState(clock));
}

function authorized(req: RawRequest, token: string): boolean {
  const given = Buffer.from(req.headers[ADMIN_TOKEN_HEADER] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function json(status: number, value: unknown): RawResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}
