// S3 listings end to end with @aws-sdk/client-s3: ListObjectsV2 (prefix, delimiter,
// CommonPrefixes, MaxKeys, continuation tokens, StartAfter, EncodingType=url, FetchOwner,
// KeyCount), ListObjects v1 (Marker/NextMarker), UTF-8 byte order, and 10,000 keys paged quickly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { startS3Bonsai } from '../../helpers/s3.ts';
import { canonicalUserId } from '../../../src/services/s3/access/acl.ts';
import type { ObjectVersion } from '../../../src/services/s3/objects/record.ts';
import { insertVersionRow } from '../../../src/services/s3/objects/table.ts';

let bonsai: TestBonsai;
let client: S3.S3Client;
const Bucket = 'c2-listing';
const KEYS = ['a.txt', 'photos/2006/jan/1.jpg', 'photos/2006/feb/2.jpg', 'photos/2007/3.jpg', 'photos/index.html', 'z b+c.txt', 'é.txt', 'Z.txt', 'videos/1.mp4'];

before(async () => {
  ({ bonsai, client } = await startS3Bonsai(Bucket));
  for (const Key of KEYS) await client.send(new S3.PutObjectCommand({ Bucket, Key, Body: Key }));
});
after(() => bonsai.stop());

/** Writes version rows through the objects part's own SQL, so the test measures listing, not 10,000 uploads. */
async function seedVersions(bucket: string, count: number): Promise<void> {
  await bonsai.store.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const version: ObjectVersion = {
        bucket,
        key: `dir${i % 10}/file${String(i).padStart(5, '0')}`,
        versionId: 'null',
        isDeleteMarker: false,
        lastModified: '2026-01-01T00:00:00.000Z',
        ownerAccountId: TEST_ACCOUNT.accountId,
        size: 1,
        etag: 'c4ca4238a0b923820dcc509a6f75849b',
        storageClass: 'STANDARD',
        blobs: [],
        encryption: { kind: 'SSE-S3' },
        contentHeaders: {},
        metadata: {},
      };
      await insertVersionRow(tx, version, 1);
    }
  });
}

const byteOrder = (keys: string[]) => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

test('ListObjectsV2 lists every key in UTF-8 byte order with sizes, ETags, checksum algorithm, storage class', async () => {
  const out = await client.send(new S3.ListObjectsV2Command({ Bucket }));
  assert.deepEqual(out.Contents!.map((o) => o.Key), byteOrder(KEYS));
  assert.equal(out.KeyCount, KEYS.length);
  assert.equal(out.IsTruncated, false);
  assert.equal(out.MaxKeys, 1000);
  assert.equal(out.Name, Bucket);
  assert.equal(out.Prefix, '');
  const first = out.Contents![0]!;
  assert.equal(first.Key, 'Z.txt');
  assert.equal(first.Size, 5);
  assert.match(first.ETag!, /^"[0-9a-f]{32}"$/);
  assert.deepEqual(first.ChecksumAlgorithm, ['CRC32']);
  assert.equal(first.ChecksumType, 'FULL_OBJECT');
  assert.equal(first.StorageClass, 'STANDARD');
  assert.equal(first.Owner, undefined);
  const owned = await client.send(new S3.ListObjectsV2Command({ Bucket, FetchOwner: true, MaxKeys: 1 }));
  assert.deepEqual(owned.Contents![0]!.Owner, { ID: canonicalUserId(TEST_ACCOUNT.accountId) });
});

test('prefix and delimiter roll keys up into CommonPrefixes', async () => {
  const top = await client.send(new S3.ListObjectsV2Command({ Bucket, Delimiter: '/' }));
  assert.deepEqual(top.Contents!.map((o) => o.Key), ['Z.txt', 'a.txt', 'z b+c.txt', 'é.txt']);
  assert.deepEqual(top.CommonPrefixes, [{ Prefix: 'photos/' }, { Prefix: 'videos/' }]);
  assert.equal(top.KeyCount, 6);
  assert.equal(top.Delimiter, '/');
  const photos = await client.send(new S3.ListObjectsV2Command({ Bucket, Prefix: 'photos/', Delimiter: '/' }));
  assert.deepEqual(photos.Contents!.map((o) => o.Key), ['photos/index.html']);
  assert.deepEqual(photos.CommonPrefixes, [{ Prefix: 'photos/2006/' }, { Prefix: 'photos/2007/' }]);
  const none = await client.send(new S3.ListObjectsV2Command({ Bucket, Prefix: 'nothing/' }));
  assert.equal(none.Contents, undefined);
  assert.equal(none.KeyCount, 0);
});

