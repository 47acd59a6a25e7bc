/**
 * Which S3 requests take their body as a stream rather than buffered (ServiceDefinition
 * .streamsRequestBody): PUT on an object key without a subresource. That is PutObject and
 * UploadPart (bodies up to 5 GiB) and CopyObject/UploadPartCopy (whose empty body the pipeline
 * then reads whole, as their operations have no streaming payload).
 */
import { parseQueryPairs, type RawRequest } from '../../core/http.ts';

/** Query parameters that leave a PUT on a key an upload: UploadPart's, and SDK v3's routing hint. */
const UPLOAD_PARAMETERS = new Set(['partNumber', 'uploadId', 'x-id']);

/**
 * `req.path` is the routing path, already path style ("/bucket/key…"). Presigned URLs carry their
 * signature (and hoisted x-amz-* headers) in the query: those are not subresources. Any other
 * parameter (?acl, ?tagging, ?retention, ?legal-hold, …) names a subresource whose small XML
 * body is buffered.
 */
export function s3StreamsRequestBody(req: RawRequest): boolean {
  if (req.method !== 'PUT') return false;
  const slash = req.path.indexOf('/', 1);
  if (slash < 0 || slash === req.path.length - 1) return false; // no key: a bucket-level PUT
  for (const [name] of parseQueryPairs(req.query)) {
    if (UPLOAD_PARAMETERS.has(name)) continue;
    if (name.toLowerCase().startsWith('x-amz-')) continue;
    return false;
  }
  return true;
}
