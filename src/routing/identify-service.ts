/**
 * The first routing step: which service a request is for. It runs before authentication because
 * an authentication failure must be answered in that service's own error envelope.
 *
 * Signals, most reliable first (as real clients send them):
 *   1. X-Amz-Target "<prefix>.<Operation>"              json protocols
 *   2. the SigV4 credential scope ".../REGION/SERVICE/"  every signed request
 *   3. a service-specific path prefix                     Lambda, S3 Control
 *   4. the Version parameter of Action=… requests         unsigned query/ec2 requests
 *   5. otherwise S3, as AWS's S3 endpoint takes anonymous requests
 */
import type { RawRequest } from '../core/http.ts';
import { parseQueryPairs } from '../core/http.ts';
import type { Protocol } from '../protocols/model.ts';
import type { ServiceDefinition } from '../services/types.ts';

export interface ServiceRoute {
  service: ServiceDefinition;
  protocol: Protocol;
  /** Region named by the credential scope, if the request carries one. */
  scopeRegion?: string;
  /** For S3 virtual-hosted requests: the request rewritten to path style for operation routing. */
  routingPath: string;
}

export interface ServiceIndex {
  byTarget: Map<string, ServiceDefinition>;
  bySigningName: Map<string, ServiceDefinition[]>;
  byApiVersion: Map<string, ServiceDefinition>;
  byPathPrefix: Array<[string, ServiceDefinition]>;
  s3: ServiceDefinition;
}

export function buildServiceIndex(services: readonly ServiceDefinition[]): ServiceIndex {
  const index: ServiceIndex = { byTarget: new Map(), bySigningName: new Map(), byApiVersion: new Map(), byPathPrefix: [], s3: undefined! };
  for (const s of services) {
    if (s.targetPrefix) index.byTarget.set(s.targetPrefix, s);
    const list = index.bySigningName.get(s.signingName) ?? [];
    list.push(s);
    index.bySigningName.set(s.signingName, list);
    if (s.protocol === 'query' || s.protocol === 'ec2') index.byApiVersion.set(s.apiVersion, s);
    if (s.pathPrefix) index.byPathPrefix.push([s.pathPrefix, s]);
    if (s.name === 's3') index.s3 = s;
  }
  if (!index.s3) throw new Error('the service list must include s3');
  return index;
}

export function identifyService(req: RawRequest, index: ServiceIndex): ServiceRoute {
  const scope = credentialScope(req);
  const target = req.headers['x-amz-target'];
  if (target) {
    const dot = target.lastIndexOf('.');
    const service = index.byTarget.get(dot < 0 ? target : target.slice(0, dot));
    if (service) return { service, protocol: 'json', scopeRegion: scope?.region, routingPath: req.path };
  }
  if (scope) {
    const candidates = index.bySigningName.get(scope.service);
    if (candidates?.length) {
      const service = candidates.length === 1 ? candidates[0]! : pickByPathOrPrimary(req, candidates);
      return routeFor(req, service, scope.region, index);
    }
  }
  for (const [prefix, service] of index.byPathPrefix) {
    if (req.path.startsWith(prefix)) return routeFor(req, service, scope?.region, index);
  }
  const version = queryVersion(req);
  const byVersion = version ? index.byApiVersion.get(version) : undefined;
  if (byVersion) return routeFor(req, byVersion, scope?.region, index);
  return routeFor(req, index.s3, scope?.region, index);
}

function pickByPathOrPrimary(req: RawRequest, candidates: ServiceDefinition[]): ServiceDefinition {
  const byPath = candidates.find((s) => s.pathPrefix && req.path.startsWith(s.pathPrefix));
  return byPath ?? candidates.find((s) => !s.pathPrefix && !s.targetPrefix?.includes('Streams')) ?? candidates[0]!;
}

function routeFor(req: RawRequest, service: ServiceDefinition, scopeRegion: string | undefined, index: ServiceIndex): ServiceRoute {
  const protocol: Protocol = service.protocol === 'query' && req.headers['x-amz-target'] ? 'json' : service.protocol;
  const routingPath = service === index.s3 ? s3PathStyle(req) : req.path;
  return { service, protocol, scopeRegion, routingPath };
}

/**
 * S3 virtual-hosted style: "bucket.s3.<anything>" or "bucket.localhost". The bucket moves into
 * the path so the operation router sees path style ("/bucket/key"). The original path is kept for
 * SigV4, which signs what the client sent.
 */
export function s3PathStyle(req: RawRequest): string {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const bucket = virtualHostedBucket(host);
  if (!bucket) return req.path;
  return req.path === '/' ? `/${bucket}` : `/${bucket}${req.path}`;
}

/**
 * The service endpoint itself, not a bucket: "s3.localhost", "s3.ap-southeast-2.localhost",
 * "s3.amazonaws.com", "s3.eu-west-1.amazonaws.com", legacy "s3-us-west-2.amazonaws.com".
 */
const S3_ENDPOINT = /^s3(?:\.[a-z0-9-]+)?\.localhost$|^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/;

function virtualHostedBucket(host: string): string | undefined {
  if (!host || /^[\d.]+$/.test(host) || host.startsWith('[')) return undefined; // IP literal: path style
  if (S3_ENDPOINT.test(host)) return undefined;
  const s3 = host.indexOf('.s3.');
  if (s3 > 0) return host.slice(0, s3);
  const s3Dash = /^(.+?)\.s3-[a-z0-9-]+\./.exec(host);
  if (s3Dash) return s3Dash[1];
  if (host.endsWith('.localhost')) return host.slice(0, -'.localhost'.length);
  return undefined;
}

const CREDENTIAL_IN_HEADER = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/** Reads "AKID/yyyymmdd/region/service/aws4_request" from the Authorization header or X-Amz-Credential. */
export function credentialScope(req: RawRequest): { accessKeyId: string; region: string; service: string } | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = CREDENTIAL_IN_HEADER.exec(auth);
    return m ? { accessKeyId: m[1]!, region: m[3]!, service: m[4]! } : undefined;
  }
  if (!req.query.includes('X-Amz-Credential=')) return undefined;
  const cred = parseQueryPairs(req.query).find(([k]) => k === 'X-Amz-Credential')?.[1];
  const parts = cred?.split('/');
  return parts && parts.length === 5 ? { accessKeyId: parts[0]!, region: parts[2]!, service: parts[3]! } : undefined;
}

function queryVersion(req: RawRequest): string | undefined {
  const fromQuery = parseQueryPairs(req.query).find(([k]) => k === 'Version')?.[1];
  if (fromQuery) return fromQuery;
  const type = req.headers['content-type'] ?? '';
  if (req.method === 'POST' && type.startsWith('application/x-www-form-urlencoded') && req.body.length < 1_000_000) {
    return parseQueryPairs(req.body.toString('utf8'), true).find(([k]) => k === 'Version')?.[1];
  }
  return undefined;
}
