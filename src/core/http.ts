/**
 * The two values every pipeline stage speaks: the request exactly as it arrived on the wire and
 * the response to write back. The core is a pure function RawRequest → RawResponse; node:http is
 * a thin adapter around it (src/server/edge.ts), so tests can call the core without a socket.
 *
 * Bodies may stream both ways: S3 uploads arrive as `bodyStream` (never held in memory) and
 * GetObject answers with a Readable `body` the edge pipes to the socket.
 */
import { Readable } from 'node:stream';

export interface RawRequest {
  method: string;
  /** The request target exactly as received ("/bucket/a/../b?x=%20"), never URL-normalised. */
  target: string;
  /** The raw path part of the target (before '?'), still percent-encoded. */
  path: string;
  /** The raw query string after '?', still percent-encoded; '' when absent. */
  query: string;
  /** Header names lower-cased; repeated headers joined with ',' as node:http does. */
  headers: Record<string, string>;
  /**
   * The whole body, once read. Empty while `bodyStream` is still unread: the pipeline's first
   * stage buffers the stream here unless the service streams the operation (S3 PutObject).
   */
  body: Buffer;
  /**
   * The body as it arrives on the socket, not yet read (set by the edge). In-process callers
   * leave it out and pass `body`.
   */
  bodyStream?: Readable;
  remoteAddress: string;
  /** True when the request came over TLS (aws:SecureTransport). */
  secure: boolean;
  /**
   * Set by the edge when the body exceeded its size limit and was not read: the pipeline answers
   * RequestEntityTooLarge in the addressed service's envelope.
   */
  oversizedBody?: { declaredBytes: number; limitBytes: number };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** A Readable is piped to the client; its length comes from the Content-Length header. */
  body: Buffer | string | Readable;
}

/**
 * A streamed request body after authentication: aws-chunked framing removed, signatures and
 * hashes checked as the bytes pass (a mismatch errors the stream with an AwsError).
 * `trailers` (lower-cased names, e.g. x-amz-checksum-crc32) is complete by the time 'end' is emitted.
 */
export interface RequestBodyStream extends Readable {
  trailers: Record<string, string>;
}

/**
 * The whole body of a request stream, taken synchronously when it is already buffered and nobody
 * reads it yet; undefined otherwise (the caller then reads it as a stream).
 *
 * A small body usually arrives with its headers, and node:http pushes it into the IncomingMessage
 * while parsing them. The message is marked `complete` only when the parser reports its end, which
 * can come a moment later than the bytes; but a body with a Content-Length is whole as soon as that
 * many bytes are buffered, since a message never receives bytes past its length. Waiting for 'end'
 * instead would cost listeners and a turn of the event loop per request.
 */
export function takeBufferedBody(stream: Readable, maxBytes: number): Buffer[] | undefined {
  if (stream.readableFlowing || stream.destroyed || stream.readableLength > maxBytes || stream.listenerCount('data') > 0) return undefined;
  const message = stream as Readable & { complete?: boolean; headers?: Record<string, string | string[] | undefined> };
  if (message.complete !== true) {
    const declared = message.headers?.['content-length'];
    if (typeof declared !== 'string' || message.headers?.['transfer-encoding'] !== undefined) return undefined;
    if (Number(declared) !== stream.readableLength || stream.readableLength === 0) return undefined;
  }
  const chunks: Buffer[] = [];
  for (let chunk: Buffer | null = stream.read(); chunk !== null; chunk = stream.read()) chunks.push(chunk);
  return chunks;
}

export function isReadableBody(body: unknown): body is Readable {
  return body instanceof Readable;
}

/**
 * The bytes of a response body that is known not to stream (JSON, query and EC2 responses;
 * errors). Throws for a Readable: only rest-xml blob payloads stream, and hooks that rewrite
 * bodies (DynamoDB's x-amz-crc32) never see one.
 */
export function responseBytes(body: RawResponse['body']): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  throw new Error('responseBytes: the response body is a stream');
}

/** Splits a raw request target into path and query without decoding or normalising anything. */
export function splitTarget(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: '' } : { path: target.slice(0, q), query: target.slice(q + 1) };
}

/**
 * Parses a raw query string into ordered [name, value] pairs, decoding each side once.
 * '+' is a space only in form bodies (application/x-www-form-urlencoded), so callers choose.
 */
export function parseQueryPairs(query: string, plusIsSpace = false): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!query) return out;
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    out.push([decodeComponent(rawName, plusIsSpace), decodeComponent(rawValue, plusIsSpace)]);
  }
  return out;
}

function decodeComponent(s: string, plusIsSpace: boolean): string {
  const t = plusIsSpace ? s.replace(/\+/g, ' ') : s;
  try {
    return decodeURIComponent(t);
  } catch {
    return t; // malformed escapes are kept as sent; SigV4 then fails as it does on AWS
  }
}
