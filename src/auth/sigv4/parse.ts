/**
 * Reading the SigV4 parts a request carries, either in the Authorization header or in the
 * presigned query string, without judging them yet: verify.ts decides what is missing or wrong
 * and in which order AWS reports it.
 */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The signature parts as sent; absent parts are undefined. */
export interface SignatureParts {
  presigned: boolean;
  algorithm: string | undefined;
  credential: string | undefined;
  signedHeaders: string | undefined;
  signature: string | undefined;
  /** Presigned only: X-Amz-Date and X-Amz-Expires as sent. */
  amzDate?: string;
  expires?: string;
  securityToken?: string;
  /** Presigned only: X-Amz-Content-Sha256 from the query (SDK v3 puts UNSIGNED-PAYLOAD there). */
  contentSha256?: string;
  /** Header only: AWS's message for a component without '=', reported once the algorithm is judged. */
  malformedComponent?: string;
}

/** One raw query pair: name and value still percent-encoded, plus the decoded name. */
export interface RawQueryPair {
  rawName: string;
  rawValue: string;
  name: string;
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. Like AWS it tolerates
 * any spacing around the commas; a component without '=' is an IncompleteSignature.
 */
export function parseAuthorizationHeader(header: string): SignatureParts {
  const text = header.trim();
  const space = text.indexOf(' ');
  // A header without a space has no algorithm, only something AWS reads as the parameters.
  const algorithm = space < 0 ? text : text.slice(0, space);
  const parts: SignatureParts = {
    presigned: false,
    algorithm,
    credential: undefined,
    signedHeaders: undefined,
    signature: undefined,
  };
  if (space < 0) return parts;
  // Walk the comma-separated components in place rather than splitting into an array.
  let start = space + 1;
  while (start <= text.length) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    readAuthorizationComponent(text.slice(start, end).trim(), header, parts);
    start = end + 1;
  }
  return parts;
}

/** One `Key=value` component of the Authorization header; later duplicates win, as before. */
function readAuthorizationComponent(component: string, header: string, parts: SignatureParts): void {
  if (!component) return;
  const eq = component.indexOf('=');
  if (eq < 0) {
    parts.malformedComponent ??= `'${component}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`;
    return;
  }
  const key = component.slice(0, eq).trim();
  const value = component.slice(eq + 1).trim();
  if (key === 'Credential') parts.credential = value;
  else if (key === 'SignedHeaders') parts.signedHeaders = value;
  else if (key === 'Signature') parts.signature = value;
}

/** Splits a raw query string into pairs, keeping the encoded forms for the canonical query. */
export function splitRawQuery(query: string): RawQueryPair[] {
  const out: RawQueryPair[] = [];
  if (!query) return out;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    if (end > start) {
      const part = query.slice(start, end);
      const eq = part.indexOf('=');
      const rawName = eq < 0 ? part : part.slice(0, eq);
      const rawValue = eq < 0 ? '' : part.slice(eq + 1);
      out.push({ rawName, rawValue, name: decodeOnce(rawName) });
    }
    start = end + 1;
  }
  return out;
}

/** Percent-decodes once; '+' stays '+' (SigV4 encodes spaces as %20). Malformed escapes are kept. */
export function decodeOnce(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** True when the query carries any of the presigned-URL parameters. */
export function isPresignedQuery(pairs: RawQueryPair[]): boolean {
  for (const p of pairs) {
    if (p.name === 'X-Amz-Signature' || p.name === 'X-Amz-Credential' || p.name === 'X-Amz-Algorithm') return true;
  }
  return false;
}

/** Reads the X-Amz-* presigned parameters (the first occurrence of each). */
export function parsePresignedQuery(pairs: RawQueryPair[]): SignatureParts {
  const parts: SignatureParts = {
    presigned: true,
    algorithm: undefined,
    credential: undefined,
    signedHeaders: undefined,
    signature: undefined,
  };
  for (const p of pairs) {
    if (!p.name.startsWith('X-Amz-')) continue;
    const value = decodeOnce(p.rawValue);
    switch (p.name) {
      case 'X-Amz-Algorithm':
        parts.algorithm ??= value;
        break;
      case 'X-Amz-Credential':
        parts.credential ??= value;
        break;
      case 'X-Amz-SignedHeaders':
        parts.signedHeaders ??= value;
        break;
      case 'X-Amz-Signature':
        parts.signature ??= value;
        break;
      case 'X-Amz-Date':
        parts.amzDate ??= value;
        break;
      case 'X-Amz-Expires':
        parts.expires ??= value;
        break;
      case 'X-Amz-Security-Token':
        parts.securityToken ??= value;
        break;
      case 'X-Amz-Content-Sha256':
        parts.contentSha256 ??= value;
        break;
    }
  }
  return parts;
}

/**
 * SignedHeaders (`host;x-amz-date`) as a list of names. A client signs the same list on every
 * call of an operation, so the lists are cached: besides the split, that saves V8 interning
 * fresh name strings each time they are used to look up a header. Callers get a copy. The cache
 * starts over when full: more distinct lists than that is not a load worth optimising.
 */
const SIGNED_HEADERS_CACHE_LIMIT = 256;
const signedHeadersCache = new Map<string, readonly string[]>();

export function parseSignedHeaders(text: string): string[] {
  let names = signedHeadersCache.get(text);
  if (names === undefined) {
    names = text.split(';');
    if (signedHeadersCache.size >= SIGNED_HEADERS_CACHE_LIMIT) signedHeadersCache.clear();
    signedHeadersCache.set(text, names);
  }
  return names.slice();
}

/** The credential scope: AKID/yyyymmdd/region/service/aws4_request. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  /** date/region/service/terminator, as it appears in the string to sign. */
  scope: string;
}

