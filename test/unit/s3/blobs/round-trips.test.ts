import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { CHECKSUM_ALGORITHMS, checksumDigest } from '../../../../src/auth/checksums.ts';
import { blobFile, newKey, readAll, SEGMENT, sourceOf, tempStore } from './helpers.ts';
import { statSync } from 'node:fs';

const HEADER = 20;
const TAG = 16;

const SIZES: Array<[string, number]> = [
  ['0 B', 0],
  ['1 B', 1],
  ['one segment less a byte', SEGMENT - 1],
  ['exactly one segment', SEGMENT],
  ['a segment and a byte', SEGMENT + 1],
  ['3.5 segments', 3.5 * SEGMENT],
  ['5 MiB and change (hashed off the main thread)', 5 * 1024 * 1024 + 12345],
];

for (const [name, size] of SIZES) {
  test(`round trip: ${name}, with MD5 and every checksum equal to one-shot computation`, async () => {
    const { store, dir } = tempStore();
    const key = newKey();
    const body = randomBytes(size);
    const written = await store.write(sourceOf(body, 10_000), { key, checksumAlgorithms: CHECKSUM_ALGORITHMS });
    assert.match(written.blobId, /^[0-9a-f]{32}$/);
    assert.equal(written.size, size);
    assert.equal(written.md5.toString('hex'), createHash('md5').update(body).digest('hex'));
    assert.deepEqual(Object.keys(written.checksums).sort(), [...CHECKSUM_ALGORITHMS].sort());
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      assert.equal(written.checksums[algorithm]!.toString('hex'), checksumDigest(algorithm, body).toString('hex'), algorithm);
    }
    const back = await readAll(store.read(written.blobId, key));
    assert.equal(back.length, size);
    assert.ok(back.equals(body));
    // Layout: header, full segments, then a last segment always shorter than a full one.
    const full = Math.floor(size / SEGMENT);
    assert.equal(statSync(blobFile(dir, written.blobId)).size, HEADER + full * (SEGMENT + TAG) + (size - full * SEGMENT) + TAG);
  });
}

test('a body announced as large (proposedSize) is hashed correctly from its first byte', async () => {
  const { store } = tempStore();
  const key = newKey();
  const body = randomBytes(2 * 1024 * 1024 + 7);
  const written = await store.write(sourceOf(body), { key, checksumAlgorithms: ['sha256', 'crc32'], proposedSize: body.length });
  assert.equal(written.md5.toString('hex'), createHash('md5').update(body).digest('hex'));
  assert.equal(written.checksums.sha256!.toString('hex'), createHash('sha256').update(body).digest('hex'));
  assert.equal(written.checksums.crc32!.toString('hex'), checksumDigest('crc32', body).toString('hex'));
  assert.deepEqual(Object.keys(written.checksums).sort(), ['crc32', 'sha256']);
});

test('without checksumAlgorithms only MD5 is computed; several writes may run at once', async () => {
  const { store } = tempStore();
  const key = newKey();
  const bodies = [randomBytes(3 * 1024 * 1024), randomBytes(1500), randomBytes(2 * 1024 * 1024 + 1)];
  const written = await Promise.all(bodies.map((b) => store.write(sourceOf(b), { key })));
  for (const [i, w] of written.entries()) {
    assert.deepEqual(w.checksums, {});
    assert.equal(w.md5.toString('hex'), createHash('md5').update(bodies[i]!).digest('hex'));
    assert.ok((await readAll(store.read(w.blobId, key))).equals(bodies[i]!));
  }
});

test('string and Uint8Array chunks are bytes too', async () => {
  const { store } = tempStore();
  const key = newKey();
  const { Readable } = await import('node:stream');
  const written = await store.write(Readable.from(['héllo ', new Uint8Array([119, 111, 114, 108, 100])]), { key });
  assert.equal((await readAll(store.read(written.blobId, key))).toString('utf8'), 'héllo world');
  assert.equal(written.size, 12);
});

