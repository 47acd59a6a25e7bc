/**
 * The two values every pipeline stage speaks: the request exactly as it arrived on the wire and
 * the response to write back. The core is a pure function RawRequest → RawResponse; node:http is
 * a thin adapter around it (src/server/edge.ts), so tests can call the core without a socket.
 */

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
  body: Buffer;
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
  body: Buffer | string;
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
