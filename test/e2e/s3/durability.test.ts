// S3 durability with Bonsai as a child process that can be killed with SIGKILL (kill -9):
// an acknowledged PutObject survives a kill and a restart byte for byte; a kill in the middle of
// a large streaming upload leaves no object and, once the restarted Bonsai has served a request,
// no temporary file under <dataDir>/s3/blobs/tmp; and no file of the data directory holds object
// bytes in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import * as S3 from '@aws-sdk/client-s3';
import { killAndWait, spawnBonsai, tempDir, TEST_ENV, type BonsaiProcess } from '../../helpers/bonsai.ts';
import { s3Client } from '../../helpers/s3.ts';

const BUCKET = 'durability';
/** Plaintext that must never reach the disk: 32 bytes nobody else writes. */
const MARKER = 'BONSAI-PLAINTEXT-MARKER-7f3a9c1e';
const MiB = 1024 * 1024;

let dataDir: string;
let bonsai: BonsaiProcess | undefined;

async function start(): Promise<S3.S3Client> {
  bonsai = await spawnBonsai(dataDir, [], TEST_ENV);
  return s3Client(bonsai.endpoint);
}

async function kill9(): Promise<void> {
  assert.equal(await killAndWait(bonsai!.child, 'SIGKILL'), null);
  bonsai = undefined;
}

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.isFile() ? [path] : [];
  });
}

/** A body made of the marker repeated, with a counter so no two 1 MiB pieces are equal. */
function markedPiece(index: number, size = MiB): Buffer {
  const line = `${MARKER} piece ${index}\n`;
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
}

before(async () => {
  dataDir = tempDir('bonsai-durability-');
});
after(async () => {
  if (bonsai) await killAndWait(bonsai.child, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('an acknowledged PutObject survives kill -9 and a restart', async () => {
  const s3 = await start();
  await s3.send(new S3.CreateBucketCommand({ Bucket: BUCKET }));
  const body = Buffer.concat([markedPiece(0), markedPiece(1, 300_000)]);
  const put = await s3.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: body, ContentType: 'text/plain', Metadata: { note: 'acknowledged' } }));
  assert.equal(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
  // kill -9 straight after the 200: no chance to flush anything more.
  await kill9();

  const again = await start();
  const got = await again.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'kept.txt' }));
  assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
  assert.equal(got.ETag, put.ETag);
  assert.equal(got.ContentType, 'text/plain');
  assert.deepEqual(got.Metadata, { note: 'acknowledged' });
  assert.equal(got.ServerSideEncryption, 'AES256');
  await kill9();
});

test('kill -9 in the middle of a 100 MB streaming upload: no object, and no temporary file after a restart', async () => {
  const s3 = await start();
  const tmpDir = join(dataDir, 's3', 'blobs', 'tmp');
  const total = 100 * MiB;
  let sent = 0;
  let killed: Promise<void> | undefined;
  // A slow producer: 1 MiB every 20 ms. After ~20 MiB, once the server has a partial file, kill -9.
  const slow = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      setTimeout(() => {
        const piece = markedPiece(sent / MiB);
        sent += piece.length;
        this.push(piece);
        if (sent >= 20 * MiB && !killed) killed = killWhenPartialFileExists();
      }, 20);
    },
  });
  async function killWhenPartialFileExists(): Promise<void> {
    for (let i = 0; i < 200 && filesUnder(tmpDir).filter((f) => statSync(f).size > 0).length === 0; i++) await sleep(10);
    assert.ok(filesUnder(tmpDir).length > 0, 'the upload in progress has a temporary file under s3/blobs/tmp');
    await kill9();
  }

  const upload = s3.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'interrupted.bin', Body: slow, ContentLength: total }));
  await assert.rejects(upload);
  await killed;
  slow.destroy();
  assert.ok(sent < total, `the upload was cut short (${sent} of ${total} bytes sent)`);

  const again = await start();
  await assert.rejects(again.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'interrupted.bin' })), (err: S3.S3ServiceException) => {
    assert.equal(err.name, 'NotFound');
    assert.equal(err.$metadata.httpStatusCode, 404);
    return true;
  });
  const listed = await again.send(new S3.ListObjectsV2Command({ Bucket: BUCKET }));
  assert.deepEqual(listed.Contents?.map((o) => o.Key), ['kept.txt']);
  assert.deepEqual(filesUnder(tmpDir), []);
  // What is left on disk is one blob per object version.
  const blobs = filesUnder(join(dataDir, 's3', 'blobs'));
  assert.equal(blobs.length, 1, blobs.join('\n'));
  await kill9();
});

test('no file of the data directory holds object bytes in clear', async () => {
  // The data written above (two objects' worth of marker lines, one of them cut short) plus an
  // object whose key and metadata are allowed in the metadata store: the body is not.
  const s3 = await start();
  await s3.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'small.txt', Body: `${MARKER} a short one\n` }));
  // The bytes are there to be found, served back in clear by the API...
  const got = await s3.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'small.txt' }));
  assert.equal(await got.Body!.transformToString(), `${MARKER} a short one\n`);
  await kill9();
  const needle = Buffer.from(MARKER);
  // ...but no file holds them: not the blobs, not the database, its WAL or anything else.
  const files = filesUnder(dataDir);
  assert.ok(files.some((file) => file.includes(join('s3', 'blobs'))), 'the objects have blob files');
  const hits = files.filter((file) => readFileSync(file).includes(needle));
  assert.deepEqual(hits, []);
});