test('ranges: first byte, last byte, within, across and exactly on segment boundaries', async () => {
  const { store } = tempStore();
  const key = newKey();
  const size = 3.5 * SEGMENT;
  const body = randomBytes(size);
  const { blobId } = await store.write(sourceOf(body), { key });
  const ranges: Array<[number, number]> = [
    [0, 0],
    [size - 1, size - 1],
    [0, size - 1],
    [10, 20],
    [SEGMENT - 10, SEGMENT + 9],
    [SEGMENT - 1, SEGMENT],
    [SEGMENT, 2 * SEGMENT - 1],
    [SEGMENT - 1, 3 * SEGMENT],
    [3 * SEGMENT, size - 1],
    [1, size - 2],
  ];
  for (const [start, end] of ranges) {
    const got = await readAll(store.read(blobId, key, { start, end }));
    assert.ok(got.equals(body.subarray(start, end + 1)), `${start}-${end}`);
  }
});

test('a range outside the blob errors the stream', async () => {
  const { store } = tempStore();
  const key = newKey();
  const { blobId } = await store.write(sourceOf(randomBytes(100)), { key });
  await assert.rejects(readAll(store.read(blobId, key, { start: 100, end: 100 })), { name: 'RangeError', message: 'range 100-100 is not within the 100 bytes' });
  await assert.rejects(readAll(store.read(blobId, key, { start: 5, end: 4 })), { name: 'RangeError' });
});

test('readConcatenated: blobs back to back, and ranges across blob boundaries', async () => {
  const { store } = tempStore();
  const key = newKey();
  const bodies = [randomBytes(SEGMENT + 5), Buffer.alloc(0), randomBytes(100), randomBytes(2 * SEGMENT), randomBytes(1)];
  const blobs = [];
  for (const body of bodies) {
    const w = await store.write(sourceOf(body), { key });
    blobs.push({ blobId: w.blobId, size: w.size });
  }
  const whole = Buffer.concat(bodies);
  assert.ok((await readAll(store.readConcatenated(blobs, key))).equals(whole));
  const b1 = SEGMENT + 5; // where the third blob starts (the second is empty)
  const ranges: Array<[number, number]> = [
    [0, 0],
    [whole.length - 1, whole.length - 1],
    [b1 - 1, b1],
    [b1 - 3, b1 + 100 + 2],
    [b1, b1 + 99],
    [b1 + 50, whole.length - 1],
    [SEGMENT - 2, whole.length - 2],
    [b1 + 100 + SEGMENT - 1, b1 + 100 + SEGMENT],
  ];
  for (const [start, end] of ranges) {
    const got = await readAll(store.readConcatenated(blobs, key, { start, end }));
    assert.ok(got.equals(whole.subarray(start, end + 1)), `${start}-${end}`);
  }
  assert.equal((await readAll(store.readConcatenated([], key))).length, 0);
  await assert.rejects(readAll(store.readConcatenated(blobs, key, { start: 0, end: whole.length })), { name: 'RangeError' });
});

test('delete removes a blob and tolerates one already gone; list yields every id', async () => {
  const { store } = tempStore();
  const key = newKey();
  assert.deepEqual(await listIdsOf(store), []);
  const a = await store.write(sourceOf(Buffer.from('a')), { key });
  const b = await store.write(sourceOf(Buffer.from('b')), { key });
  assert.deepEqual(await listIdsOf(store), [a.blobId, b.blobId].sort());
  await store.delete(a.blobId);
  await store.delete(a.blobId);
  assert.deepEqual(await listIdsOf(store), [b.blobId]);
  await assert.rejects(readAll(store.read(a.blobId, key)), { code: 'ENOENT' });
  await assert.rejects(store.delete('../../etc/passwd'), { name: 'RangeError', message: 'not a blob id: "../../etc/passwd"' });
  await assert.rejects(readAll(store.read('ABC', key)), { name: 'RangeError', message: 'not a blob id: "ABC"' });
});

async function listIdsOf(store: { list(): AsyncIterable<string> }): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of store.list()) ids.push(id);
  return ids.sort();
}
