/**
 * Writing a blob: plaintext streams in, is hashed (MD5 and the requested checksums) and sealed
 * segment by segment, and goes to a temporary file in large batches, with at most one batch
 * being written while the next is prepared, and the source left paused until the disk has taken
 * what came before. Memory stays a few MiB whatever the body's size. Only a complete, fsynced file
 * is renamed to its place (then its directory is fsynced); any failure removes the temporary file.
 *
 * A body that ends within INLINE_MAX_BYTES gets no file at all: its sealed bytes become its id
 * (inline.ts), made durable by the store transaction that commits the id. Deciding that needs at
 * most the limit and one chunk in memory; a body announced (proposedSize) larger goes straight
 * to a file.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BlobWriteOptions, WrittenBlob } from './types.ts';
import { entityTooLarge } from './errors.ts';
import { PlaintextDigests } from './digests.ts';
import { assertKey, DEFAULT_SEGMENT_BYTES, newBlobId, newHeader, sealSegment, segmentContext, type SegmentContext } from './format.ts';
import { fsyncDirectory, FILE_MODE, type BlobPaths } from './paths.ts';
import { guardingErrors, nextChunk } from './source-chunks.ts';
import { INLINE_MAX_BYTES, sealInlineBlob } from './inline.ts';

/** Bytes gathered before one writev: large enough that syscalls and fs threadpool hops are noise. */
const WRITE_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * A large blob's dirty pages are flushed in the background every this many bytes, so the final
 * fsync (which the write must wait for) has little left to do instead of all of it.
 */
const BACKGROUND_FLUSH_BYTES = 32 * 1024 * 1024;

export interface WriterTuning {
  segmentBytes?: number;
  writeBatchBytes?: number;
  /** Bodies up to this many bytes become inline blobs (inline.ts); null writes every body to a file. */
  inlineMaxBytes?: number | null;
}

type Digested = Awaited<ReturnType<PlaintextDigests['result']>>;

export function writeBlob(paths: BlobPaths, source: Readable, options: BlobWriteOptions, tuning: WriterTuning = {}): Promise<WrittenBlob> {
  return guardingErrors(source, () => writeGuarded(paths, source, options, tuning));
}

async function writeGuarded(paths: BlobPaths, source: Readable, options: BlobWriteOptions, tuning: WriterTuning): Promise<WrittenBlob> {
  assertKey(options.key);
  const { maxBytes, proposedSize } = options;
  // A body announced over the limit is refused before anything touches the disk.
  if (maxBytes !== undefined && proposedSize !== undefined && proposedSize > maxBytes) throw entityTooLarge(proposedSize, maxBytes);

  const body = new HashedBody(source, options);
  try {
    const inlineMax = tuning.inlineMaxBytes === undefined ? INLINE_MAX_BYTES : tuning.inlineMaxBytes;
    let head: Buffer[] = [];
    if (inlineMax !== null && (proposedSize === undefined || proposedSize <= inlineMax)) {
      const gathered = await body.gather(inlineMax);
      if (gathered.complete) {
        const blobId = sealInlineBlob(options.key, gathered.chunks.length === 1 ? gathered.chunks[0]! : Buffer.concat(gathered.chunks));
        return { blobId, ...(await body.digests.result()) };
      }
      head = gathered.chunks; // more than fits inline: on to a file, these bytes first
    }
    return await writeFile(paths, body, options.key, head, tuning);
  } catch (err) {
    body.digests.abort();
    throw err;
  }
}

/** The source's chunks, each counted against maxBytes and hashed as it is taken. */
class HashedBody {
  readonly digests: PlaintextDigests;
  private readonly source: Readable;
  private readonly maxBytes: number | undefined;
  private readonly proposedSize: number | undefined;

  constructor(source: Readable, options: BlobWriteOptions) {
    this.source = source;
    this.maxBytes = options.maxBytes;
    this.proposedSize = options.proposedSize;
    this.digests = new PlaintextDigests(options.checksumAlgorithms ?? [], options.proposedSize);
  }

  /** The next chunk, or null at the end; EntityTooLarge once the body passes maxBytes. */
  async next(): Promise<Buffer | null> {
    const chunk = await nextChunk(this.source);
    if (chunk === null) return null;
    if (this.maxBytes !== undefined && this.digests.size + chunk.length > this.maxBytes) {
      throw entityTooLarge(this.proposedSize ?? this.digests.size + chunk.length, this.maxBytes);
    }
    this.digests.update(chunk);
    return chunk;
  }

  /**
   * Takes chunks (referenced, not copied) until the body ends within `limit` bytes (complete) or
   * passes it (not complete: the caller goes on with next()). Only `limit` and a chunk are held.
   */
  async gather(limit: number): Promise<{ complete: boolean; chunks: Buffer[] }> {
    const chunks: Buffer[] = [];
    let bytes = 0;
    for (let chunk = await this.next(); chunk !== null; chunk = await this.next()) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes > limit) return { complete: false, chunks };
    }
    return { complete: true, chunks };
  }
}

