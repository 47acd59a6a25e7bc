/**
 * Browser POST uploads (S3 API Reference, "PostObject" and "Browser-Based Uploads Using POST"):
 * POST /bucket with a multipart/form-data body. In S3's order: the enclosure type, the bucket,
 * the form (fields before the file), the file and key fields, who signed the policy
 * (post-auth.ts), the policy (post-policy.ts), then authorization as s3:PutObject for that
 * principal through the normal authorizer (s3:authType is "POST"), and the write itself through
 * objects/'s PutObject, the file streaming into the blob store. content-length-range is judged
 * as the file passes, and the upload is committed only once the whole form was read well formed.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '../../../core/errors.ts';
import { splitTarget, type RawRequest, type RawResponse } from '../../../core/http.ts';
import type { PutObjectRequest } from '../../../generated/s3/types.ts';
import { loadServiceModel } from '../../../generated/load-model.ts';
import type { AuthzTarget, OperationAuthz, ServiceAuthz } from '../../../iam/authz/types.ts';
import { codecFor } from '../../../protocols/index.ts';
import { decodeXmlEntities, malformedXml } from '../../../protocols/rest-xml.ts';
import { escapeXmlText } from '../../../protocols/xml-writer.ts';
import type { OutsideApiEnv, ServiceDefinition } from '../../types.ts';
import { findBucket, noSuchBucket } from '../buckets/record.ts';
import { putHandlers } from '../objects/put.ts';
import { authorizeAs, outsideApiContext } from './context.ts';
import { authenticatePostForm, missingField } from './post-auth.ts';
import { isMultipartForm, notMultipartForm, readPostForm, type PostForm } from './post-form.ts';
import { checkContentLength, checkPostPolicy, parsePostPolicy, type LengthRange } from './post-policy.ts';

const MAX_KEY_BYTES = 1024;

/** S3 Object Lambda's WriteGetObjectResponse is a POST on this path (no bucket can have the name). */
const WRITE_GET_OBJECT_RESPONSE = 'WriteGetObjectResponse';

/** Whether a request is a browser POST upload: POST on a bucket (path style "/bucket"), no query. */
export function isPostUpload(req: RawRequest, bucket: string | undefined, key: string | undefined): boolean {
  if (req.method !== 'POST' || req.query !== '' || !bucket || bucket === WRITE_GET_OBJECT_RESPONSE) return false;
  return key === undefined || key === '';
}

function noFile(): AwsError {
  return new AwsError('InvalidArgument', 'POST requires exactly one file upload per request.', {
    status: 400,
    fields: { ArgumentName: 'file', ArgumentValue: 0 },
  });
}

function checkKey(key: string | undefined): string {
  if (key === undefined) throw missingField('key');
  if (key === '') {
    throw new AwsError('InvalidArgument', 'User key must have a length greater than 0.', { status: 400, fields: { ArgumentName: 'key', ArgumentValue: '' } });
  }
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) throw new AwsError('KeyTooLongError', 'Your key is too long', { status: 400, fields: { Size: size, MaxSizeAllowed: MAX_KEY_BYTES } });
  return key;
}

/** Fields by lower-cased name (the first of a repeated name), ${filename} replaced in every value. */
function fieldMap(form: PostForm): Map<string, string> {
  const filename = form.file?.filename ?? '';
  const map = new Map<string, string>();
  for (const [name, value] of form.fields) {
    const lower = name.toLowerCase();
    if (!map.has(lower)) map.set(lower, value.split('${filename}').join(filename));
  }
  return map;
}

/** The `tagging` field's <Tagging> document as PutObject's x-amz-tagging query string. */
export function taggingQueryOf(xml: string): string {
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?<Tagging>\s*<TagSet>([\s\S]*)<\/TagSet>\s*<\/Tagging>\s*$/.exec(xml);
  if (!m) throw malformedXml();
  const pairs: string[] = [];
  const tags = m[1]!.trim();
  const tagPattern = /<Tag>\s*<Key>([^<]*)<\/Key>\s*<Value>([^<]*)<\/Value>\s*<\/Tag>\s*/y;
  let rest = tags.length;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(tags))) {
    pairs.push(`${encodeURIComponent(decodeXmlEntities(match[1]!))}=${encodeURIComponent(decodeXmlEntities(match[2]!))}`);
    rest = tags.length - tagPattern.lastIndex;
  }
  if (tags.length > 0 && rest !== 0) throw malformedXml();
  return pairs.join('&');
}

