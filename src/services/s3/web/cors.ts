/**
 * Cross-origin resource sharing as S3 evaluates it (S3 User Guide, "Using cross-origin resource
 * sharing (CORS)" → "How does Amazon S3 evaluate the CORS configuration on a bucket?"; API
 * Reference, "OPTIONS object"): the first rule whose AllowedOrigins match the Origin, whose
 * AllowedMethods include the method and, for a preflight, whose AllowedHeaders cover every
 * header in Access-Control-Request-Headers, decides the Access-Control-* headers.
 *
 * - AllowedOrigin and AllowedMethod compare case-sensitively; AllowedHeader case-insensitively.
 * - One `*` in an AllowedOrigin or AllowedHeader matches any run of characters.
 * - A rule allowing origin "*" answers `Access-Control-Allow-Origin: *` without credentials;
 *   any other echoes the Origin with `Access-Control-Allow-Credentials: true`.
 */
import { AwsError } from '../../../core/errors.ts';
import type { CORSRule } from '../../../generated/s3/types.ts';
import type { BucketRecord } from '../buckets/record.ts';

/** The methods a CORS rule (and a preflight's Access-Control-Request-Method) may name. */
const CORS_METHODS: ReadonlySet<string> = new Set(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']);

/** S3 varies every CORS answer on the three request headers it evaluated. */
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

export interface CorsRequest {
  origin: string;
  method: string;
  /** Access-Control-Request-Headers, lower-cased; empty for actual (non-preflight) requests. */
  requestHeaders: string[];
}

/** Whether `pattern` (with at most one `*`) matches `value` whole. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

function ruleAllows(rule: CORSRule, request: CorsRequest): boolean {
  if (!rule.AllowedOrigins.some((origin) => wildcardMatches(origin, request.origin))) return false;
  if (!rule.AllowedMethods.includes(request.method)) return false;
  const allowedHeaders = rule.AllowedHeaders ?? [];
  return request.requestHeaders.every((header) => allowedHeaders.some((allowed) => wildcardMatches(allowed, header, true)));
}

/** The first rule of the configuration that allows the request, or undefined. */
export function matchCorsRule(rules: readonly CORSRule[], request: CorsRequest): CORSRule | undefined {
  return rules.find((rule) => ruleAllows(rule, request));
}

/** The rules stored on the bucket record (buckets part), or undefined when CORS is not configured. */
export function corsRulesOf(bucket: BucketRecord): CORSRule[] | undefined {
  return (bucket.cors as { CORSRules?: CORSRule[] } | undefined)?.CORSRules;
}

/** The Access-Control-* headers a matched rule gives; Allow-Headers only for a preflight that asked. */
export function corsResponseHeaders(rule: CORSRule, request: CorsRequest, preflight: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (rule.AllowedOrigins.includes('*')) {
    headers['Access-Control-Allow-Origin'] = '*';
  } else {
    headers['Access-Control-Allow-Origin'] = request.origin;
    headers['Access-Control-Allow-Credentials'] = 'true';
  }
  headers['Access-Control-Allow-Methods'] = rule.AllowedMethods.join(', ');
  if (preflight && request.requestHeaders.length > 0) headers['Access-Control-Allow-Headers'] = request.requestHeaders.join(', ');
  if (rule.ExposeHeaders?.length) headers['Access-Control-Expose-Headers'] = rule.ExposeHeaders.join(', ');
  if (rule.MaxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = String(rule.MaxAgeSeconds);
  headers.Vary = VARY;
  return headers;
}

/** "a, B ,c" → ["a", "b", "c"]. */
export function parseRequestHeaders(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h.length > 0);
}

// ---- preflight ------------------------------------------------------------------------------------

/** <ResourceType> of a preflight error: what the path addresses. */
export function resourceTypeOfKey(key: string | undefined): 'BUCKET' | 'OBJECT' {
  return key === undefined || key === '' ? 'BUCKET' : 'OBJECT';
}

function corsForbidden(message: string, method: string, resourceType: string): AwsError {
  return new AwsError('AccessForbidden', `CORSResponse: ${message}`, { status: 403, fields: { Method: method, ResourceType: resourceType } });
}

export const CORS_NOT_ALLOWED =
  "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/**
 * Judges an OPTIONS preflight and returns its Access-Control-* headers, or throws S3's error:
 * 400 BadRequest for a missing Origin or a missing/unknown Access-Control-Request-Method, then
 * 403 AccessForbidden when the bucket does not exist, has no CORS configuration, or no rule allows
 * the request. (S3 answers preflights without authentication; the bucket policy plays no part.)
 */
export function judgePreflight(
  headers: Record<string, string>,
  bucket: BucketRecord | undefined,
  key: string | undefined,
): Record<string, string> {
  const origin = headers.origin;
  if (!origin) throw new AwsError('BadRequest', 'Insufficient information. Origin request header needed.', { status: 400 });
  const method = headers['access-control-request-method'];
  if (method === undefined || !CORS_METHODS.has(method)) {
    throw new AwsError('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`, { status: 400 });
  }
  const resourceType = resourceTypeOfKey(key);
  if (!bucket) throw corsForbidden('Bucket not found', method, resourceType);
  const rules = corsRulesOf(bucket);
  if (!rules) throw corsForbidden('CORS is not enabled for this bucket.', method, resourceType);
  const request: CorsRequest = { origin, method, requestHeaders: parseRequestHeaders(headers['access-control-request-headers']) };
  const rule = matchCorsRule(rules, request);
  if (!rule) throw corsForbidden(CORS_NOT_ALLOWED, method, resourceType);
  return corsResponseHeaders(rule, request, true);
}

/**
 * The Access-Control-* headers for an actual (non-preflight) request carrying an Origin: those
 * of the first rule allowing its origin and method; none when nothing matches.
 */
export function actualRequestCorsHeaders(headers: Record<string, string>, method: string, bucket: BucketRecord): Record<string, string> | undefined {
  const origin = headers.origin;
  const rules = corsRulesOf(bucket);
  if (!origin || !rules) return undefined;
  const request: CorsRequest = { origin, method, requestHeaders: [] };
  const rule = matchCorsRule(rules, request);
  return rule ? corsResponseHeaders(rule, request, false) : undefined;
}