test('MaxKeys and continuation tokens page through keys and prefixes without repeats', async () => {
  const seen: string[] = [];
  let ContinuationToken: string | undefined;
  let pages = 0;
  for (;;) {
    const out = await client.send(new S3.ListObjectsV2Command({ Bucket, Delimiter: '/', MaxKeys: 2, ContinuationToken }));
    pages++;
    seen.push(...(out.Contents ?? []).map((o) => o.Key!), ...(out.CommonPrefixes ?? []).map((p) => p.Prefix!));
    assert.equal(out.KeyCount, (out.Contents?.length ?? 0) + (out.CommonPrefixes?.length ?? 0));
    if (!out.IsTruncated) {
      assert.equal(out.NextContinuationToken, undefined);
      break;
    }
    assert.ok(out.NextContinuationToken);
    ContinuationToken = out.NextContinuationToken;
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), ['Z.txt', 'a.txt', 'photos/', 'videos/', 'z b+c.txt', 'é.txt'].sort());
  const bad = await client.send(new S3.ListObjectsV2Command({ Bucket, ContinuationToken: 'garbage' })).catch((e: Error & { ArgumentName?: string }) => e);
  assert.ok(bad instanceof Error);
  assert.equal(bad.name, 'InvalidArgument');
  assert.equal(bad.message, 'The continuation token provided is incorrect');
  assert.equal((bad as { ArgumentName?: string }).ArgumentName, 'continuation-token');
});

test('StartAfter and EncodingType=url', async () => {
  const after = await client.send(new S3.ListObjectsV2Command({ Bucket, StartAfter: 'photos/index.html' }));
  assert.deepEqual(after.Contents!.map((o) => o.Key), ['videos/1.mp4', 'z b+c.txt', 'é.txt']);
  assert.equal(after.StartAfter, 'photos/index.html');
  const encoded = await client.send(new S3.ListObjectsV2Command({ Bucket, EncodingType: 'url', StartAfter: 'videos/' }));
  assert.deepEqual(encoded.Contents!.map((o) => o.Key), ['videos/1.mp4', 'z+b%2Bc.txt', '%C3%A9.txt']);
  assert.equal(encoded.EncodingType, 'url');
  const badEncoding = await client.send(new S3.ListObjectsV2Command({ Bucket, EncodingType: 'base64' as 'url' })).catch((e: Error) => e);
  assert.ok(badEncoding instanceof Error);
  assert.equal(badEncoding.name, 'InvalidArgument');
  assert.equal(badEncoding.message, 'Invalid Encoding Method specified in Request');
});

test('ListObjects v1: Owner always, NextMarker only with a delimiter', async () => {
  const plain = await client.send(new S3.ListObjectsCommand({ Bucket, MaxKeys: 3 }));
  assert.equal(plain.IsTruncated, true);
  assert.equal(plain.NextMarker, undefined);
  assert.equal(plain.Marker, '');
  assert.deepEqual(plain.Contents![0]!.Owner, { ID: canonicalUserId(TEST_ACCOUNT.accountId) });
  const next = await client.send(new S3.ListObjectsCommand({ Bucket, Marker: plain.Contents![2]!.Key }));
  assert.deepEqual(next.Contents!.map((o) => o.Key), byteOrder(KEYS).slice(3));
  const delimited = await client.send(new S3.ListObjectsCommand({ Bucket, Delimiter: '/', MaxKeys: 3 }));
  assert.equal(delimited.IsTruncated, true);
  assert.equal(delimited.NextMarker, 'photos/');
  const rest = await client.send(new S3.ListObjectsCommand({ Bucket, Delimiter: '/', Marker: 'photos/' }));
  assert.deepEqual(rest.Contents!.map((o) => o.Key), ['z b+c.txt', 'é.txt']);
  assert.deepEqual(rest.CommonPrefixes, [{ Prefix: 'videos/' }]);
});

test('10,000 keys: every page is an index scan (all keys listed in well under the time a scan per page would take)', async () => {
  const big = 'c2-listing-big';
  await client.send(new S3.CreateBucketCommand({ Bucket: big }));
  await seedVersions(big, 10_000);
  const started = Date.now();
  let count = 0;
  let ContinuationToken: string | undefined;
  let lastKey = '';
  for (;;) {
    const out = await client.send(new S3.ListObjectsV2Command({ Bucket: big, ContinuationToken }));
    for (const o of out.Contents ?? []) {
      assert.ok(o.Key! > lastKey);
      lastKey = o.Key!;
      count++;
    }
    if (!out.IsTruncated) break;
    ContinuationToken = out.NextContinuationToken;
  }
  const elapsed = Date.now() - started;
  assert.equal(count, 10_000);
  // Generous for a shared CI machine; an unindexed or load-everything listing is far slower.
  assert.ok(elapsed < 20_000, `listing 10,000 keys took ${elapsed} ms`);
  const folders = await client.send(new S3.ListObjectsV2Command({ Bucket: big, Delimiter: '/' }));
  assert.deepEqual(folders.CommonPrefixes!.map((p) => p.Prefix), ['dir0/', 'dir1/', 'dir2/', 'dir3/', 'dir4/', 'dir5/', 'dir6/', 'dir7/', 'dir8/', 'dir9/']);
  assert.equal(folders.Contents, undefined);
});
