/**
 * The blob file format (version 1): a header, then the plaintext cut into fixed-size segments,
 * each sealed on its own with AES-256-GCM so a ranged read decrypts only the segments it touches.
 *
 *   header   magic "BS3B" | version u8 = 1 | 3 zero bytes | segment size u32 BE | nonce prefix (8 random bytes)
 *   segment  ciphertext (segment size bytes, fewer for the last) | 16-byte GCM tag
 *
 * Segment i's nonce is the blob's nonce prefix followed by i (u32 BE): unique per segment, and
 * with 64 random bits per blob, unique across the blobs that share a bucket's key. Its additional
 * authenticated data is the header, the blob id, i and a last-segment flag, so segments cannot be
 * moved between positions or blobs, and a file cut short at a segment boundary does not
 * authenticate. The last segment is always shorter than the segment size (empty when the
 * plaintext fills whole segments), so the file's length alone says where each segment lies.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { BlobIntegrityError } from './errors.ts';

export const MAGIC = Buffer.from('BS3B', 'latin1');
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 20;
export const TAG_BYTES = 16;
export const NONCE_PREFIX_BYTES = 8;
export const KEY_BYTES = 32;
/** Plaintext bytes per segment in new blobs: a ranged read decrypts at most this much waste at each end. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024;
/** Readers accept any segment size in this span (the header carries it, so it can change later). */
const MIN_SEGMENT_BYTES = 1024;
const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;

/** Blob ids are 128 random bits in hex: the file name, so nothing else may pass for one. */
export const BLOB_ID_PATTERN = /^[0-9a-f]{32}$/;

export function newBlobId(): string {
  return randomBytes(16).toString('hex');
}

export function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new RangeError('a blob key must be 32 bytes');
}

/** What a blob's segments are sealed with: the key, the header and the blob's identity. */
export interface SegmentContext {
  key: Buffer;
  blobId: string;
  header: Buffer;
  segmentBytes: number;
  /** AAD template: header | blob id (16 bytes) | index u32 | last u8; the tail is rewritten per segment. */
  aad: Buffer;
  /** Nonce template: prefix | index u32. */
  nonce: Buffer;
}

/** A new blob's header; `noncePrefix` (8 random bytes) is drawn here unless the caller already has them. */
export function newHeader(segmentBytes: number, noncePrefix: Buffer = randomBytes(NONCE_PREFIX_BYTES)): Buffer {
  if (noncePrefix.length !== NONCE_PREFIX_BYTES) throw new RangeError('a nonce prefix is 8 bytes');
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt8(FORMAT_VERSION, 4);
  header.writeUInt32BE(segmentBytes, 8);
  noncePrefix.copy(header, 12);
  return header;
}

/** Checks a header read from disk and returns its segment size. */
export function parseHeader(blobId: string, header: Buffer): number {
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC)) throw new BlobIntegrityError(blobId, 'not a blob file');
  const version = header.readUInt8(4);
  if (version !== FORMAT_VERSION) throw new BlobIntegrityError(blobId, `unknown format version ${version}`);
  const segmentBytes = header.readUInt32BE(8);
  if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) throw new BlobIntegrityError(blobId, 'bad segment size');
  return segmentBytes;
}

export function segmentContext(key: Buffer, blobId: string, header: Buffer): SegmentContext {
  const aad = Buffer.alloc(HEADER_BYTES + 16 + 5);
  header.copy(aad, 0, 0, HEADER_BYTES);
  Buffer.from(blobId, 'hex').copy(aad, HEADER_BYTES);
  const nonce = Buffer.alloc(12);
  header.copy(nonce, 0, 12, 12 + NONCE_PREFIX_BYTES);
  return { key, blobId, header, segmentBytes: header.readUInt32BE(8), aad, nonce };
}

function prepare(ctx: SegmentContext, index: number, last: boolean): void {
  ctx.nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  ctx.aad.writeUInt32BE(index, HEADER_BYTES + 16);
  ctx.aad.writeUInt8(last ? 1 : 0, HEADER_BYTES + 20);
}

/** Seals one segment: [ciphertext, tag], kept apart so they can go to disk in one writev without a copy. */
export function sealSegment(ctx: SegmentContext, index: number, last: boolean, plaintext: Buffer): [Buffer, Buffer] {
  prepare(ctx, index, last);
  const cipher = createCipheriv('aes-256-gcm', ctx.key, ctx.nonce);
  cipher.setAAD(ctx.aad);
  const ciphertext = cipher.update(plaintext);
  cipher.final();
  return [ciphertext, cipher.getAuthTag()];
}

/** Opens one sealed segment (ciphertext followed by its tag); throws BlobIntegrityError when it does not authenticate. */
export function openSegment(ctx: SegmentContext, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_BYTES) throw new BlobIntegrityError(ctx.blobId, `segment ${index} is truncated`);
  prepare(ctx, index, last);
  const split = sealed.length - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', ctx.key, ctx.nonce);
  decipher.setAAD(ctx.aad);
  decipher.setAuthTag(sealed.subarray(split));
  const plaintext = decipher.update(sealed.subarray(0, split));
  try {
    decipher.final();
  } catch (err) {
    throw new BlobIntegrityError(ctx.blobId, `segment ${index} does not authenticate (wrong key or altered file)`, { cause: err });
  }
  return plaintext;
}

/** Where the segments lie, derived from the file's length. */
export interface Layout {
  segmentBytes: number;
  /** Plaintext length. */
  size: number;
  /** Index of the last segment (the only one shorter than segmentBytes). */
  lastIndex: number;
}

export function layoutOf(blobId: string, fileBytes: number, segmentBytes: number): Layout {
  const body = fileBytes - HEADER_BYTES;
  const sealedFull = segmentBytes + TAG_BYTES;
  const fullSegments = Math.floor(body / sealedFull);
  const lastSealed = body - fullSegments * sealedFull;
  // A well-formed file ends with a last segment of 0..segmentBytes-1 plaintext bytes plus its tag.
  if (body < TAG_BYTES || lastSealed < TAG_BYTES) throw new BlobIntegrityError(blobId, 'the file is truncated');
  return { segmentBytes, size: fullSegments * segmentBytes + lastSealed - TAG_BYTES, lastIndex: fullSegments };
}

/** File offset of segment i's ciphertext. */
export function segmentOffset(layout: Layout, index: number): number {
  return HEADER_BYTES + index * (layout.segmentBytes + TAG_BYTES);
}

/** Sealed length of segment i (ciphertext plus tag). */
export function sealedLength(layout: Layout, index: number): number {
  const plain = index < layout.lastIndex ? layout.segmentBytes : layout.size - layout.lastIndex * layout.segmentBytes;
  return plain + TAG_BYTES;
}
