// S3 on the PostgreSQL store: the object, version and multipart tables answer as on SQLite (keys in
// UTF-8 byte order, versions newest first, parts assembled in order), and survive a restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as S3 from '@aws-sdk/client-s3';
import { startTestBonsai, tempDir, type TestBonsai } from '../../helpers/bonsai.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../helpers/postgres.ts';
import { s3Client } from '../../helpers/s3.ts';

const BUCKET = 'pg-objects';
const MiB = 1024 * 1024;

let pg: ThrowawayPostgres;
let dataDir: string;
let bonsai: TestBonsai;
let client: S3.S3Client;

async function start(): Promise<void> {
  bonsai = await startTestBonsai({ store: pg.url, dataDir });
  client = s3Client(bonsai.endpoint);
}

before(async () => {
  pg = await startThrowawayPostgres();
  dataDir = tempDir();
  await start();
  await client.send(new S3.CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => {
  await bonsai?.stop();
  await pg?.stop();
});

const text = async (body: { transformToString(): Promise<string> } | undefined) => (await body!.transformToString()) as string;

test('postgres: ListObjectsV2 gives keys in UTF-8 byte order, with common prefixes', async () => {
  const keys = ['z', 'a', 'B', 'é', '~', '中', 'a/1', 'a/2', 'b/x'];
  for (const key of keys) await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: `list/${key}`, Body: key }));
  const all = await client.send(new S3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/' }));
  assert.deepEqual(
    all.Contents?.map((o) => o.Key),
    ['list/B', 'list/a', 'list/a/1', 'list/a/2', 'list/b/x', 'list/z', 'list/~', 'list/é', 'list/中'],
  );
  const folders = await client.send(new S3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', Delimiter: '/', MaxKeys: 3 }));
  assert.deepEqual([folders.Contents?.map((o) => o.Key), folders.CommonPrefixes?.map((p) => p.Prefix), folders.IsTruncated], [['list/B', 'list/a'], ['list/a/'], true]);
});

test('postgres: versions, a delete marker and restoring by deleting it', async () => {
  const bucket = 'pg-versions';
  await client.send(new S3.CreateBucketCommand({ Bucket: bucket }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const v1 = await client.send(new S3.PutObjectCommand({ Bucket: bucket, Key: 'employee.jpg', Body: 'first' }));
  const v2 = await client.send(new S3.PutObjectCommand({ Bucket: bucket, Key: 'employee.jpg', Body: 'second' }));
  const marker = await client.send(new S3.DeleteObjectCommand({ Bucket: bucket, Key: 'employee.jpg' }));
  assert.equal(marker.DeleteMarker, true);
  const versions = await client.send(new S3.ListObjectVersionsCommand({ Bucket: bucket }));
  assert.deepEqual(versions.Versions?.map((v) => [v.VersionId, v.IsLatest]), [[v2.VersionId, false], [v1.VersionId, false]]);
  assert.deepEqual(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]), [[marker.VersionId, true]]);
  await client.send(new S3.DeleteObjectCommand({ Bucket: bucket, Key: 'employee.jpg', VersionId: marker.VersionId }));
  assert.equal(await text((await client.send(new S3.GetObjectCommand({ Bucket: bucket, Key: 'employee.jpg' }))).Body), 'second');
  assert.equal(await text((await client.send(new S3.GetObjectCommand({ Bucket: bucket, Key: 'employee.jpg', VersionId: v1.VersionId }))).Body), 'first');
});

test('postgres: a multipart upload completes in part order, and everything survives a restart', async () => {
  const part1 = Buffer.alloc(5 * MiB, 1);
  const part2 = Buffer.from('tail');
  const { UploadId } = await client.send(new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big.bin' }));
  // Uploaded out of order: the completion's list decides the order.
  const second = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: 'big.bin', UploadId, PartNumber: 2, Body: part2 }));
  const first = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: 'big.bin', UploadId, PartNumber: 1, Body: part1 }));
  const done = await client.send(
    new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: 'big.bin',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.ETag }, { PartNumber: 2, ETag: second.ETag }] },
    }),
  );
  const md5 = (b: Buffer) => createHash('md5').update(b).digest();
  const expectedEtag = `"${createHash('md5').update(Buffer.concat([md5(part1), md5(part2)])).digest('hex')}-2"`;
  assert.equal(done.ETag, expectedEtag);

  await bonsai.stop();
  await start();
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
  const bytes = Buffer.from(await got.Body!.transformToByteArray());
  assert.equal(got.ETag, expectedEtag);
  assert.equal(bytes.length, 5 * MiB + 4);
  assert.ok(bytes.equals(Buffer.concat([part1, part2])));
  assert.equal(await text((await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'list/中' }))).Body), '中');
  const uploads = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: BUCKET }));
  assert.equal(uploads.Uploads, undefined);
});
