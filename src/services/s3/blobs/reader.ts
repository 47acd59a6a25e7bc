/**
 * Reading blobs back: only the segments a range touches are read and opened, in batches of about
 * a MiB per read call, each segment authenticated before any of its plaintext is passed on. The
 * last segment is checked first when the range stops short of it, so a file cut short is caught
 * even by a read of its first byte. Errors (a missing file, a wrong key, an altered file) error
 * the stream; the caller maps them.
 *
 * Small blobs skip the batching: an inline blob (inline.ts) is decrypted from its id, and a file
 * of one segment is read whole in one call; both then follow the same checks in memory.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ByteRange } from './types.ts';
import { BlobIntegrityError } from './errors.ts';
import {
  assertKey,
  DEFAULT_SEGMENT_BYTES,
  HEADER_BYTES,
  layoutOf,
  openSegment,
  parseHeader,
  sealedLength,
  segmentContext,
  segmentOffset,
  TAG_BYTES,
  type Layout,
  type SegmentContext,
} from './format.ts';
import { isInlineBlobId, unpackInlineBlob } from './inline.ts';
import type { BlobPaths } from './paths.ts';

/** Sealed bytes fetched per read call. */
const READ_BATCH_BYTES = 1024 * 1024;
/** Plaintext buffered ahead of the consumer. */
const STREAM_HIGH_WATER_MARK = 1024 * 1024;

export interface BlobPiece {
  blobId: string;
  /** The plaintext size the caller's metadata records; checked against the file. */
  size?: number;
}

export function readBlob(paths: BlobPaths, blobId: string, key: Buffer, range?: ByteRange): Readable {
  return toStream(plaintextOf(paths, { blobId }, key, range));
}

export function readBlobsConcatenated(paths: BlobPaths, blobs: ReadonlyArray<{ blobId: string; size: number }>, key: Buffer, range?: ByteRange): Readable {
  return toStream(concatenatedPlaintext(paths, blobs, key, range));
}

function toStream(chunks: AsyncGenerator<Buffer>): Readable {
  return Readable.from(chunks, { objectMode: false, highWaterMark: STREAM_HIGH_WATER_MARK });
}

async function* concatenatedPlaintext(
  paths: BlobPaths,
  blobs: ReadonlyArray<{ blobId: string; size: number }>,
  key: Buffer,
  range?: ByteRange,
): AsyncGenerator<Buffer> {
  for (const { blob, local } of piecesInRange(blobs, range)) yield* plaintextOf(paths, blob, key, local);
}

/** The blobs a range of their concatenation touches, each with the range within it. */
function* piecesInRange<B extends { blobId: string; size: number }>(blobs: ReadonlyArray<B>, range?: ByteRange): Generator<{ blob: B; local: ByteRange }> {
  const total = blobs.reduce((sum, b) => sum + b.size, 0);
  const wanted = resolveRange(range, total);
  let blobStart = 0;
  for (const blob of blobs) {
    const blobEnd = blobStart + blob.size - 1;
    if (wanted && blob.size > 0 && blobEnd >= wanted.start && blobStart <= wanted.end) {
      yield { blob, local: { start: Math.max(wanted.start, blobStart) - blobStart, end: Math.min(wanted.end, blobEnd) - blobStart } };
    }
    blobStart += blob.size;
  }
}

/**
 * readBlobsConcatenated's bytes as one buffer, computed synchronously, when every blob is inline
 * (undefined otherwise, for the caller to stream instead). The same checks, in the same order,
 * with the same errors (thrown here rather than erroring a stream): a small GetObject needs no
 * stream, async generator or extra turns of the event loop for bytes that are already in memory.
 */
