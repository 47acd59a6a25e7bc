/**
 * The edge: a thin node:http adapter around the pure request handler. It keeps the request target
 * exactly as received (no WHATWG URL normalisation, which would rewrite /bucket/a/../b and break
 * S3 keys and signatures), buffers the body under a size limit, and writes the response.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RawRequest, RawResponse } from '../core/http.ts';
import { splitTarget } from '../core/http.ts';

export interface EdgeOptions {
  /** Bodies larger than this are refused with 413 before being read. */
  maxBodyBytes: number;
  handle(req: RawRequest): Promise<RawResponse>;
  /** Answers requests that are not AWS API calls (/_bonsai/…); returns undefined to pass through. */
  admin?(req: RawRequest): Promise<RawResponse | undefined>;
  onError(err: unknown): void;
}

export function createEdgeServer(options: EdgeOptions): Server {
  const server = createServer({ keepAlive: true, requestTimeout: 300_000 }, (req, res) => {
    void serve(req, res, options);
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

async function serve(req: IncomingMessage, res: ServerResponse, options: EdgeOptions): Promise<void> {
  try {
    const declared = Number(req.headers['content-length'] ?? 0);
    const body = declared > options.maxBodyBytes ? undefined : await readBody(req, options.maxBodyBytes);
    const raw = toRawRequest(req, body ?? Buffer.alloc(0));
    if (body === undefined) {
      // Not read: answer in the service's envelope, then close, since the rest of the body is still on the wire.
      raw.oversizedBody = { declaredBytes: declared, limitBytes: options.maxBodyBytes };
      res.shouldKeepAlive = false;
    }
    const response = (await options.admin?.(raw)) ?? (await options.handle(raw));
    write(res, response);
  } catch (err) {
    options.onError(err);
    if (!res.headersSent) write(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'InternalFailure' });
    else res.destroy();
  }
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        overflow = true;
        chunks.length = 0;
      } else if (!overflow) chunks.push(chunk);
    });
    req.on('end', () => resolve(overflow ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, response: RawResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  const headers: Record<string, string | number> = { ...response.headers };
  if (!hasHeader(headers, 'content-length')) headers['content-length'] = body.length;
  res.writeHead(response.status, headers);
  res.end(body);
}

function hasHeader(headers: Record<string, unknown>, name: string): boolean {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return true;
  return false;
}
