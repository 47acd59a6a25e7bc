/**
 * The edge: a thin node:http adapter around the pure request handler. It keeps the request target
 * exactly as received (no WHATWG URL normalisation, which would rewrite /bucket/a/../b and break
 * S3 keys and signatures) and writes the response.
 *
 * Bodies stream both ways. A request's body is handed over unread (RawRequest.bodyStream): the
 * pipeline buffers it under its limit, or gives it to the handler as a stream (S3 uploads of up
 * to 5 GiB). A Readable response body (GetObject) is piped with backpressure. Only Bonsai's own
 * /_bonsai/ endpoints get a buffered body here.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { RawRequest, RawResponse } from '../core/http.ts';
import { isReadableBody, splitTarget } from '../core/http.ts';
import { readBodyUnderLimit } from '../pipeline/read-body.ts';

export interface EdgeOptions {
  /** /_bonsai/ bodies larger than this are refused with 413 before being read. */
  maxBodyBytes: number;
  handle(req: RawRequest): Promise<RawResponse>;
  /** Answers requests that are not AWS API calls (/_bonsai/…); returns undefined to pass through. */
  admin?(req: RawRequest): Promise<RawResponse | undefined>;
  onError(err: unknown): void;
}

const ADMIN_PREFIX = '/_bonsai/';
/**
 * A request answered before its body was read (an auth failure, a 413, a handler that failed
 * first) leaves the rest of the body on the wire. Up to this much is read and dropped so the
 * connection can carry the next request; beyond it the connection is closed after the response.
 */
export const MAX_DRAIN_BYTES = 1024 * 1024;
/** How long a closing connection may keep sending the body it had started before it is cut. */
const CLOSE_GRACE_MS = 5_000;
/** A connection with no traffic either way for this long is closed (a stalled upload or reader). */
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

export function createEdgeServer(options: EdgeOptions): Server {
  // No whole-request deadline (node's requestTimeout): a 5 GiB upload may take minutes. Stalls
  // are caught by the idle timeout instead; headers still have to arrive within headersTimeout.
  const server = createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
    void serve(req, res, options);
  });
  server.keepAliveTimeout = 60_000;
  server.setTimeout(SOCKET_IDLE_TIMEOUT_MS);
  return server;
}

async function serve(req: IncomingMessage, res: ServerResponse, options: EdgeOptions): Promise<void> {
  try {
    const raw = toRawRequest(req, Buffer.alloc(0));
    let response: RawResponse;
    if (raw.path.startsWith(ADMIN_PREFIX) && options.admin) {
      await bufferAdminBody(req, raw, options.maxBodyBytes);
      response = (await options.admin(raw)) ?? (await options.handle(raw));
    } else if (declaresNoBody(req)) {
      // GET, HEAD, DELETE…: the empty body is known from the headers; reading it as a stream
      // would only cost listeners and event-loop turns.
      response = await options.handle(raw);
    } else {
      raw.bodyStream = req;
      response = await options.handle(raw);
    }
    settleUnreadBody(req, res);
    await write(res, response, options.onError);
  } catch (err) {
    options.onError(err);
    settleUnreadBody(req, res);
    if (!res.headersSent) await write(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'InternalFailure' }, options.onError);
    else res.destroy();
  }
}

/** A request without Content-Length (or with 0) and without Transfer-Encoding has no body (RFC 9112 §6.3). */
function declaresNoBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined;
}

export function toRawRequest(req: IncomingMessage, body: Buffer): RawRequest {
  const target = req.url ?? '/';
  const { path, query } = splitTarget(target);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return {
    method: req.method ?? 'GET',
    target,
    path,
    query,
    headers,
    body,
    remoteAddress: req.socket.remoteAddress ?? '',
    secure: false,
  };
}

/** Bonsai's own endpoints take small JSON bodies: buffered here, as before bodies streamed. */
async function bufferAdminBody(req: IncomingMessage, raw: RawRequest, limit: number): Promise<void> {
  const read = await readBodyUnderLimit(req, raw.headers, limit);
  if (read.kind === 'read') raw.body = read.body;
  else raw.oversizedBody = { declaredBytes: read.declaredBytes, limitBytes: limit };
}

/**
 * Called before the response is written. A body read to its end needs nothing. Otherwise the
 * readers are detached and what is left is read and dropped: a small remainder (Content-Length
 * up to MAX_DRAIN_BYTES) keeps the connection usable; anything larger or of unknown length gets
 * `Connection: close`, and the connection is cut if the client keeps sending after the answer.
 */
function settleUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  if (req.readableEnded) return;
  req.unpipe();
  req.resume();
  // complete: the parser has the whole message (a GET without a body, a body nobody read).
  if (req.complete || res.headersSent) return;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isSafeInteger(declared) && declared <= MAX_DRAIN_BYTES) return;
  res.shouldKeepAlive = false;
  res.once('finish', () => {
    if (!req.readableEnded) setTimeout(() => req.socket.destroy(), CLOSE_GRACE_MS).unref();
  });
}

async function write(res: ServerResponse, response: RawResponse, onError: (err: unknown) => void): Promise<void> {
  const headers: Record<string, string | number> = { ...response.headers };
  if (isReadableBody(response.body)) {
    // Content-Length, when known, is the handler's (S3's ContentLength member); else chunked.
    res.writeHead(response.status, headers);
    await pipeBody(res, response.body, onError);
    return;
  }
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = body.length;
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * Pipes a streamed response with backpressure. If the body fails after the headers went out
 * there is no way to say so but to cut the connection: the client sees a truncated body, as it
 * would from S3. A client that goes away simply ends the pipe (and closes the body's source).
 */
async function pipeBody(res: ServerResponse, body: Readable, onError: (err: unknown) => void): Promise<void> {
  try {
    await pipeline(body, res);
  } catch (err) {
    res.destroy();
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') onError(err);
  }
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return true;
  return false;
}
