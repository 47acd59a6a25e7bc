/** Shared fixtures for the blob store tests: a throw-away store, sources, and file inspection. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after } from 'node:test';
import { BlobIntegrityError, openBlobStore, type LocalBlobStore } from '../../../../src/services/s3/blobs/index.ts';
import type { WriterTuning } from '../../../../src/services/s3/blobs/writer.ts';

export const SEGMENT = 64 * 1024;

/**
 * A throw-away store. By default every blob is a file, whatever its size, since most tests here
 * are about the file format; inline.test.ts passes `{}` for the production behaviour (small
 * bodies inline).
 */
export function tempStore(tuning: WriterTuning = { inlineMaxBytes: null }): { store: LocalBlobStore; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'bonsai-blobs-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 's3', 'blobs');
  return { store: openBlobStore(dir, tuning), dir };
}

export function newKey(): Buffer {
  return randomBytes(32);
}

/** A body in chunks of `chunk` bytes, as an HTTP request delivers it. */
export function sourceOf(body: Buffer, chunk = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunk) pieces.push(body.subarray(at, at + chunk));
  return Readable.from(pieces, { objectMode: false });
}

/** Sends `good` bytes, then fails with `err`. */
export function failingSource(good: Buffer, err: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(good);
      } else {
        this.destroy(err);
      }
    },
  });
}

export function readAll(stream: Readable): Promise<Buffer> {
  return buffer(stream);
}

/** Every file under dir, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

export function dirsUnder(dir: string): string[] {
  const out: string[] = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...dirsUnder(join(dir, entry.name)));
  }
  return out;
}

export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

export function blobFile(dir: string, blobId: string): string {
  return join(dir, blobId.slice(0, 2), blobId);
}

export async function listIds(store: LocalBlobStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of store.list()) ids.push(id);
  return ids;
}

/** An assert.rejects/throws matcher: a BlobIntegrityError naming `blobId`, its message matching `reason`. */
export function isIntegrityError(blobId: string, reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof BlobIntegrityError, String(err));
    assert.equal(err.blobId, blobId);
    assert.match(err.message, reason);
    return true;
  };
}
