/**
 * S3's static website endpoint (S3 User Guide, "Hosting a static website using Amazon S3"):
 * requests whose Host is `<bucket>.s3-website-<region>.amazonaws.com`,
 * `<bucket>.s3-website.<region>.amazonaws.com` or `<bucket>.s3-website.localhost[:port]`.
 *
 * Only GET and HEAD; every request is anonymous and is authorized as an anonymous s3:GetObject
 * through the normal authorizer, so the bucket must be public by policy (or ACL) with Block
 * Public Access off. The order follows S3's: bucket, website configuration, RedirectAllRequestsTo,
 * routing rules without an error condition, the index document for "/" and "folder/", the
 * object (with its x-amz-website-redirect-location), then for an error the routing rules naming
 * its status, and the custom error document. Errors are HTML pages (website-pages.ts).
 */
import { AwsError, toAwsError } from '../../../core/errors.ts';
import type { RequestContext } from '../../../core/context.ts';
import { splitTarget, type RawRequest, type RawResponse } from '../../../core/http.ts';
import type { GetObjectRequest, WebsiteConfiguration } from '../../../generated/s3/types.ts';
import { loadServiceModel } from '../../../generated/load-model.ts';
import { codecFor } from '../../../protocols/index.ts';
import type { OutsideApiEnv } from '../../types.ts';
import { findBucketCached, type BucketRecord } from '../buckets/record.ts';
import { getHandlers } from '../objects/get.ts';
import { loadObjectVersion } from '../objects/versions.ts';
import { authorizeAs, outsideApiContext } from './context.ts';
import { matchRoutingRule, redirectAllFor, redirectFor, type RequestAddress, type WebsiteRedirect } from './routing-rules.ts';
import { requestIdHeaders, websiteErrorResponse } from './website-pages.ts';

const WEBSITE_HOST_PATTERNS: readonly RegExp[] = [
  /^(.+)\.s3-website-([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.s3-website\.([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.s3-website\.localhost$/,
];

/** The bucket a website-endpoint Host names, or undefined when the Host is not a website endpoint. */
export function websiteBucketOfHost(hostHeader: string | undefined): string | undefined {
  // Every request asks; almost none is for a website endpoint.
  if (hostHeader === undefined || !/s3-website/i.test(hostHeader)) return undefined;
  const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase();
  for (const pattern of WEBSITE_HOST_PATTERNS) {
    const m = pattern.exec(host);
    if (m) return m[1];
  }
  return undefined;
}

/** The key a website path asks for: the path without its leading slash, percent-decoded. */
export function websiteKeyOfPath(rawPath: string): string {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The key served for a requested key: the index document for "" and anything ending in "/". */
export function withIndexDocument(key: string, suffix: string): string {
  return key === '' || key.endsWith('/') ? key + suffix : key;
}

function noSuchWebsiteConfiguration(bucket: string): AwsError {
  return new AwsError('NoSuchWebsiteConfiguration', 'The specified bucket does not have a website configuration', {
    status: 404,
    fields: { BucketName: bucket },
  });
}

function noSuchBucket(bucket: string): AwsError {
  return new AwsError('NoSuchBucket', 'The specified bucket does not exist', { status: 404, fields: { BucketName: bucket } });
}

function noSuchKey(key: string): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: key } });
}

function methodNotAllowed(method: string): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    status: 405,
    fields: { Method: method, ResourceType: 'OBJECT' },
  });
}

function redirectResponse(redirect: WebsiteRedirect, requestId: string): RawResponse {
  return { status: redirect.status, headers: { ...requestIdHeaders(requestId), Location: redirect.location }, body: '' };
}

interface WebsiteRequest {
  req: RawRequest;
  env: OutsideApiEnv;
  method: 'GET' | 'HEAD';
  bucket: BucketRecord;
  config: WebsiteConfiguration;
  ctx: RequestContext;
  address: RequestAddress;
}

/** Answers a request addressed to the website endpoint of `bucketName`. */
export async function serveWebsite(req: RawRequest, env: OutsideApiEnv, bucketName: string): Promise<RawResponse> {
  const { requestId } = env;
  if (req.method !== 'GET' && req.method !== 'HEAD') return websiteErrorResponse(methodNotAllowed(req.method), requestId, req.method);
  const method = req.method;
  const bucket = await findBucketCached(env.deps.store, bucketName);
  if (!bucket) return websiteErrorResponse(noSuchBucket(bucketName), requestId, method);
  const config = bucket.website as WebsiteConfiguration | undefined;
  if (!config) return websiteErrorResponse(noSuchWebsiteConfiguration(bucketName), requestId, method);

  const rawTarget = req.target;
  const address: RequestAddress = { protocol: req.secure ? 'https' : 'http', host: req.headers.host ?? '' };
  const redirectAll = redirectAllFor(config, rawTarget, address);
  if (redirectAll) return redirectResponse(redirectAll, requestId);

  const key = websiteKeyOfPath(splitTarget(rawTarget).path);
  const early = matchRoutingRule(config, key);
  if (early) return redirectResponse(redirectFor(early, key, address), requestId);

  const ctx = outsideApiContext(req, env, { operation: method === 'GET' ? 'GetObject' : 'HeadObject', region: bucket.region });
  const site: WebsiteRequest = { req, env, method, bucket, config, ctx, address };
  try {
    return await serveKey(site, key);
  } catch (err) {
    const { error, unexpected } = toAwsError(err);
    if (unexpected) env.deps.log.error({ err, requestId }, 'unexpected error on the S3 website endpoint');
    return answerError(site, key, error);
  }
}

