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
  const rest = space < 0 ? '' : text.slice(space + 1);
  const parts: SignatureParts = {
    presigned: false,
    algorithm,
    credential: undefined,
    signedHeaders: undefined,
    signature: undefined,
  };
  for (const piece of rest.split(',')) {
    const component = piece.trim();
    if (!component) continue;
    const eq = component.indexOf('=');
    if (eq < 0) {
      parts.malformedComponent ??= `'${component}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`;
      continue;
    }
    const key = component.slice(0, eq).trim();
    const value = component.slice(eq + 1).trim();
    if (key === 'Credential') parts.credential = value;
    else if (key === 'SignedHeaders') parts.signedHeaders = value;
    else if (key === 'Signature') parts.signature = value;
  }
  return parts;
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
  let text = credential;
  while (text.endsWith('/')) text = text.slice(0, -1);
  const parts = text.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator, scope: `${date}/${region}/${service}/${terminator}` };
}

/** Parses an ISO-8601 basic-format time (20150830T123600Z); undefined when malformed. */
export function parseAmzDate(text: string): Date | undefined {
  if (text.length !== 16 || text[8] !== 'T' || text[15] !== 'Z') return undefined;
  for (let i = 0; i < 15; i++) {
    if (i === 8) continue;
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const ms = Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(4, 6)) - 1,
    Number(text.slice(6, 8)),
    Number(text.slice(9, 11)),
    Number(text.slice(11, 13)),
    Number(text.slice(13, 15)),
  );
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Formats a time as ISO-8601 basic format (20150830T123600Z). */
export function formatAmzDate(date: Date): string {
  const iso = date.toISOString(); // 2015-08-30T12:36:00.000Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
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
