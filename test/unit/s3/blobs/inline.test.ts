// Inline blobs (src/services/s3/blobs/inline.ts): bodies of at most 4 KiB get no file; their id
// carries the sealed bytes. Also the small-file single read and the hashing worker's threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECKSUM_ALGORITHMS, checksumDigest } from '../../../../src/auth/checksums.ts';
import { AwsError } from '../../../../src/core/errors.ts';
import { INLINE_MAX_BYTES } from '../../../../src/services/s3/blobs/inline.ts';
import { OFFLOAD_THRESHOLD_BYTES, PlaintextDigests } from '../../../../src/services/s3/blobs/digests.ts';
import { blobFile, failingSource, filesUnder, isIntegrityError, listIds, newKey, readAll, sourceOf, tempStore } from './helpers.ts';

const INLINE_ID = /^i1\.[0-9a-f]{32}\.[A-Za-z0-9_-]+$/;
const FILE_ID = /^[0-9a-f]{32}$/;

/** A store with the production default: small bodies inline. */
function inlineStore() {
  return tempStore({});
}

function filesIn(dir: string): string[] {
  return existsSync(dir) ? filesUnder(dir) : [];
}

/** The 32-hex random part of an inline id (what its authenticated data and errors name). */
function innerId(blobId: string): string {
  return blobId.split('.')[1]!;
}

test('the inline limit is 4 KiB of plaintext', () => {
  assert.equal(INLINE_MAX_BYTES, 4096);
});

for (const [name, size, chunk] of [
  ['0 B', 0, 1024],
  ['1 B', 1, 1024],
  ['4 KiB in one chunk', 4096, 65536],
  ['4 KiB in 1000-byte chunks', 4096, 1000],
] as const) {
  test(`inline round trip: ${name}, no file, MD5 and every checksum right`, async () => {
    const { store, dir } = inlineStore();
    const key = newKey();
    const body = randomBytes(size);
    const written = await store.write(sourceOf(body, chunk), { key, checksumAlgorithms: CHECKSUM_ALGORITHMS });
    assert.match(written.blobId, INLINE_ID);
    assert.equal(written.size, size);
    assert.equal(written.md5.toString('hex'), createHash('md5').update(body).digest('hex'));
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      assert.equal(written.checksums[algorithm]!.toString('hex'), checksumDigest(algorithm, body).toString('hex'), algorithm);
    }
    // header (20) + ciphertext + tag (16), base64url, after "i1.<32 hex>."
    assert.equal(written.blobId.length, 36 + Math.ceil(((20 + size + 16) * 4) / 3));
    assert.deepEqual(filesIn(dir), []);
    assert.ok((await readAll(store.read(written.blobId, key))).equals(body));
    assert.ok((await readAll(store.readConcatenated([{ blobId: written.blobId, size }], key))).equals(body));
  });
}

for (const [name, chunk] of [
  ['one chunk', 65536],
  ['1000-byte chunks (the limit passed mid-chunk)', 1000],
  ['1-byte chunks', 1],
] as const) {
  test(`4 KiB + 1 byte in ${name} is a file, with every byte`, async () => {
    const { store, dir } = inlineStore();
    const key = newKey();
    const body = randomBytes(4097);
    const written = await store.write(sourceOf(body, chunk), { key, checksumAlgorithms: ['crc32'] });
    assert.match(written.blobId, FILE_ID);
    assert.equal(written.md5.toString('hex'), createHash('md5').update(body).digest('hex'));
    assert.equal(written.checksums.crc32!.toString('hex'), checksumDigest('crc32', body).toString('hex'));
    assert.deepEqual(filesUnder(dir), [blobFile(dir, written.blobId)]);
    assert.ok((await readAll(store.read(written.blobId, key))).equals(body));
  });
}

test('an announced size over the limit goes straight to a file; at the limit, inline', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const big = await store.write(sourceOf(randomBytes(4097)), { key, proposedSize: 4097 });
  assert.match(big.blobId, FILE_ID);
  const small = await store.write(sourceOf(randomBytes(4096)), { key, proposedSize: 4096 });
  assert.match(small.blobId, INLINE_ID);
});

test('inline ranges: first byte, last byte, within, and the whole', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const body = randomBytes(3000);
  const { blobId } = await store.write(sourceOf(body), { key });
  for (const [start, end] of [
    [0, 0],
    [2999, 2999],
    [100, 2000],
    [0, 2999],
  ] as const) {
    assert.ok((await readAll(store.read(blobId, key, { start, end }))).equals(body.subarray(start, end + 1)), `${start}-${end}`);
  }
  await assert.rejects(readAll(store.read(blobId, key, { start: 0, end: 3000 })), { name: 'RangeError', message: 'range 0-3000 is not within the 3000 bytes' });
});

