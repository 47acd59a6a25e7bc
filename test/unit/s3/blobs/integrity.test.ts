import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { BlobIntegrityError } from '../../../../src/services/s3/blobs/index.ts';
import { blobFile, isIntegrityError, newKey, readAll, SEGMENT, sourceOf, tempStore } from './helpers.ts';

const HEADER = 20;
const SEALED = SEGMENT + 16;

async function threeAndAHalfSegments() {
  const { store, dir } = tempStore();
  const key = newKey();
  const body = randomBytes(3.5 * SEGMENT);
  const { blobId } = await store.write(sourceOf(body), { key });
  return { store, dir, key, body, blobId, file: blobFile(dir, blobId) };
}

test('a wrong key errors the stream, for whole and ranged reads', async () => {
  const { store, blobId } = await threeAndAHalfSegments();
  const wrong = newKey();
  await assert.rejects(readAll(store.read(blobId, wrong)), isIntegrityError(blobId, /^blob [0-9a-f]{32} cannot be read: segment 0 does not authenticate \(wrong key or altered file\)$/));
  await assert.rejects(readAll(store.read(blobId, wrong, { start: 5, end: 6 })), isIntegrityError(blobId, /does not authenticate/));
});

test('a wrong key on an empty blob errors too (its empty last segment still has a tag)', async () => {
  const { store } = tempStore();
  const key = newKey();
  const { blobId } = await store.write(sourceOf(Buffer.alloc(0)), { key });
  assert.equal((await readAll(store.read(blobId, key))).length, 0);
  await assert.rejects(readAll(store.read(blobId, newKey())), isIntegrityError(blobId, /segment 0 does not authenticate/));
});

test('a key that is not 32 bytes is refused', async () => {
  const { store } = tempStore();
  await assert.rejects(store.write(sourceOf(Buffer.from('x')), { key: Buffer.alloc(16) }), { name: 'RangeError', message: 'a blob key must be 32 bytes' });
});

test('a flipped byte errors reads that touch its segment; reads elsewhere decrypt only their own segments', async () => {
  const { store, key, body, blobId, file } = await threeAndAHalfSegments();
  const bytes = readFileSync(file);
  bytes[HEADER + SEALED + 100]! ^= 0x01; // inside segment 1's ciphertext
  writeFileSync(file, bytes);
  await assert.rejects(readAll(store.read(blobId, key)), isIntegrityError(blobId, /segment 1 does not authenticate/));
  await assert.rejects(readAll(store.read(blobId, key, { start: SEGMENT + 5, end: SEGMENT + 5 })), isIntegrityError(blobId, /segment 1/));
  const untouched = await readAll(store.read(blobId, key, { start: 2 * SEGMENT, end: 3 * SEGMENT + 10 }));
  assert.ok(untouched.equals(body.subarray(2 * SEGMENT, 3 * SEGMENT + 11)));
});

test('a flipped tag byte or header byte errors the read', async () => {
  for (const offset of [HEADER + SEALED - 1, 14, 9]) {
    const { store, key, blobId, file } = await threeAndAHalfSegments();
    const bytes = readFileSync(file);
    bytes[offset]! ^= 0x80;
    writeFileSync(file, bytes);
    await assert.rejects(readAll(store.read(blobId, key)), (err) => err instanceof BlobIntegrityError, `offset ${offset}`);
  }
  const { store, key, blobId, file } = await threeAndAHalfSegments();
  const bytes = readFileSync(file);
  bytes[0] = 0x58;
  writeFileSync(file, bytes);
  await assert.rejects(readAll(store.read(blobId, key)), isIntegrityError(blobId, /: not a blob file$/));
});

test('a file without its last segment errors, even for a read of the first byte', async () => {
  const { store, key, blobId, file } = await threeAndAHalfSegments();
  truncateSync(file, HEADER + 3 * SEALED);
  await assert.rejects(readAll(store.read(blobId, key, { start: 0, end: 0 })), isIntegrityError(blobId, /: the file is truncated$/));
  await assert.rejects(readAll(store.read(blobId, key)), isIntegrityError(blobId, /truncated/));
});

test('a file without its last two segments (now ending on a full segment) errors', async () => {
  const { store, key, blobId, file } = await threeAndAHalfSegments();
  // Cut after segment 1 plus 16 bytes of segment 2: shaped like a last segment of 0 bytes, but it is not one.
  truncateSync(file, HEADER + 2 * SEALED + 16);
  await assert.rejects(readAll(store.read(blobId, key, { start: 0, end: 0 })), isIntegrityError(blobId, /segment 2 does not authenticate/));
});

test('a file cut mid-segment errors', async () => {
  const { store, key, blobId, file } = await threeAndAHalfSegments();
  truncateSync(file, statSync(file).size - 1000);
  await assert.rejects(readAll(store.read(blobId, key)), isIntegrityError(blobId, /segment 3 does not authenticate/));
});

test('swapped segments error', async () => {
  const { store, key, blobId, file } = await threeAndAHalfSegments();
  const bytes = readFileSync(file);
  const s0 = Buffer.from(bytes.subarray(HEADER, HEADER + SEALED));
  bytes.copy(bytes, HEADER, HEADER + SEALED, HEADER + 2 * SEALED);
  s0.copy(bytes, HEADER + SEALED);
  writeFileSync(file, bytes);
  await assert.rejects(readAll(store.read(blobId, key, { start: 0, end: 10 })), isIntegrityError(blobId, /segment 0 does not authenticate/));
});

test("another blob's file (same key) put in a blob's place errors", async () => {
  const { store, dir } = tempStore();
  const key = newKey();
  const a = await store.write(sourceOf(Buffer.from('the first blob')), { key });
  const b = await store.write(sourceOf(Buffer.from('the other blob')), { key });
  copyFileSync(blobFile(dir, a.blobId), blobFile(dir, b.blobId));
  await assert.rejects(readAll(store.read(b.blobId, key)), isIntegrityError(b.blobId, /segment 0 does not authenticate/));
});

test('readConcatenated checks each blob against the size its object records', async () => {
  const { store } = tempStore();
  const key = newKey();
  const a = await store.write(sourceOf(randomBytes(10)), { key });
  await assert.rejects(
    readAll(store.readConcatenated([{ blobId: a.blobId, size: 11 }], key)),
    isIntegrityError(a.blobId, /: it holds 10 bytes, not the 11 its object records$/),
  );
});

test('readConcatenated reads only the blobs a range touches', async () => {
  const { store, dir } = tempStore();
  const key = newKey();
  const first = randomBytes(SEGMENT);
  const second = randomBytes(SEGMENT);
  const a = await store.write(sourceOf(first), { key });
  const b = await store.write(sourceOf(second), { key });
  const bytes = readFileSync(blobFile(dir, a.blobId));
  bytes[HEADER + 5]! ^= 1;
  writeFileSync(blobFile(dir, a.blobId), bytes);
  const blobs = [a, b].map((w) => ({ blobId: w.blobId, size: w.size }));
  const got = await readAll(store.readConcatenated(blobs, key, { start: SEGMENT + 1, end: 2 * SEGMENT - 1 }));
  assert.ok(got.equals(second.subarray(1)));
  await assert.rejects(readAll(store.readConcatenated(blobs, key)), isIntegrityError(a.blobId, /segment 0/));
});
