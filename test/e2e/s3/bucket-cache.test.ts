// Bucket records are cached per store (src/services/s3/buckets/cache.ts). Through the API nothing
// may show it: every change made through this Bonsai is seen by the very next request. A change
// made behind its back (another process on the same store) is seen within the cache's 1 s bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import type { TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, s3Client, startS3Bonsai } from '../../helpers/s3.ts';
import { bucketKey, type BucketRecord } from '../../../src/services/s3/buckets/record.ts';
import { BUCKET_CACHE_MAX_AGE_MS } from '../../../src/services/s3/buckets/cache.ts';

let bonsai: TestBonsai;
let client: S3.S3Client;

before(async () => {
  ({ bonsai, client } = await startS3Bonsai());
});
after(() => bonsai.stop());

const put = (Bucket: string, Key: string) => client.send(new S3.PutObjectCommand({ Bucket, Key, Body: 'x' }));

test('versioning switched on and off is seen by the next PutObject each time', async () => {
  const Bucket = 'cache-versioning';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  assert.equal((await put(Bucket, 'a')).VersionId, undefined);
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  assert.match((await put(Bucket, 'a')).VersionId!, /^[A-Za-z0-9._]{32}$/);
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  assert.equal((await put(Bucket, 'a')).VersionId, 'null');
});

test('a public-read policy grants the next anonymous GET; deleting it refuses the one after', async () => {
  const Bucket = 'cache-policy';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await put(Bucket, 'doc.txt');
  await client.send(new S3.DeletePublicAccessBlockCommand({ Bucket }));
  const anonymous = () => fetch(`${bonsai.endpoint}/${Bucket}/doc.txt`);
  assert.equal((await anonymous()).status, 403);
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }],
  });
  await client.send(new S3.PutBucketPolicyCommand({ Bucket, Policy }));
  const granted = await anonymous();
  assert.equal(granted.status, 200);
  assert.equal(await granted.text(), 'x');
  await client.send(new S3.PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
  assert.equal((await anonymous()).status, 403);
  await client.send(new S3.DeletePublicAccessBlockCommand({ Bucket }));
  assert.equal((await anonymous()).status, 200);
  await client.send(new S3.DeleteBucketPolicyCommand({ Bucket }));
  assert.equal((await anonymous()).status, 403);
});

test('a deleted bucket is NoSuchBucket at once; created again in another region, requests get its redirect', async () => {
  const Bucket = 'cache-recreated';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await put(Bucket, 'k');
  await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'k' }));
  await client.send(new S3.DeleteBucketCommand({ Bucket }));
  const gone = await rawFailure(put(Bucket, 'k'));
  assert.equal(gone.name, 'NoSuchBucket');
  assert.equal(gone.status, 404);

  const sydney = s3Client(bonsai.endpoint, { region: 'ap-southeast-2' });
  await sydney.send(new S3.CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'ap-southeast-2' } }));
  const moved = await rawFailure(put(Bucket, 'k'));
  assert.equal(moved.status, 301);
  assert.equal(moved.headers['x-amz-bucket-region'], 'ap-southeast-2');
  assert.equal((await sydney.send(new S3.PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }))).$metadata.httpStatusCode, 200);
  sydney.destroy();
});

test(`a change written to the store behind the API (another process) is seen within ${BUCKET_CACHE_MAX_AGE_MS} ms`, async () => {
  const Bucket = 'cache-elsewhere';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  assert.equal((await put(Bucket, 'a')).VersionId, undefined); // the record is cached now
  const doc = (await bonsai.store.get<BucketRecord>(bucketKey(Bucket)))!;
  await bonsai.store.put(bucketKey(Bucket), { ...doc.value, versioning: 'Enabled' });
  const changedAt = Date.now();
  let versionId: string | undefined;
  while (versionId === undefined && Date.now() - changedAt < BUCKET_CACHE_MAX_AGE_MS + 500) {
    versionId = (await put(Bucket, 'a')).VersionId;
    if (versionId === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The loop's own bound leaves room for slow requests on a busy machine; never seen is the failure.
  assert.match(versionId ?? '', /^[A-Za-z0-9._]{32}$/, `the store change was not seen within ${BUCKET_CACHE_MAX_AGE_MS + 500} ms`);
});