/** Splits the credential; undefined unless it has exactly 5 '/'-separated parts (trailing '/' ignored). */
export function parseCredential(credential: string): CredentialScope | undefined {
  let end = credential.length;
  while (end > 0 && credential.charCodeAt(end - 1) === 0x2f) end--;
  // Find the four '/' that separate the five parts; a fifth '/' means too many parts.
  const s1 = credential.indexOf('/');
  const s2 = s1 < 0 ? -1 : credential.indexOf('/', s1 + 1);
  const s3 = s2 < 0 ? -1 : credential.indexOf('/', s2 + 1);
  const s4 = s3 < 0 ? -1 : credential.indexOf('/', s3 + 1);
  if (s4 < 0 || s4 >= end) return undefined;
  const s5 = credential.indexOf('/', s4 + 1);
  if (s5 >= 0 && s5 < end) return undefined;
  return {
    accessKeyId: credential.slice(0, s1),
    date: credential.slice(s1 + 1, s2),
    region: credential.slice(s2 + 1, s3),
    service: credential.slice(s3 + 1, s4),
    terminator: credential.slice(s4 + 1, end),
    // The scope is the credential after the key id, so it is cut out rather than re-joined.
    scope: credential.slice(s1 + 1, end),
  };
}

/** Parses an ISO-8601 basic-format time (20150830T123600Z); undefined when malformed. */
export function parseAmzDate(text: string): Date | undefined {
  if (!hasAmzDateShape(text)) return undefined;
  const ms = Date.UTC(
    digitsAt(text, 0, 4),
    digitsAt(text, 4, 2) - 1,
    digitsAt(text, 6, 2),
    digitsAt(text, 9, 2),
    digitsAt(text, 11, 2),
    digitsAt(text, 13, 2),
  );
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** yyyymmddThhmmssZ: 16 characters, digits except the T and the Z. */
function hasAmzDateShape(text: string): boolean {
  if (text.length !== 16 || text.charCodeAt(8) !== 0x54 || text.charCodeAt(15) !== 0x5a) return false;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The number written by `count` ASCII digits at `start` (already checked to be digits). */
function digitsAt(text: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) n = n * 10 + (text.charCodeAt(i) - 48);
  return n;
}

/** Formats a time as ISO-8601 basic format (20150830T123600Z). */
export function formatAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2015-08-30T12:36:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/**
 * formatAmzDate(date), returning `text` itself when it already is that string (the usual case:
 * the x-amz-date the client sent), so no new string is built per request. That is so exactly
 * when text has the yyyymmddThhmmssZ shape and its digits are the date's UTC fields (reading
 * fields is several times cheaper than Date.toISOString()).
 */
export function formatAmzDateAs(date: Date, text: string): string {
  const same =
    hasAmzDateShape(text) &&
    digitsAt(text, 0, 4) === date.getUTCFullYear() &&
    digitsAt(text, 4, 2) === date.getUTCMonth() + 1 &&
    digitsAt(text, 6, 2) === date.getUTCDate() &&
    digitsAt(text, 9, 2) === date.getUTCHours() &&
    digitsAt(text, 11, 2) === date.getUTCMinutes() &&
    digitsAt(text, 13, 2) === date.getUTCSeconds();
  return same ? text : formatAmzDate(date);
}

/**
 * The request time for header auth: x-amz-date wins over Date (an RFC 1123 date such as
 * "Fri, 24 May 2013 00:00:00 GMT", which may only be used when x-amz-date is absent).
 */
export function requestTimeFromHeaders(headers: Record<string, string>): { text: string; date: Date | undefined } | undefined {
  const amz = headers['x-amz-date'];
  if (amz !== undefined) return { text: amz, date: parseAmzDate(amz.trim()) };
  const date = headers['date'];
  if (date !== undefined) {
    const ms = Date.parse(date);
    return { text: date, date: Number.isNaN(ms) ? undefined : new Date(ms) };
  }
  return undefined;
}