export function readInlineConcatenated(blobs: ReadonlyArray<{ blobId: string; size: number }>, key: Buffer, range?: ByteRange): Buffer | undefined {
  if (!blobs.every((b) => isInlineBlobId(b.blobId))) return undefined;
  const chunks: Buffer[] = [];
  for (const { blob, local } of piecesInRange(blobs, range)) {
    assertKey(key);
    const { id, sealed } = unpackInlineBlob(blob.blobId);
    for (const chunk of plaintextOfSealed({ blobId: id, size: blob.size }, key, sealed, local)) chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** The plaintext of one blob's range; undefined range = all of it. */
async function* plaintextOf(paths: BlobPaths, piece: BlobPiece, key: Buffer, range?: ByteRange): AsyncGenerator<Buffer> {
  assertKey(key);
  if (isInlineBlobId(piece.blobId)) {
    const { id, sealed } = unpackInlineBlob(piece.blobId);
    yield* plaintextOfSealed({ blobId: id, size: piece.size }, key, sealed, range);
    return;
  }
  const handle = await open(paths.file(piece.blobId), 'r');
  try {
    const whole = await readIfSmall(handle, piece.size);
    if (whole) {
      yield* plaintextOfSealed(piece, key, whole, range);
      return;
    }
    const { ctx, layout } = await openBlobFile(handle, piece, key);
    const wanted = resolveRange(range, layout.size);
    if (wanted === undefined) {
      // An empty blob still has its (empty) last segment: authenticating it proves the key and the file.
      await checkSegment(handle, ctx, layout, layout.lastIndex);
      return;
    }
    const first = Math.floor(wanted.start / layout.segmentBytes);
    const last = Math.floor(wanted.end / layout.segmentBytes);
    if (last < layout.lastIndex) await checkSegment(handle, ctx, layout, layout.lastIndex);
    for await (const { index, plaintext } of readSegments(handle, ctx, layout, first, last)) {
      yield slice(plaintext, index * layout.segmentBytes, wanted);
    }
  } finally {
    await handle.close();
  }
}

/** The part of a segment's plaintext (which starts at `segmentStart` in the blob) that the range wants. */
function slice(plaintext: Buffer, segmentStart: number, wanted: ByteRange): Buffer {
  const from = Math.max(wanted.start - segmentStart, 0);
  const to = Math.min(wanted.end - segmentStart + 1, plaintext.length);
  return from === 0 && to === plaintext.length ? plaintext : plaintext.subarray(from, to);
}

/**
 * A blob file of at most one segment, read whole with a single read call (no fstat, no separate
 * header read): thread-pool round trips, not bytes, are what a small GET costs. The read asks for
 * one byte more than such a file can hold; getting fewer means the whole file is in hand (a
 * regular file reads short only at its end). Undefined for a larger file (or one that claims
 * more), which the segment-wise path reads instead.
 */
async function readIfSmall(handle: FileHandle, recordedSize: number | undefined): Promise<Buffer | undefined> {
  if (recordedSize !== undefined && recordedSize >= DEFAULT_SEGMENT_BYTES) return undefined;
  // The file a blob of the recorded size has (new blobs use the default segment size), else the largest small one.
  const expected = recordedSize !== undefined ? HEADER_BYTES + recordedSize + TAG_BYTES : SMALL_FILE_BYTES;
  const probe = Buffer.allocUnsafe(expected + 1);
  const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
  return bytesRead < probe.length ? probe.subarray(0, bytesRead) : undefined;
}

/** The largest file of a one-segment blob: header, 64 KiB less a byte of ciphertext, tag. */
const SMALL_FILE_BYTES = HEADER_BYTES + DEFAULT_SEGMENT_BYTES - 1 + TAG_BYTES;

/**
 * The plaintext of a range of a blob whose sealed bytes (header and segments, as in a file) are
 * all in memory: an inline blob, or a small file read whole. The same checks as the file path.
 */
function* plaintextOfSealed(piece: BlobPiece, key: Buffer, sealed: Buffer, range?: ByteRange): Generator<Buffer> {
  const header = sealed.subarray(0, HEADER_BYTES);
  if (header.length < HEADER_BYTES) throw new BlobIntegrityError(piece.blobId, 'the file is truncated');
  const layout = layoutOf(piece.blobId, sealed.length, parseHeader(piece.blobId, header));
  checkRecordedSize(piece, layout);
  const ctx = segmentContext(key, piece.blobId, header);
  const segment = (index: number): Buffer => {
    const start = segmentOffset(layout, index);
    return openSegment(ctx, index, index === layout.lastIndex, sealed.subarray(start, start + sealedLength(layout, index)));
  };
  const wanted = resolveRange(range, layout.size);
  if (wanted === undefined) {
    segment(layout.lastIndex);
    return;
  }
  const first = Math.floor(wanted.start / layout.segmentBytes);
  const last = Math.floor(wanted.end / layout.segmentBytes);
  if (last < layout.lastIndex) segment(layout.lastIndex);
  for (let index = first; index <= last; index++) yield slice(segment(index), index * layout.segmentBytes, wanted);
}

function checkRecordedSize(piece: BlobPiece, layout: Layout): void {
  if (piece.size !== undefined && piece.size !== layout.size) {
    throw new BlobIntegrityError(piece.blobId, `it holds ${layout.size} bytes, not the ${piece.size} its object records`);
  }
}

async function openBlobFile(handle: FileHandle, piece: BlobPiece, key: Buffer): Promise<{ ctx: SegmentContext; layout: Layout }> {
  const { size: fileBytes } = await handle.stat();
  const header = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
  if (bytesRead < HEADER_BYTES) throw new BlobIntegrityError(piece.blobId, 'the file is truncated');
  const segmentBytes = parseHeader(piece.blobId, header);
  const layout = layoutOf(piece.blobId, fileBytes, segmentBytes);
  checkRecordedSize(piece, layout);
  return { ctx: segmentContext(key, piece.blobId, header), layout };
}

/** Segments first..last, opened, reading about READ_BATCH_BYTES of the file at a time. */
async function* readSegments(
  handle: FileHandle,
  ctx: SegmentContext,
  layout: Layout,
  first: number,
  last: number,
): AsyncGenerator<{ index: number; plaintext: Buffer }> {
  const perBatch = Math.max(1, Math.floor(READ_BATCH_BYTES / (layout.segmentBytes + 16)));
  for (let batchFirst = first; batchFirst <= last; batchFirst += perBatch) {
    const batchLast = Math.min(last, batchFirst + perBatch - 1);
    const start = segmentOffset(layout, batchFirst);
    const length = segmentOffset(layout, batchLast) + sealedLength(layout, batchLast) - start;
    const sealed = await readExactly(handle, ctx.blobId, start, length);
    let at = 0;
    for (let index = batchFirst; index <= batchLast; index++) {
      const len = sealedLength(layout, index);
      yield { index, plaintext: openSegment(ctx, index, index === layout.lastIndex, sealed.subarray(at, at + len)) };
      at += len;
    }
  }
}

/** Reads and authenticates one segment, discarding its plaintext. */
async function checkSegment(handle: FileHandle, ctx: SegmentContext, layout: Layout, index: number): Promise<void> {
  const sealed = await readExactly(handle, ctx.blobId, segmentOffset(layout, index), sealedLength(layout, index));
  openSegment(ctx, index, index === layout.lastIndex, sealed);
}

async function readExactly(handle: FileHandle, blobId: string, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw new BlobIntegrityError(blobId, 'the file is truncated');
    filled += bytesRead;
  }
  return buffer;
}

/** The range checked against the size; undefined when there is nothing to read (an empty blob). */
function resolveRange(range: ByteRange | undefined, size: number): ByteRange | undefined {
  if (range === undefined) return size === 0 ? undefined : { start: 0, end: size - 1 };
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw new RangeError(`range ${start}-${end} is not within the ${size} bytes`);
  }
  return range;
}