/** The object for `key` (or its index document), or the redirect it stands for; throws S3's error otherwise. */
async function serveKey(site: WebsiteRequest, key: string): Promise<RawResponse> {
  const suffix = site.config.IndexDocument?.Suffix ?? 'index.html';
  const objectKey = withIndexDocument(key, suffix);
  await authorizeAs(site.env, site.ctx, { Bucket: site.bucket.name, Key: objectKey });
  const version = await loadObjectVersion(site.ctx, site.bucket.name, objectKey);
  if (!version || version.isDeleteMarker) {
    // "x" without a slash may be a folder: S3 redirects to "x/" when x/<index> exists.
    if (!objectKey.endsWith('/') && objectKey === key && key !== '') {
      const folderIndex = await loadObjectVersion(site.ctx, site.bucket.name, `${key}/${suffix}`);
      if (folderIndex && !folderIndex.isDeleteMarker) {
        return { status: 302, headers: { ...requestIdHeaders(site.env.requestId), Location: `/${key.split('/').map(encodeURIComponent).join('/')}/` }, body: '' };
      }
    }
    throw await missingObjectError(site, objectKey);
  }
  if (version.websiteRedirectLocation !== undefined) {
    return { status: 301, headers: { ...requestIdHeaders(site.env.requestId), Location: version.websiteRedirectLocation }, body: '' };
  }
  return readObject(site, objectKey, site.method);
}

/**
 * A missing key is 404 NoSuchKey only for a caller who may list the bucket; anyone else gets 403
 * AccessDenied, so a public website without s3:ListBucket answers 403 for pages it does not have.
 */
async function missingObjectError(site: WebsiteRequest, key: string): Promise<AwsError> {
  const listCtx = { ...site.ctx, operation: 'ListObjectsV2' };
  try {
    await authorizeAs(site.env, listCtx, { Bucket: site.bucket.name });
  } catch (err) {
    if (err instanceof AwsError && err.status === 403) return err;
    throw err;
  }
  return noSuchKey(key);
}

/** GetObject/HeadObject through objects/'s handlers, serialized as the API would (the body streams). */
async function readObject(site: WebsiteRequest, key: string, method: 'GET' | 'HEAD', status?: number): Promise<RawResponse> {
  const input = readInput(site.req, site.bucket.name, key, status === undefined);
  const operationName = method === 'GET' ? 'GetObject' : 'HeadObject';
  const ctx = { ...site.ctx, operation: operationName };
  const output = method === 'GET' ? await getHandlers.GetObject(input, ctx) : await getHandlers.HeadObject(input, ctx);
  const model = loadServiceModel('s3');
  const codec = site.env.service.codec ?? codecFor('rest-xml');
  const response = codec.serializeOutput(output as Record<string, unknown>, model, model.operations[operationName]!, {
    requestId: site.env.requestId,
    now: site.env.deps.clock.now(),
  });
  return status === undefined ? response : { ...response, status };
}

/** The GetObject input of a website read: conditional and range headers apply to the page, not to an error document. */
function readInput(req: RawRequest, bucket: string, key: string, withConditions: boolean): GetObjectRequest {
  const input: GetObjectRequest = { Bucket: bucket, Key: key };
  if (!withConditions) return input;
  const h = req.headers;
  if (h['if-match'] !== undefined) input.IfMatch = h['if-match'];
  if (h['if-none-match'] !== undefined) input.IfNoneMatch = h['if-none-match'];
  const modifiedSince = httpDateHeader(h['if-modified-since']);
  if (modifiedSince) input.IfModifiedSince = modifiedSince;
  const unmodifiedSince = httpDateHeader(h['if-unmodified-since']);
  if (unmodifiedSince) input.IfUnmodifiedSince = unmodifiedSince;
  if (h.range !== undefined) input.Range = h.range;
  return input;
}

function httpDateHeader(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * An error's answer: a routing rule naming its status redirects; a 304 is bare; a 4xx serves the
 * custom error document with the error's status (or the HTML page, saying why the document
 * could not be served); anything else is the HTML page.
 */
async function answerError(site: WebsiteRequest, key: string, error: AwsError): Promise<RawResponse> {
  const { requestId } = site.env;
  if (error.status === 304) return { status: 304, headers: { ...requestIdHeaders(requestId), ...error.headers }, body: '' };
  const rule = matchRoutingRule(site.config, key, error.status);
  if (rule) return redirectResponse(redirectFor(rule, key, site.address), requestId);
  const documentKey = site.config.ErrorDocument?.Key;
  if (!documentKey || error.status < 400 || error.status >= 500) return websiteErrorResponse(error, requestId, site.method);
  try {
    await authorizeAs(site.env, site.ctx, { Bucket: site.bucket.name, Key: documentKey });
    const version = await loadObjectVersion(site.ctx, site.bucket.name, documentKey);
    if (!version || version.isDeleteMarker) throw await missingObjectError(site, documentKey);
    return await readObject(site, documentKey, site.method, error.status);
  } catch (err) {
    const documentError = toAwsError(err).error;
    return websiteErrorResponse(error, requestId, site.method, documentError);
  }
}