/** PutObject's input from the form fields (names lower-cased). */
function putObjectInput(bucket: string, key: string, fields: ReadonlyMap<string, string>, body: Readable): PutObjectRequest {
  const input: PutObjectRequest = { Bucket: bucket, Key: key, Body: body as unknown as Buffer };
  const copy = (field: string, set: (value: string) => void) => {
    const value = fields.get(field);
    if (value !== undefined) set(value);
  };
  copy('content-type', (v) => (input.ContentType = v));
  copy('cache-control', (v) => (input.CacheControl = v));
  copy('content-disposition', (v) => (input.ContentDisposition = v));
  copy('content-encoding', (v) => (input.ContentEncoding = v));
  copy('expires', (v) => (input.Expires = v));
  copy('acl', (v) => (input.ACL = v as PutObjectRequest['ACL']));
  copy('x-amz-storage-class', (v) => (input.StorageClass = v as PutObjectRequest['StorageClass']));
  copy('x-amz-website-redirect-location', (v) => (input.WebsiteRedirectLocation = v));
  copy('x-amz-server-side-encryption', (v) => (input.ServerSideEncryption = v as PutObjectRequest['ServerSideEncryption']));
  copy('x-amz-server-side-encryption-customer-algorithm', (v) => (input.SSECustomerAlgorithm = v));
  copy('x-amz-server-side-encryption-customer-key', (v) => (input.SSECustomerKey = v));
  copy('x-amz-server-side-encryption-customer-key-md5', (v) => (input.SSECustomerKeyMD5 = v));
  copy('x-amz-checksum-algorithm', (v) => (input.ChecksumAlgorithm = v.toUpperCase() as PutObjectRequest['ChecksumAlgorithm']));
  copy('x-amz-checksum-crc32', (v) => (input.ChecksumCRC32 = v));
  copy('x-amz-checksum-crc32c', (v) => (input.ChecksumCRC32C = v));
  copy('x-amz-checksum-crc64nvme', (v) => (input.ChecksumCRC64NVME = v));
  copy('x-amz-checksum-sha1', (v) => (input.ChecksumSHA1 = v));
  copy('x-amz-checksum-sha256', (v) => (input.ChecksumSHA256 = v));
  copy('tagging', (v) => (input.Tagging = taggingQueryOf(v)));
  const metadata: Record<string, string> = {};
  for (const [name, value] of fields) if (name.startsWith('x-amz-meta-')) metadata[name.slice('x-amz-meta-'.length)] = value;
  if (Object.keys(metadata).length > 0) input.Metadata = metadata;
  return input;
}

/**
 * Passes the file through, counting its bytes: past the range's maximum nothing more is passed
 * on (the upload is refused at the end, with the full size); at the end the range is judged and
 * the rest of the form must have been well formed, before the blob store sees the end.
 */
function fileGate(range: LengthRange | undefined, formFinished: Promise<void>): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      size += chunk.length;
      if (range && size > range.max) return callback();
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      formFinished.then(
        () => {
          try {
            checkContentLength(range, size);
            callback();
          } catch (err) {
            callback(err as Error);
          }
        },
        (err: unknown) => callback(err as Error),
      );
    },
  });
}

/** The authorization table with PutObject's s3:authType as "POST" (S3: the request was a form upload). */
function postAuthz(service: ServiceDefinition): ServiceDefinition {
  const authz = service.authz;
  const putObject = authz?.operations.PutObject;
  if (!authz || !putObject || putObject === 'none') return service;
  const asPost: OperationAuthz = async (call) => {
    const targets: AuthzTarget[] = await putObject(call);
    return targets.map((t) => (t.context && 's3:authType' in t.context ? { ...t, context: { ...t.context, 's3:authType': 'POST' } } : t));
  };
  const operations = { ...authz.operations, PutObject: asPost };
  return { ...service, authz: { ...authz, operations } as ServiceAuthz };
}

