/** Shared fixtures for the SigV4 tests: raw requests and a credential resolver stub. */
import type { RawRequest } from '../../../src/core/http.ts';
import type { CredentialResolver, ResolvedCredential } from '../../../src/core/principal.ts';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { AuthFailure, type VerifyOptions } from '../../../src/auth/sigv4/types.ts';
import { AwsError } from '../../../src/core/errors.ts';
import { authError } from '../../../src/auth/errors.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';

export function rawRequest(p: { method: string; target: string; headers: Record<string, string>; body?: Buffer | string }): RawRequest {
  const q = p.target.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers)) headers[k.toLowerCase()] = v;
  return {
    method: p.method,
    target: p.target,
    path: q < 0 ? p.target : p.target.slice(0, q),
    query: q < 0 ? '' : p.target.slice(q + 1),
    headers,
    body: typeof p.body === 'string' ? Buffer.from(p.body) : (p.body ?? Buffer.alloc(0)),
    remoteAddress: '127.0.0.1',
    secure: false,
  };
}

export interface KeyEntry {
  secret: string;
  sessionToken?: string;
}

export function credentialFor(accessKeyId: string, entry: KeyEntry): ResolvedCredential {
  return {
    secretAccessKey: entry.secret,
    sessionToken: entry.sessionToken,
    principal: { type: 'user', accountId: '123456789012', arn: `arn:aws:iam::123456789012:user/${accessKeyId}`, userId: 'AIDA' + accessKeyId, name: accessKeyId, accessKeyId },
  };
}

/** Resolves the given keys; records the (key, token) pairs it was asked about. */
export function stubResolver(keys: Record<string, KeyEntry>): CredentialResolver & { calls: Array<[string, string | undefined]> } {
  const calls: Array<[string, string | undefined]> = [];
  return {
    calls,
    async resolve(accessKeyId, token) {
      calls.push([accessKeyId, token]);
      const entry = keys[accessKeyId];
      return entry ? credentialFor(accessKeyId, entry) : undefined;
    },
  };
}

export function options(keys: Record<string, KeyEntry>, nowIso: string, s3: boolean, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { resolver: stubResolver(keys), nowMs: Date.parse(nowIso), s3, ...extra };
}

/** Awaits a promise that must reject with an AuthFailure and returns it. */
export async function failureOf(p: Promise<unknown>): Promise<AuthFailure> {
  try {
    await p;
  } catch (err) {
    const { AuthFailure } = await import('../../../src/auth/sigv4/types.ts');
    if (err instanceof AuthFailure) return err;
    throw err;
  }
  throw new Error('expected an AuthFailure, the request verified');
}

export const S3_DOC_KEY = { AKIAIOSFODNN7EXAMPLE: { secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } };
export const IAM_DOC_KEY = { AKIDEXAMPLE: { secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } };

import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/node-sha256.ts';

export { NodeSha256 };

