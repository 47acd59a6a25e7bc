/**
 * The contract of S3's object data on disk. Object bytes never sit in the store: they stream to
 * files under the data directory, encrypted with AES-256-GCM under a key the caller supplies (the
 * bucket's data key for SSE-S3, the customer's key for SSE-C). Metadata (which blobs make an
 * object, its ETag, checksums) lives in the store and refers to blobs by id.
 */
import type { Readable } from 'node:stream';
import type { ChecksumAlgorithm } from '../../../auth/checksums.ts';

export interface BlobWriteOptions {
  /** 32-byte AES-256 key. */
  key: Buffer;
  /** Checksums to compute over the plaintext while it streams (MD5 is always computed). */
  checksumAlgorithms?: readonly ChecksumAlgorithm[];
  /** Refuse a body longer than this: the write rejects with S3's EntityTooLarge and leaves nothing. */
  maxBytes?: number;
  /**
   * The body length the client announced (Content-Length, or x-amz-decoded-content-length for
   * aws-chunked bodies), reported as EntityTooLarge's ProposedSize; over maxBytes, the write is
   * refused before reading anything.
   */
  proposedSize?: number;
}

export interface WrittenBlob {
  blobId: string;
  /** Plaintext length in bytes. */
  size: number;
  /** MD5 of the plaintext (the ETag of a single-part object is its hex). */
  md5: Buffer;
  /** Raw big-endian digests of the plaintext, per requested algorithm. */
  checksums: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

/** An inclusive byte range of plaintext, as HTTP Range gives it once resolved against the size. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /**
   * Streams `source` to disk, encrypted. Resolves only once the blob is durable (file and directory
   * fsynced). If `source` errors (a bad chunk signature, a client that hangs up) or maxBytes is
   * passed, rejects with that error and leaves no file behind.
   */
  write(source: Readable, options: BlobWriteOptions): Promise<WrittenBlob>;
  /** The plaintext (or a range of it); a wrong key or a tampered file errors the stream. */
  read(blobId: string, key: Buffer, range?: ByteRange): Readable;
  /** Several blobs read back to back as one (an object completed from multipart parts). */
  readConcatenated(blobs: ReadonlyArray<{ blobId: string; size: number }>, key: Buffer, range?: ByteRange): Readable;
  /**
   * What readConcatenated would stream, as one buffer read synchronously, when every blob is inline
   * (its bytes are in its id); undefined when some blob is a file. Failures throw the errors the
   * stream would have emitted.
   */
  readInlineConcatenated(blobs: ReadonlyArray<{ blobId: string; size: number }>, key: Buffer, range?: ByteRange): Buffer | undefined;
  /** Removes a blob; no error when it is already gone. */
  delete(blobId: string): Promise<void>;
  /** Every blob id on disk, for removing orphans a crash left between writing a blob and committing its metadata. */
  list(): AsyncIterable<string>;
}
