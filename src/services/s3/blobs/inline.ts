/**
 * Inline blobs: a body of at most INLINE_MAX_BYTES gets no file. Its blob id carries the sealed
 * bytes instead, in the file format of format.ts (header, then one last segment with its tag):
 *
 *   i1.<32 hex: the blob's random id>.<base64url of header | ciphertext | tag>
 *
 * The id goes into the metadata row that references it, so the bytes are committed (and fsynced)
 * in the same store transaction as the object or part: no temporary file, no fsync of a file and
 * its directory, no rename, and reading it back needs no disk access at all. The plaintext is
 * never stored: the segment is AES-256-GCM under the caller's key with the 32-hex id in its
 * authenticated data, exactly as a file's, so a wrong key, an altered id (either part) or another
 * blob's data errors the read.
 *
 * The id is opaque to callers (objects, multipart, lifecycle keep it in TEXT/JSON columns).
 * It is ~5.5 KB at the 4 KiB limit, which bounds what a listing reads per row.
 */
import { BlobIntegrityError } from './errors.ts';
import { randomBytes } from 'node:crypto';
import { DEFAULT_SEGMENT_BYTES, newHeader, NONCE_PREFIX_BYTES, sealSegment, segmentContext } from './format.ts';

/** Bodies of this many plaintext bytes or fewer are inlined (kept small: listings read these rows). */
export const INLINE_MAX_BYTES = 4 * 1024;

const INLINE_PREFIX = 'i1.';
const INLINE_ID = /^i1\.([0-9a-f]{32})\.([A-Za-z0-9_-]+)$/;

export function isInlineBlobId(blobId: string): boolean {
  return blobId.startsWith(INLINE_PREFIX);
}

/** Seals `plaintext` (at most one segment) into a new inline blob id. */
export function sealInlineBlob(key: Buffer, plaintext: Buffer): string {
  if (plaintext.length >= DEFAULT_SEGMENT_BYTES) throw new RangeError('an inline blob holds less than one segment');
  // One draw of randomness for both the id (16 bytes) and the nonce prefix (8): each draw is a call into OpenSSL.
  const random = randomBytes(16 + NONCE_PREFIX_BYTES);
  const id = random.toString('hex', 0, 16);
  const header = newHeader(DEFAULT_SEGMENT_BYTES, random.subarray(16));
  const [ciphertext, tag] = sealSegment(segmentContext(key, id, header), 0, true, plaintext);
  return `${INLINE_PREFIX}${id}.${Buffer.concat([header, ciphertext, tag]).toString('base64url')}`;
}

/**
 * The random id (what the segments' authenticated data names, and what errors report) and the
 * sealed bytes an inline blob id carries. The sealed bytes are checked by decrypting them.
 */
export function unpackInlineBlob(blobId: string): { id: string; sealed: Buffer } {
  const match = INLINE_ID.exec(blobId);
  if (!match) throw new BlobIntegrityError(blobId.slice(0, 40), 'not an inline blob id');
  const [, id, encoded] = match as unknown as [string, string, string];
  const sealed = Buffer.from(encoded, 'base64url');
  // Node's decoder ignores stray trailing bits; an id that does not re-encode to itself was altered.
  if (sealed.toString('base64url') !== encoded) throw new BlobIntegrityError(id, 'the inline data is not canonical base64url');
  return { id, sealed };
}
