/**
 * The blob store over one directory (see paths.ts for the layout, format.ts for the file format).
 * Small blobs are inline (inline.ts): they have no file, so list() never yields them.
 */
import { readdirSync, rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore, BlobWriteOptions, ByteRange, WrittenBlob } from './types.ts';
import { BLOB_ID_PATTERN } from './format.ts';
import { isInlineBlobId } from './inline.ts';
import { BlobPaths, TMP_DIR_NAME } from './paths.ts';
import { readBlob, readBlobsConcatenated, readInlineConcatenated } from './reader.ts';
import { writeBlob, type WriterTuning } from './writer.ts';

export interface LocalBlobStore extends BlobStore {
  readonly dir: string;
  /**
   * Removes what writes interrupted by a crash left in tmp/; returns how many files went. Call it
   * at startup only: it would also remove the temporary file of a write in progress.
   */
  sweepTemporaryFiles(): number;
}

const FAN_OUT_DIR = /^[0-9a-f]{2}$/;

export function openBlobStore(dir: string, tuning: WriterTuning = {}): LocalBlobStore {
  const paths = new BlobPaths(dir);
  return {
    dir,
    write: (source: Readable, options: BlobWriteOptions): Promise<WrittenBlob> => writeBlob(paths, source, options, tuning),
    read: (blobId: string, key: Buffer, range?: ByteRange): Readable => readBlob(paths, blobId, key, range),
    readConcatenated: (blobs, key, range) => readBlobsConcatenated(paths, blobs, key, range),
    readInlineConcatenated,
    delete: async (blobId: string): Promise<void> => {
      // An inline blob's bytes live in its id, in the row being deleted: nothing to remove here.
      if (isInlineBlobId(blobId)) return;
      await rm(paths.file(blobId), { force: true });
    },
    list: () => listBlobIds(dir),
    sweepTemporaryFiles: () => sweepTemporaryFiles(paths),
  };
}

async function* listBlobIds(dir: string): AsyncGenerator<string> {
  for (const fanOut of await readdirOrEmpty(dir)) {
    if (!FAN_OUT_DIR.test(fanOut)) continue; // tmp/ and anything foreign
    for (const name of await readdirOrEmpty(join(dir, fanOut))) {
      if (BLOB_ID_PATTERN.test(name) && name.startsWith(fanOut)) yield name;
    }
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw err;
  }
}

/** Synchronous on purpose: it runs once, before the first write can put a file in tmp/. */
function sweepTemporaryFiles(paths: BlobPaths): number {
  let names: string[];
  try {
    names = readdirSync(paths.tmpDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const name of names) rmSync(join(paths.tmpDir, name), { force: true, recursive: true });
  return names.length;
}

export { TMP_DIR_NAME };
