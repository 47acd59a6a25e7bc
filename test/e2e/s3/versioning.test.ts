// S3 versioning end to end with @aws-sdk/client-s3: the seed-003 walkthrough (two versions of
// employee.jpg, a delete marker, GET 404 with x-amz-delete-marker, restoring by deleting the
// marker), version-id reads and deletes, suspended buckets' null versions, ListObjectVersions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, startS3Bonsai } from '../../helpers/s3.ts';
import { canonicalUserId } from '../../../src/services/s3/access/acl.ts';

let bonsai: TestBonsai;
let client: S3.S3Client;

before(async () => {
  ({ bonsai, client } = await startS3Bonsai());
});
after(() => bonsai.stop());

async function versionedBucket(name: string, status: 'Enabled' | 'Suspended' = 'Enabled') {
  await client.send(new S3.CreateBucketCommand({ Bucket: name }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }));
  if (status === 'Suspended') await client.send(new S3.PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Suspended' } }));
}

const text = async (out: S3.GetObjectCommandOutput) => out.Body!.transformToString();

test('seed 003: two versions, a delete marker, 404 with x-amz-delete-marker, restore by deleting the marker', async () => {
  const Bucket = 'c2-versioning-walk';
  await versionedBucket(Bucket);
  const v1 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'employee.jpg', Body: 'photo v1' }));
  const v2 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'employee.jpg', Body: 'photo v2' }));
  assert.match(v1.VersionId!, /^[A-Za-z0-9._]{32}$/);
  assert.match(v2.VersionId!, /^[A-Za-z0-9._]{32}$/);
  assert.notEqual(v1.VersionId, v2.VersionId);

  const latest = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg' }));
  assert.equal(await text(latest), 'photo v2');
  assert.equal(latest.VersionId, v2.VersionId);
  const old = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: v1.VersionId }));
  assert.equal(await text(old), 'photo v1');
  assert.equal(old.VersionId, v1.VersionId);

  const del = await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'employee.jpg' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal(del.DeleteMarker, true);
  assert.match(del.VersionId!, /^[A-Za-z0-9._]{32}$/);

  const gone = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg' })));
  assert.equal(gone.name, 'NoSuchKey');
  assert.equal(gone.status, 404);
  assert.equal(gone.headers['x-amz-delete-marker'], 'true');
  assert.equal(gone.headers['x-amz-version-id'], del.VersionId);
  const head = await rawFailure(client.send(new S3.HeadObjectCommand({ Bucket, Key: 'employee.jpg' })));
  assert.equal(head.status, 404);
  assert.equal(head.headers['x-amz-delete-marker'], 'true');

  const markerGet = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: del.VersionId })));
  assert.equal(markerGet.name, 'MethodNotAllowed');
  assert.equal(markerGet.status, 405);
  assert.equal(markerGet.message, 'The specified method is not allowed against this resource.');
  assert.equal(markerGet.headers['x-amz-delete-marker'], 'true');
  assert.equal(markerGet.fields.ResourceType, 'DeleteMarker');
  assert.equal(markerGet.fields.Method, 'GET');

  const listed = await client.send(new S3.ListObjectVersionsCommand({ Bucket }));
  assert.deepEqual(
    listed.Versions!.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size, v.StorageClass]),
    [
      ['employee.jpg', v2.VersionId, false, 8, 'STANDARD'],
      ['employee.jpg', v1.VersionId, false, 8, 'STANDARD'],
    ],
  );
  assert.deepEqual(listed.DeleteMarkers!.map((m) => [m.Key, m.VersionId, m.IsLatest, m.Owner?.ID]), [['employee.jpg', del.VersionId, true, canonicalUserId(TEST_ACCOUNT.accountId)]]);
  assert.equal((await client.send(new S3.ListObjectsV2Command({ Bucket }))).KeyCount, 0);

  const undelete = await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: del.VersionId }));
  assert.equal(undelete.DeleteMarker, true);
  assert.equal(undelete.VersionId, del.VersionId);
  const restored = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg' }));
  assert.equal(await text(restored), 'photo v2');
  assert.equal(restored.VersionId, v2.VersionId);

  const permanently = await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: v2.VersionId }));
  assert.equal(permanently.VersionId, v2.VersionId);
  assert.equal(permanently.DeleteMarker, undefined);
  assert.equal(await text(await client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg' }))), 'photo v1');

  const noVersion = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: v2.VersionId })));
  assert.equal(noVersion.name, 'NoSuchVersion');
  assert.equal(noVersion.status, 404);
  assert.equal(noVersion.message, 'The specified version does not exist.');
  const malformed = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: 'not-a-version' })));
  assert.equal(malformed.name, 'InvalidArgument');
  assert.equal(malformed.message, 'Invalid version id specified');
});