test('readConcatenated over inline and file blobs, ranges across their boundaries', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const bodies = [randomBytes(100), randomBytes(70_000), randomBytes(0), randomBytes(4096)];
  const written = [];
  for (const b of bodies) written.push(await store.write(sourceOf(b), { key }));
  assert.deepEqual(
    written.map((w) => (INLINE_ID.test(w.blobId) ? 'inline' : 'file')),
    ['inline', 'file', 'inline', 'inline'],
  );
  const all = Buffer.concat(bodies);
  const pieces = written.map((w) => ({ blobId: w.blobId, size: w.size }));
  assert.ok((await readAll(store.readConcatenated(pieces, key))).equals(all));
  for (const [start, end] of [
    [50, 150],
    [70_050, 70_150],
    [99, 100],
    [0, all.length - 1],
  ] as const) {
    assert.ok((await readAll(store.readConcatenated(pieces, key, { start, end }))).equals(all.subarray(start, end + 1)), `${start}-${end}`);
  }
});

test('a wrong key errors the stream of an inline blob, whole, ranged and empty', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const wrong = newKey();
  const { blobId } = await store.write(sourceOf(randomBytes(500)), { key });
  const empty = await store.write(sourceOf(Buffer.alloc(0)), { key });
  const reason = /^blob [0-9a-f]{32} cannot be read: segment 0 does not authenticate \(wrong key or altered file\)$/;
  await assert.rejects(readAll(store.read(blobId, wrong)), isIntegrityError(innerId(blobId), reason));
  await assert.rejects(readAll(store.read(blobId, wrong, { start: 10, end: 20 })), isIntegrityError(innerId(blobId), reason));
  await assert.rejects(readAll(store.read(empty.blobId, wrong)), isIntegrityError(innerId(empty.blobId), reason));
});

test('a tampered inline id errors the read: its data, its random id, data from another blob, non-canonical base64url', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const a = await store.write(sourceOf(Buffer.from('first inline blob 01')), { key });
  const b = await store.write(sourceOf(Buffer.from('other inline blob 02')), { key });
  const [, idA, dataA] = a.blobId.split('.') as [string, string, string];
  const [, idB, dataB] = b.blobId.split('.') as [string, string, string];
  const notAuthentic = /segment 0 does not authenticate/;

  // A byte of the ciphertext flipped (the character 30 in encodes bits of the ciphertext).
  const flipped = dataA.slice(0, 30) + (dataA[30] === 'A' ? 'B' : 'A') + dataA.slice(31);
  await assert.rejects(readAll(store.read(`i1.${idA}.${flipped}`, key)), isIntegrityError(idA, notAuthentic));
  // Another random id with the same data: the authenticated data names the id.
  const otherId = (idA[0] === '0' ? '1' : '0') + idA.slice(1);
  await assert.rejects(readAll(store.read(`i1.${otherId}.${dataA}`, key)), isIntegrityError(otherId, notAuthentic));
  // One blob's data under another's id.
  await assert.rejects(readAll(store.read(`i1.${idB}.${dataA}`, key)), isIntegrityError(idB, notAuthentic));
  // The data cut short.
  await assert.rejects(readAll(store.read(`i1.${idB}.${dataB.slice(0, 40)}`, key)), isIntegrityError(idB, /the file is truncated|does not authenticate/));
  // Trailing bits that decode to the same bytes are refused too: the id is not what was written.
  const last = dataA.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sameBytes = [...alphabet].find((c) => c !== last && Buffer.from(dataA.slice(0, -1) + c, 'base64url').equals(Buffer.from(dataA, 'base64url')));
  assert.ok(sameBytes, 'the data length leaves spare bits in its last character');
  await assert.rejects(readAll(store.read(`i1.${idA}.${dataA.slice(0, -1)}${sameBytes}`, key)), isIntegrityError(idA, /not canonical base64url/));
  // Not an inline id at all.
  await assert.rejects(readAll(store.read(`i1.${idA}`, key)), isIntegrityError(`i1.${idA}`, /not an inline blob id$/));
  // The originals still read.
  assert.equal((await readAll(store.read(a.blobId, key))).toString(), 'first inline blob 01');
});

test('readConcatenated checks an inline blob against the size its object records', async () => {
  const { store } = inlineStore();
  const key = newKey();
  const a = await store.write(sourceOf(randomBytes(10)), { key });
  await assert.rejects(
    readAll(store.readConcatenated([{ blobId: a.blobId, size: 11 }], key)),
    isIntegrityError(innerId(a.blobId), /: it holds 10 bytes, not the 11 its object records$/),
  );
});

test('delete of an inline blob is a no-op; list never yields inline blobs', async () => {
  const { store, dir } = inlineStore();
  const key = newKey();
  const body = randomBytes(1000);
  const inlineA = await store.write(sourceOf(body), { key });
  const inlineB = await store.write(sourceOf(Buffer.alloc(0)), { key });
  const file = await store.write(sourceOf(randomBytes(5000)), { key });
  assert.deepEqual(await listIds(store), [file.blobId]);
  await store.delete(inlineA.blobId);
  await store.delete(inlineB.blobId);
  assert.deepEqual(filesUnder(dir), [blobFile(dir, file.blobId)]);
  // The bytes live in the id, so it still reads: deleting means dropping the row that holds it.
  assert.ok((await readAll(store.read(inlineA.blobId, key))).equals(body));
  await store.delete(file.blobId);
  assert.deepEqual(await listIds(store), []);
});

