import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError } from '../../../../src/core/errors.ts';
import { SecretBox } from '../../../../src/core/secrets.ts';
import { blobStoreFor, newDataKey, openDataKey, sealDataKey } from '../../../../src/services/s3/blobs/index.ts';
import { dirsUnder, failingSource, filesUnder, listIds, modeOf, newKey, readAll, sourceOf, tempStore } from './helpers.ts';

function assertNothingLeft(dir: string): void {
  assert.deepEqual(filesUnder(dir), []);
}

for (const [name, good] of [
  ['small', 1000],
  ['large (hashing worker busy)', 3 * 1024 * 1024],
] as const) {
  test(`a source that errors midway (${name}): the write rejects with its error and leaves no file`, async () => {
    const { store, dir } = tempStore();
    const boom = new Error('the client hung up');
    await assert.rejects(store.write(failingSource(randomBytes(good), boom), { key: newKey(), checksumAlgorithms: ['sha256'] }), (err) => err === boom);
    assertNothingLeft(dir);
    assert.deepEqual(await listIds(store), []);
  });
}

test('a source destroyed without an error rejects too', async () => {
  const { store, dir } = tempStore();
  const source = new PassThrough();
  source.write(Buffer.alloc(10));
  const writing = store.write(source, { key: newKey() });
  await sleep(20);
  source.destroy();
  await assert.rejects(writing, { message: 'the source was closed before its end' });
  assertNothingLeft(dir);
});

test('maxBytes: EntityTooLarge as S3 gives it, nothing left, and the source is not destroyed', async () => {
  const { store, dir } = tempStore();
  const source = sourceOf(randomBytes(300_000), 65_536);
  await assert.rejects(store.write(source, { key: newKey(), maxBytes: 100_000 }), (err) => {
    assert.ok(err instanceof AwsError);
    assert.equal(err.code, 'EntityTooLarge');
    assert.equal(err.status, 400);
    assert.equal(err.fault, 'client');
    assert.equal(err.message, 'Your proposed upload exceeds the maximum allowed size');
    // Without an announced size, the bytes received when the limit was passed (two 64 KiB chunks).
    assert.deepEqual(err.fields, { ProposedSize: 131_072, MaxSizeAllowed: 100_000 });
    return true;
  });
  assert.equal(source.destroyed, false);
  assertNothingLeft(dir);
});

test('maxBytes with an announced size over it: refused before anything is read or written', async () => {
  const { store, dir } = tempStore();
  const source = sourceOf(randomBytes(10));
  await assert.rejects(store.write(source, { key: newKey(), maxBytes: 5_368_709_120, proposedSize: 6_442_450_944 }), {
    code: 'EntityTooLarge',
    fields: { ProposedSize: 6_442_450_944, MaxSizeAllowed: 5_368_709_120 },
  });
  assert.equal(source.readableLength + (source.readableEnded ? 1 : 0), 0);
  assert.equal(existsSync(dir), false);
});

test('a body of exactly maxBytes is accepted', async () => {
  const { store } = tempStore();
  const written = await store.write(sourceOf(randomBytes(100_000)), { key: newKey(), maxBytes: 100_000 });
  assert.equal(written.size, 100_000);
});

test('no plaintext reaches the disk, neither while writing nor after; files 0600, directories 0700', async () => {
  const { store, dir } = tempStore();
  const key = newKey();
  const marker = Buffer.from('BONSAI-PLAINTEXT-MARKER-7f3a');
  const body = Buffer.concat(Array.from({ length: 200_000 }, () => marker)); // ~5.5 MiB: more than one 4 MiB write batch
  const source = new PassThrough();
  const writing = store.write(source, { key });
  source.write(body.subarray(0, 5_000_000));
  // Mid-write: the temporary file already holds sealed segments.
  let temporary: string[] = [];
  for (let i = 0; i < 100 && temporary.length === 0; i++) {
    await sleep(10);
    if (!existsSync(join(dir, 'tmp'))) continue;
    temporary = filesUnder(dir).filter((f) => f.includes(`${join('blobs', 'tmp')}`) && readFileSync(f).length > 20);
  }
  assert.equal(temporary.length, 1, 'a temporary file with content exists mid-write');
  assert.equal(readFileSync(temporary[0]!).includes(marker), false);
  assert.equal(modeOf(temporary[0]!), 0o600);
  source.end(body.subarray(5_000_000));
  const { blobId } = await writing;
  const files = filesUnder(dir);
  assert.equal(files.length, 1);
  for (const file of files) {
    assert.equal(readFileSync(file).includes(marker), false);
    assert.equal(readFileSync(file).includes(marker.subarray(0, 12)), false);
    assert.equal(modeOf(file), 0o600);
  }
  for (const d of dirsUnder(dir)) assert.equal(modeOf(d), 0o700, d);
  assert.ok((await readAll(store.read(blobId, key))).equals(body));
});

test('sweepTemporaryFiles removes what a crash left in tmp/, and nothing else', async () => {
  const { store, dir } = tempStore();
  const key = newKey();
  const { blobId } = await store.write(sourceOf(Buffer.from('kept')), { key });
  writeFileSync(join(dir, 'tmp', 'aaaa.1234.part'), 'half a blob');
  writeFileSync(join(dir, 'tmp', 'bbbb.5678.part'), '');
  assert.equal(store.sweepTemporaryFiles(), 2);
  assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  assert.deepEqual(await listIds(store), [blobId]);
  assert.equal((await readAll(store.read(blobId, key))).toString(), 'kept');
  assert.equal(store.sweepTemporaryFiles(), 0);
});

test('blobStoreFor: one store per data directory, under s3/blobs, sweeping tmp/ when first opened', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bonsai-blobs-datadir-'));
  try {
    const tmp = join(dataDir, 's3', 'blobs', 'tmp');
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, 'leftover.part'), 'x');
    const store = blobStoreFor(dataDir);
    assert.equal(store.dir, join(dataDir, 's3', 'blobs'));
    assert.deepEqual(readdirSync(tmp), []);
    assert.equal(blobStoreFor(dataDir + '/'), store);
    writeFileSync(join(tmp, 'in-flight.part'), 'x');
    blobStoreFor(dataDir); // already open: no second sweep
    assert.deepEqual(readdirSync(tmp), ['in-flight.part']);
    const key = newKey();
    const { blobId } = await store.write(sourceOf(Buffer.from('hello')), { key });
    assert.equal((await readAll(store.read(blobId, key))).toString(), 'hello');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('data keys: 32 random bytes, sealed under the master key and opened back', () => {
  const box = new SecretBox(randomBytes(32));
  const key = newDataKey();
  assert.equal(key.length, 32);
  assert.notDeepEqual(newDataKey(), key);
  const sealed = sealDataKey(box, key);
  assert.match(sealed, /^sealed:v1:[A-Za-z0-9+/=]+$/);
  assert.equal(sealed.includes(key.toString('base64')), false);
  assert.ok(openDataKey(box, sealed).equals(key));
  assert.throws(() => openDataKey(new SecretBox(randomBytes(32)), sealed));
  assert.throws(() => openDataKey(box, box.seal(randomBytes(16).toString('base64'))), { message: 'the sealed data key is not 32 bytes' });
  assert.throws(() => sealDataKey(box, Buffer.alloc(31)), { name: 'RangeError', message: 'a data key must be 32 bytes' });
});