export interface SmithySignInput {
  service: string;
  region?: string;
  accessKeyId: string;
  secret: string;
  sessionToken?: string;
  method: string;
  path: string;
  /** Already on the wire: name=value pairs, encoded; the signer gets them decoded. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Buffer;
  signingDate: Date;
  presignExpiresIn?: number;
  s3: boolean;
}

/** Signs with @smithy/signature-v4 (the SDK v3 signer) and returns the request as it would arrive. */
export async function signWithSmithy(p: SmithySignInput): Promise<RawRequest> {
  const signer = new SignatureV4({
    service: p.service,
    region: p.region ?? 'us-east-1',
    credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secret, sessionToken: p.sessionToken },
    sha256: NodeSha256,
    uriEscapePath: !p.s3,
    applyChecksum: false,
  });
  const request = {
    method: p.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: p.path,
    query: { ...(p.query ?? {}) },
    headers: { host: '127.0.0.1:4566', ...p.headers },
    body: p.body === undefined || p.body.length === 0 ? undefined : p.body,
  };
  const signed =
    p.presignExpiresIn !== undefined
      ? await signer.presign(request, { signingDate: p.signingDate, expiresIn: p.presignExpiresIn })
      : await signer.sign(request, { signingDate: p.signingDate });
  const query = Object.entries(signed.query as Record<string, string>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return rawRequest({
    method: signed.method,
    target: query ? `${signed.path}?${query}` : signed.path,
    headers: signed.headers as Record<string, string>,
    body: p.body,
  });
}

/**
 * AWS's S3 "multiple chunks" example (Signature Calculations for the Authorization Header:
 * Transferring Payload in Multiple Chunks): 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk.
 */
const S3_CRED = 'Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';

export function streamingBody(signatures: [string, string, string], corruptSecondChunk = false): Buffer {
  const second = Buffer.alloc(1024, 'a');
  if (corruptSecondChunk) second[10] = 0x62;
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    Buffer.alloc(65536, 'a'),
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    second,
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n\r\n`),
  ]);
}

export const DOC_CHUNK_SIGNATURES: [string, string, string] = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];

export function streamingRequest(body: Buffer) {
  return rawRequest({
    method: 'PUT',
    target: '/examplebucket/chunkObject.txt',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
      authorization: `AWS4-HMAC-SHA256 ${S3_CRED},SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9`,
    },
    body,
  });
}


/** The time of AWS's S3 streaming examples. */
export const DOC_NOW = '2013-05-24T00:00:00Z';

/** An AuthFailure rendered as S3 renders it. */
export const toS3Error = (f: AuthFailure): AwsError => authError('s3', f, {});

/** The error the buffered path gives for a request, rendered as S3 renders it. */
export async function bufferedS3Error(req: RawRequest, keys: Record<string, KeyEntry> = S3_DOC_KEY, now = DOC_NOW): Promise<AwsError> {
  try {
    await verifySigV4(req, options(keys, now, true));
  } catch (err) {
    if (err instanceof AuthFailure) return toS3Error(err);
    throw err;
  }
  throw new Error('expected the buffered request to fail');
}

/** Two errors agree on code, status, message and fields. */
export function assertSameError(actual: unknown, expected: AwsError): void {
  assert.ok(actual instanceof AwsError, `expected an AwsError, got ${String(actual)}`);
  assert.deepEqual(
    { code: actual.code, status: actual.status, message: actual.message, fields: actual.fields },
    { code: expected.code, status: expected.status, message: expected.message, fields: expected.fields },
  );
}

/** The key and times of the SDK-shaped streaming tests (trailers, whole and streamed bodies). */
export const STREAMING_AKID = 'AKIASTREAMING000001';
export const STREAMING_SECRET = 'streaming/secret';
export const STREAMING_KEYS = { [STREAMING_AKID]: { secret: STREAMING_SECRET } };
export const STREAMING_SIGNED_AT = new Date('2024-06-01T12:00:00Z');
export const STREAMING_NOW = '2024-06-01T12:01:00Z';

/** A CRC32 as checksum headers and trailers carry it: 4 big-endian bytes in base64. */
export function crc32Base64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data) >>> 0);
  return b.toString('base64');
}

/** Reads a stream to its end. */
export async function readAll(stream: import('node:stream').Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Reads a stream that must fail; returns its error. */
export async function streamError(stream: import('node:stream').Readable): Promise<unknown> {
  try {
    await readAll(stream);
  } catch (err) {
    return err;
  }
  throw new Error('expected the body stream to fail; it ended');
}

/**
 * AWS's S3 PUT Object example ("Example: PUT Object", SigV4 header signing): test$file.text with
 * Date and the storage class signed and the body's SHA-256 declared; `body` as given.
 */
export function s3PutObjectExample(body?: string | Buffer): RawRequest {
  return rawRequest({
    method: 'PUT',
    target: '/test$file.text',
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      date: 'Fri, 24 May 2013 00:00:00 GMT',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    },
    body,
  });
}
