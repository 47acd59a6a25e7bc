/**
 * Which AES key encrypts an object's blobs: the bucket's data key (SSE-S3, the default) or the
 * key the customer sends with each request (SSE-C, of which only the MD5 is kept). SSE-C
 * requests are checked as S3 checks them: all three headers, AES256, a 32-byte key, a matching MD5.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../../core/context.ts';
import { blobStoreFor } from '../blobs/index.ts';
import { openDataKey } from '../blobs/data-keys.ts';
import type { BlobStore } from '../blobs/types.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { accessDenied, invalidArgument, invalidRequest } from './errors.ts';
import type { ObjectEncryption, ObjectVersion } from './record.ts';

export function blobStoreOf(ctx: RequestContext): BlobStore {
  return blobStoreFor(ctx.dataDir);
}

/**
 * Opened data keys, per master key (SecretBox) and sealed value. Unsealing is an AES-GCM open on
 * every read and write otherwise, a measurable share of a small GetObject's CPU. A sealed value
 * names its key for good (a bucket's data key never changes), so an entry can never be stale;
 * the bound only keeps a process with very many buckets from holding them all.
 */
const openedDataKeys = new WeakMap<RequestContext['secrets'], Map<string, Buffer>>();
const MAX_CACHED_DATA_KEYS = 1024;

export async function bucketDataKey(ctx: RequestContext, bucket: BucketRecord): Promise<Buffer> {
  let cache = openedDataKeys.get(ctx.secrets);
  if (!cache) openedDataKeys.set(ctx.secrets, (cache = new Map()));
  const cached = cache.get(bucket.sealedDataKey);
  if (cached) return cached;
  const key = openDataKey(ctx.secrets, bucket.sealedDataKey);
  if (cache.size >= MAX_CACHED_DATA_KEYS) cache.clear();
  cache.set(bucket.sealedDataKey, key);
  return key;
}

export interface CustomerKey {
  key: Buffer;
  /** Base64 MD5 of the key, as the x-amz-server-side-encryption-customer-key-MD5 header carries it. */
  md5: string;
}

export interface CustomerKeyHeaders {
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
}

/** The SSE-C key a request carries (undefined when it carries none), checked as S3 does. */
export function customerKeyFrom(input: CustomerKeyHeaders): CustomerKey | undefined {
  const { SSECustomerAlgorithm: algorithm, SSECustomerKey: keyText, SSECustomerKeyMD5: md5 } = input;
  if (algorithm === undefined && keyText === undefined && md5 === undefined) return undefined;
  if (algorithm === undefined) {
    throw invalidArgument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.',
      'x-amz-server-side-encryption',
      'null',
    );
  }
  if (algorithm !== 'AES256') throw invalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', algorithm);
  if (keyText === undefined) {
    throw invalidArgument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
      'x-amz-server-side-encryption',
      'null',
    );
  }
  const key = Buffer.from(keyText, 'base64');
  if (key.length !== 32) throw invalidArgument('The secret key was invalid for the specified algorithm.', 'x-amz-server-side-encryption', 'null');
  const actualMd5 = createHash('md5').update(key).digest('base64');
  if (md5 === undefined) {
    throw invalidArgument(
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
      'x-amz-server-side-encryption',
      'null',
    );
  }
  if (md5 !== actualMd5) {
    throw invalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', 'x-amz-server-side-encryption', 'null');
  }
  return { key, md5 };
}

/** The key new blobs are written with, and how the version records it. */
export async function keyForWrite(
  ctx: RequestContext,
  bucket: BucketRecord,
  customer: CustomerKey | undefined,
): Promise<{ key: Buffer; encryption: ObjectEncryption }> {
  if (customer) return { key: customer.key, encryption: { kind: 'SSE-C', customerKeyMd5: customer.md5 } };
  return { key: await bucketDataKey(ctx, bucket), encryption: { kind: 'SSE-S3' } };
}

/**
 * The key to read a version's blobs with. An SSE-C object needs the same customer key (none:
 * InvalidRequest; another: 403); an SSE-S3 object refuses customer keys.
 */
export async function keyForRead(
  ctx: RequestContext,
  bucket: BucketRecord,
  version: ObjectVersion,
  customer: CustomerKey | undefined,
): Promise<Buffer> {
  if (version.encryption.kind === 'SSE-C') {
    if (!customer) {
      throw invalidRequest('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
    }
    if (customer.md5 !== version.encryption.customerKeyMd5) throw accessDenied();
    return customer.key;
  }
  if (customer) throw invalidRequest('The encryption parameters are not applicable to this object.');
  return bucketDataKey(ctx, bucket);
}

/** The response headers that describe a version's encryption (Put, Get, Head, Copy). */
export function encryptionOutput(encryption: ObjectEncryption): {
  ServerSideEncryption?: 'AES256';
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
} {
  if (encryption.kind === 'SSE-C') return { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: encryption.customerKeyMd5 };
  return { ServerSideEncryption: 'AES256' };
}