/** Location of the new object: virtual-hosted requests name the bucket in the host, others in the path. */
function objectLocation(req: RawRequest, bucket: string, key: string): string {
  const protocol = req.secure ? 'https' : 'http';
  const virtualHosted = splitTarget(req.target).path !== req.path;
  return `${protocol}://${req.headers.host ?? ''}${virtualHosted ? '' : `/${bucket}`}/${encodeURIComponent(key)}`;
}

function successRedirect(fields: ReadonlyMap<string, string>): URL | undefined {
  const text = fields.get('success_action_redirect') ?? fields.get('redirect');
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

const SUCCESS_STATUSES = new Set([200, 201, 204]);

function postResponseXml(location: string, bucket: string, key: string, etag: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
    `<Location>${escapeXmlText(location)}</Location><Bucket>${escapeXmlText(bucket)}</Bucket>` +
    `<Key>${escapeXmlText(key)}</Key><ETag>${escapeXmlText(etag)}</ETag></PostResponse>`
  );
}

/** Answers a browser POST upload to `bucketName`; throws S3's AwsError when it is refused. */
export async function servePostUpload(req: RawRequest, env: OutsideApiEnv, bucketName: string): Promise<RawResponse> {
  if (!isMultipartForm(req.headers['content-type'])) throw notMultipartForm();
  const bucket = await findBucket(env.deps.store, bucketName);
  if (!bucket) throw noSuchBucket(bucketName);

  const form = await readPostForm(req.bodyStream ?? Readable.from([req.body]), req.headers);
  if (!form.file) throw noFile();
  const fields = fieldMap(form);
  const key = checkKey(fields.get('key'));

  const signer = await authenticatePostForm(fields, bucket.region, env.deps);
  const policyText = fields.get('policy');
  const policy = policyText !== undefined ? parsePostPolicy(policyText) : undefined;
  if (policy) checkPostPolicy(policy, fields, bucket.name, env.deps.wallClockMs?.() ?? Date.now());

  const region = signer.region ?? bucket.region;
  // PutObject reads the upload's declared size from Content-Length: the form's bounds the file's.
  const uploadRequest: RawRequest = { ...req, headers: { host: req.headers.host ?? '', 'content-length': req.headers['content-length'] ?? '0' } };
  const ctx = outsideApiContext(uploadRequest, env, { operation: 'PutObject', principal: signer.principal, region });
  const body = form.file.stream.pipe(fileGate(policy?.lengthRange, form.finished));
  form.file.stream.on('error', (err) => body.destroy(err));
  const input = putObjectInput(bucket.name, key, fields, body);
  await authorizeAs({ ...env, service: postAuthz(env.service) }, ctx, input as unknown as Record<string, unknown>);
  const output = await putHandlers.PutObject(input, ctx);

  const model = loadServiceModel('s3');
  const codec = env.service.codec ?? codecFor('rest-xml');
  const written = codec.serializeOutput(output as Record<string, unknown>, model, model.operations.PutObject!, { requestId: env.requestId, now: env.deps.clock.now() });
  const location = objectLocation(req, bucket.name, key);
  const etag = output.ETag ?? '';
  const redirect = successRedirect(fields);
  if (redirect) {
    const result = `bucket=${encodeURIComponent(bucket.name)}&key=${encodeURIComponent(key)}&etag=${encodeURIComponent(etag)}`;
    const target = redirect.href + (redirect.search ? '&' : '?') + result;
    return { status: 303, headers: { ...written.headers, Location: target }, body: '' };
  }
  const requested = Number(fields.get('success_action_status'));
  const status = SUCCESS_STATUSES.has(requested) ? requested : 204;
  const headers = { ...written.headers, Location: location };
  if (status === 201) return { status, headers: { ...headers, 'Content-Type': 'application/xml' }, body: postResponseXml(location, bucket.name, key, etag) };
  return { status, headers, body: '' };
}