/** Seals the body (`head`, the chunks already taken, then the rest) into a new blob file. */
async function writeFile(paths: BlobPaths, body: HashedBody, key: Buffer, head: Buffer[], tuning: WriterTuning): Promise<WrittenBlob> {
  const blobId = newBlobId();
  await paths.ensureTmpDir();
  const temporary = paths.temporaryFile(blobId);
  const handle = await open(temporary, 'wx', FILE_MODE);
  let closed = false;
  try {
    const header = newHeader(tuning.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
    const file = new BatchedFileWriter(handle, tuning.writeBatchBytes ?? WRITE_BATCH_BYTES);
    const sealer = new SegmentSealer(segmentContext(key, blobId, header));
    file.add([header]);
    let result: Digested;
    try {
      for (const chunk of head) file.add(sealer.push(chunk));
      for (let chunk = await body.next(); chunk !== null; chunk = await body.next()) {
        file.add(sealer.push(chunk));
        await file.flushIfFull();
        await body.digests.waitForRoom();
      }
      file.add(sealer.finish());
      await file.flushAll();
      result = await body.digests.result();
    } catch (err) {
      await file.settle().catch(() => undefined);
      throw err;
    }
    await handle.sync();
    closed = true;
    await handle.close();
    const fanOut = await paths.ensureFanOutDir(blobId);
    await rename(temporary, paths.file(blobId));
    await fsyncDirectory(fanOut);
    return { blobId, ...result };
  } catch (err) {
    if (!closed) await handle.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Cuts the plaintext into segments and seals each. Every segment but the last is full, and the
 * last is always short (empty when the plaintext fills whole segments), so a full segment can be
 * sealed as "not last" the moment it fills.
 */
class SegmentSealer {
  private readonly ctx: SegmentContext;
  private readonly pending: Buffer;
  private filled = 0;
  private index = 0;

  constructor(ctx: SegmentContext) {
    this.ctx = ctx;
    this.pending = Buffer.allocUnsafe(ctx.segmentBytes);
  }

  /** The sealed buffers (ciphertext, tag, …) of the segments this chunk completes. */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const size = this.ctx.segmentBytes;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.filled === 0 && chunk.length - offset >= size) {
        // A whole segment inside the chunk is sealed in place, without a copy.
        out.push(...sealSegment(this.ctx, this.index++, false, chunk.subarray(offset, offset + size)));
        offset += size;
        continue;
      }
      const taken = chunk.copy(this.pending, this.filled, offset, Math.min(chunk.length, offset + size - this.filled));
      this.filled += taken;
      offset += taken;
      if (this.filled === size) {
        out.push(...sealSegment(this.ctx, this.index++, false, this.pending));
        this.filled = 0;
      }
    }
    return out;
  }

  /** The last segment: whatever is left, possibly nothing. */
  finish(): Buffer[] {
    return sealSegment(this.ctx, this.index++, true, this.pending.subarray(0, this.filled));
  }
}

/**
 * Appends buffers to the file with positional writev calls of about `batchBytes`, keeping at
 * most one write in flight: the caller awaits flushIfFull() before reading more of the source,
 * which is the backpressure that keeps memory flat.
 */
class BatchedFileWriter {
  private readonly handle: FileHandle;
  private readonly batchBytes: number;
  private batch: Buffer[] = [];
  private batched = 0;
  private position = 0;
  private inFlight: Promise<void> | undefined;
  private flushing: Promise<void> | undefined;
  private flushedUpTo = 0;

  constructor(handle: FileHandle, batchBytes: number) {
    this.handle = handle;
    this.batchBytes = batchBytes;
  }

  add(buffers: Buffer[]): void {
    for (const b of buffers) {
      this.batch.push(b);
      this.batched += b.length;
    }
  }

  async flushIfFull(): Promise<void> {
    if (this.batched >= this.batchBytes) await this.startBatch();
  }

  async flushAll(): Promise<void> {
    if (this.batched > 0) await this.startBatch();
    await this.settle();
  }

  /** Waits for the write and the background flush in flight; an error, if any, is thrown. */
  async settle(): Promise<void> {
    await this.settleWrite();
    const flushing = this.flushing;
    this.flushing = undefined;
    if (flushing) await flushing;
  }

  private async settleWrite(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = undefined;
    if (inFlight) await inFlight;
  }

  /** Waits for the previous write, then starts this batch's without waiting for it. */
  private async startBatch(): Promise<void> {
    await this.settleWrite();
    const buffers = this.batch;
    const position = this.position;
    this.position += this.batched;
    this.batch = [];
    this.batched = 0;
    const write = writeAll(this.handle, buffers, position);
    // Observed here so a failure while the caller is elsewhere is never an unhandled rejection;
    // settle() still rethrows it.
    write.catch(() => undefined);
    this.inFlight = write;
    this.startBackgroundFlush(position);
  }

  /** fdatasync what earlier writes put down, overlapping with the next writes; one at a time. */
  private startBackgroundFlush(writtenUpTo: number): void {
    if (this.flushing || writtenUpTo - this.flushedUpTo < BACKGROUND_FLUSH_BYTES) return;
    this.flushedUpTo = writtenUpTo;
    const flush = this.handle.datasync().finally(() => {
      if (this.flushing === flush) this.flushing = undefined;
    });
    flush.catch(() => undefined);
    this.flushing = flush;
  }
}

/** writev until every byte is down (a regular file rarely writes short, but it may). */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers.filter((b) => b.length > 0);
  let at = position;
  while (rest.length > 0) {
    // IOV_MAX is 1024 on Linux; a batch of 64 KiB segments stays far below it, but stay safe.
    const slice = rest.slice(0, 1024);
    const { bytesWritten } = await handle.writev(slice, at);
    if (bytesWritten === 0) throw new Error('the disk accepted no bytes');
    at += bytesWritten;
    rest = dropWritten(rest, bytesWritten);
  }
}

/** The buffers still to write once the first `written` bytes of `buffers` are down. */
function dropWritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (skip > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