test('file ids are still validated: nothing else reaches a path', async () => {
  const { store } = inlineStore();
  await assert.rejects(store.delete('../../etc/passwd'), { name: 'RangeError', message: 'not a blob id: "../../etc/passwd"' });
  await assert.rejects(readAll(store.read('0123', newKey())), { name: 'RangeError', message: 'not a blob id: "0123"' });
});

test('no plaintext in an inline id, in clear or base64', async () => {
  const { store } = inlineStore();
  const marker = 'BONSAI-PLAINTEXT-MARKER-7f3a9c1e';
  const body = Buffer.from(marker.repeat(100));
  const { blobId } = await store.write(sourceOf(body), { key: newKey() });
  assert.match(blobId, INLINE_ID);
  for (const encoding of ['latin1', 'base64', 'base64url', 'hex'] as const) {
    for (let shift = 0; shift < 3; shift++) {
      const encoded = body.subarray(shift, shift + 60).toString(encoding).slice(4, 40);
      assert.equal(blobId.includes(encoded), false, `${encoding} shift ${shift}`);
    }
  }
});

test('maxBytes below the inline limit: EntityTooLarge, nothing on disk', async () => {
  const { store, dir } = inlineStore();
  const source = sourceOf(randomBytes(300), 100);
  await assert.rejects(store.write(source, { key: newKey(), maxBytes: 250 }), (err) => {
    assert.ok(err instanceof AwsError);
    assert.equal(err.code, 'EntityTooLarge');
    assert.equal(err.message, 'Your proposed upload exceeds the maximum allowed size');
    assert.deepEqual(err.fields, { ProposedSize: 300, MaxSizeAllowed: 250 });
    return true;
  });
  assert.equal(source.destroyed, false);
  assert.deepEqual(filesIn(dir), []);
});

test('a small source that errors or closes early rejects, leaving nothing', async () => {
  const { store, dir } = inlineStore();
  const boom = new Error('the client hung up');
  await assert.rejects(store.write(failingSource(randomBytes(1000), boom), { key: newKey(), checksumAlgorithms: ['sha256'] }), (err) => err === boom);
  const source = new PassThrough();
  source.write(Buffer.alloc(10));
  const writing = store.write(source, { key: newKey() });
  await sleep(20);
  source.destroy();
  await assert.rejects(writing, { message: 'the source was closed before its end' });
  assert.deepEqual(filesIn(dir), []);
});

test('a small file blob read whole: a byte appended to its file errors the read', async () => {
  const { store, dir } = tempStore(); // files only
  const key = newKey();
  const body = randomBytes(1000);
  const { blobId } = await store.write(sourceOf(body), { key });
  assert.ok((await readAll(store.readConcatenated([{ blobId, size: 1000 }], key, { start: 10, end: 19 }))).equals(body.subarray(10, 20)));
  appendFileSync(blobFile(dir, blobId), Buffer.from([0]));
  await assert.rejects(readAll(store.readConcatenated([{ blobId, size: 1000 }], key)), isIntegrityError(blobId, /: it holds 1001 bytes, not the 1000 its object records$/));
  await assert.rejects(readAll(store.read(blobId, key)), isIntegrityError(blobId, /segment 0 does not authenticate/));
});

test('hashing worker: a body of exactly 1 MiB is hashed in place, announced or not; one byte more goes to the worker', async () => {
  const MiB = OFFLOAD_THRESHOLD_BYTES;
  assert.equal(MiB, 1024 * 1024);
  const body = randomBytes(MiB + 1);
  const feed = (digests: PlaintextDigests, bytes: Buffer) => {
    for (let at = 0; at < bytes.length; at += 65536) digests.update(bytes.subarray(at, at + 65536));
  };
  for (const announced of [undefined, MiB]) {
    const digests = new PlaintextDigests(['sha256'], announced);
    feed(digests, body.subarray(0, MiB));
    assert.equal(digests.usesWorker, false, `announced ${announced}`);
    const { md5, checksums } = await digests.result();
    assert.equal(md5.toString('hex'), createHash('md5').update(body.subarray(0, MiB)).digest('hex'));
    assert.equal(checksums.sha256!.toString('hex'), createHash('sha256').update(body.subarray(0, MiB)).digest('hex'));
  }
  const unannounced = new PlaintextDigests([], undefined);
  feed(unannounced, body);
  assert.equal(unannounced.usesWorker, true);
  assert.equal((await unannounced.result()).md5.toString('hex'), createHash('md5').update(body).digest('hex'));
  const announced = new PlaintextDigests([], MiB + 1);
  assert.equal(announced.usesWorker, true, 'an announced size over 1 MiB goes to the worker from the first byte');
  feed(announced, body);
  assert.equal((await announced.result()).md5.toString('hex'), createHash('md5').update(body).digest('hex'));
});
