/**
 * S3's requests that are not API operations (ServiceDefinition.serveOutsideApi), looked at before
 * authentication with the path in path style:
 *   - OPTIONS: a CORS preflight (cors.ts), answered without authentication;
 *   - a website-endpoint Host: the static website (website.ts);
 *   - POST /bucket without a query: a browser POST upload (post-upload.ts);
 *   - any other request with an Origin header: the API answers, and the bucket's matching CORS
 *     rule adds its Access-Control-* headers to that answer, success or error.
 */
import { toAwsError } from '../../../core/errors.ts';
import type { RawRequest, RawResponse } from '../../../core/http.ts';
import { loadServiceModel } from '../../../generated/load-model.ts';
import { codecFor } from '../../../protocols/index.ts';
import type { OutsideApiEnv, OutsideApiOutcome } from '../../types.ts';
import { findBucketCached } from '../buckets/record.ts';
import { actualRequestCorsHeaders, judgePreflight } from './cors.ts';
import { isPostUpload, servePostUpload } from './post-upload.ts';
import { serveWebsite, websiteBucketOfHost } from './website.ts';
import { requestIdHeaders } from './website-pages.ts';

/** "/bucket/a/b" → bucket "bucket", key "a/b"; "/bucket" → key undefined; "/" → neither. */
export function bucketAndKey(path: string): { bucket?: string; key?: string } {
  const rest = path.startsWith('/') ? path.slice(1) : path;
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (slash < 0) return { bucket: decode(rest) };
  return { bucket: decode(rest.slice(0, slash)), key: decode(rest.slice(slash + 1)) };
}

export async function serveS3OutsideApi(req: RawRequest, env: OutsideApiEnv): Promise<OutsideApiOutcome> {
  if (req.method === 'OPTIONS') {
    const { bucket: bucketName, key } = bucketAndKey(req.path);
    return { response: await preflight(req, env, bucketName, key) };
  }
  const websiteBucket = websiteBucketOfHost(req.headers.host);
  if (websiteBucket !== undefined) return { response: await withCors(req, env, websiteBucket, await serveWebsite(req, env, websiteBucket)) };
  // Most requests are API calls from SDKs and tools: no POST upload, no Origin, nothing to add.
  if (req.method !== 'POST' && !req.headers.origin) return undefined;
  const { bucket: bucketName, key } = bucketAndKey(req.path);
  if (isPostUpload(req, bucketName, key)) return { response: await withCors(req, env, bucketName!, await postUpload(req, env, bucketName!)) };
  if (req.headers.origin && bucketName) {
    const bucket = await findBucketCached(env.deps.store, bucketName);
    const headers = bucket && actualRequestCorsHeaders(req.headers, req.method, bucket);
    if (headers) return { responseHeaders: headers };
  }
  return undefined;
}

async function preflight(req: RawRequest, env: OutsideApiEnv, bucketName: string | undefined, key: string | undefined): Promise<RawResponse> {
  const bucket = bucketName ? await findBucketCached(env.deps.store, bucketName) : undefined;
  const headers = judgePreflight(req.headers, bucket, key);
  return { status: 200, headers: { ...requestIdHeaders(env.requestId), ...headers, 'Content-Length': '0' }, body: '' };
}

/** A POST upload's answer; its errors are rendered here so the CORS headers reach them too. */
async function postUpload(req: RawRequest, env: OutsideApiEnv, bucketName: string): Promise<RawResponse> {
  try {
    return await servePostUpload(req, env, bucketName);
  } catch (err) {
    const { error, unexpected } = toAwsError(err);
    if (unexpected) env.deps.log.error({ err, requestId: env.requestId }, 'unexpected error in an S3 POST upload');
    const codec = env.service.codec ?? codecFor('rest-xml');
    return codec.serializeError(error, loadServiceModel('s3'), undefined, { requestId: env.requestId, now: env.deps.clock.now() });
  }
}

/** Adds the bucket's CORS headers for this request's Origin and method, when a rule matches. */
async function withCors(req: RawRequest, env: OutsideApiEnv, bucketName: string, response: RawResponse): Promise<RawResponse> {
  if (!req.headers.origin) return response;
  const bucket = await findBucketCached(env.deps.store, bucketName);
  const headers = bucket && actualRequestCorsHeaders(req.headers, req.method, bucket);
  return headers ? { ...response, headers: { ...response.headers, ...headers } } : response;
}