test('suspended versioning: writes and deletes replace the null version, older versions stay', async () => {
  const Bucket = 'c2-versioning-suspended';
  await versionedBucket(Bucket);
  const kept = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'k', Body: 'kept' }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  const n1 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'k', Body: 'null one' }));
  assert.equal(n1.VersionId, 'null');
  const n2 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'k', Body: 'null two' }));
  assert.equal(n2.VersionId, 'null');
  let versions = await client.send(new S3.ListObjectVersionsCommand({ Bucket }));
  assert.deepEqual(versions.Versions!.map((v) => [v.VersionId, v.IsLatest]), [['null', true], [kept.VersionId, false]]);

  const del = await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(del.DeleteMarker, true);
  assert.equal(del.VersionId, 'null');
  versions = await client.send(new S3.ListObjectVersionsCommand({ Bucket }));
  assert.deepEqual(versions.Versions!.map((v) => [v.VersionId, v.IsLatest]), [[kept.VersionId, false]]);
  assert.deepEqual(versions.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest]), [['null', true]]);
  await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'k', VersionId: 'null' }));
  assert.equal(await text(await client.send(new S3.GetObjectCommand({ Bucket, Key: 'k' }))), 'kept');
});

test('ListObjectVersions pages with KeyMarker/VersionIdMarker; DeleteObjects makes markers', async () => {
  const Bucket = 'c2-versioning-pages';
  await versionedBucket(Bucket);
  const ids: Record<string, string[]> = { a: [], b: [] };
  for (const key of ['a', 'b']) {
    for (let i = 0; i < 3; i++) ids[key]!.unshift((await client.send(new S3.PutObjectCommand({ Bucket, Key: key, Body: `${key}${i}` }))).VersionId!);
  }
  const seen: Array<[string, string]> = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (let page = 0; page < 10; page++) {
    const out = await client.send(new S3.ListObjectVersionsCommand({ Bucket, MaxKeys: 2, KeyMarker, VersionIdMarker }));
    for (const v of out.Versions ?? []) seen.push([v.Key!, v.VersionId!]);
    if (!out.IsTruncated) break;
    KeyMarker = out.NextKeyMarker;
    VersionIdMarker = out.NextVersionIdMarker;
  }
  assert.deepEqual(seen, [...ids.a!.map((id) => ['a', id]), ...ids.b!.map((id) => ['b', id])]);

  const out = await client.send(new S3.DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: ids.b![0] }] } }));
  assert.equal(out.Deleted!.length, 2);
  assert.equal(out.Deleted![0]!.Key, 'a');
  assert.equal(out.Deleted![0]!.DeleteMarker, true);
  assert.match(out.Deleted![0]!.DeleteMarkerVersionId!, /^[A-Za-z0-9._]{32}$/);
  assert.deepEqual(out.Deleted![1], { Key: 'b', VersionId: ids.b![0] });
  const b = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'b' }));
  assert.equal(b.VersionId, ids.b![1]);
  assert.equal(await text(b), 'b1');
  const listed = await client.send(new S3.ListObjectsV2Command({ Bucket }));
  assert.deepEqual(listed.Contents!.map((o) => o.Key), ['b']);
});

test('GetObjectTagging and CopyObject address versions', async () => {
  const Bucket = 'c2-versioning-tags';
  await versionedBucket(Bucket);
  const v1 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 't', Body: 'one', Tagging: 'v=1' }));
  const v2 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 't', Body: 'two' }));
  const t1 = await client.send(new S3.GetObjectTaggingCommand({ Bucket, Key: 't', VersionId: v1.VersionId }));
  assert.deepEqual(t1.TagSet, [{ Key: 'v', Value: '1' }]);
  assert.equal(t1.VersionId, v1.VersionId);
  const copied = await client.send(new S3.CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/t?versionId=${v1.VersionId}` }));
  assert.equal(copied.CopySourceVersionId, v1.VersionId);
  assert.match(copied.VersionId!, /^[A-Za-z0-9._]{32}$/);
  assert.equal(await text(await client.send(new S3.GetObjectCommand({ Bucket, Key: 'copy' }))), 'one');
  assert.notEqual(v1.VersionId, v2.VersionId);
});
