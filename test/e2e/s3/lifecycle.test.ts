// S3 storage classes, restores and lifecycle execution end to end with @aws-sdk/client-s3: the
// issue's rule (transition to GLACIER after 30 days, expire after 365) observed by moving Bonsai's
// clock through the admin endpoint; noncurrent versions, delete markers and expired delete markers
// on a versioned bucket; aborting incomplete uploads; RestoreObject 202 → ongoing → restored →
// expired with exact errors; storage classes on put, copy and multipart; x-amz-expiration; and
// the removal of blobs a crash left behind when a store's first S3 request arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import * as S3 from '@aws-sdk/client-s3';
import { startTestBonsai, tempDir, type TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, s3Client, startS3Bonsai } from '../../helpers/s3.ts';
import { ADMIN_TOKEN_HEADER } from '../../../src/server/admin.ts';
import { blobStoreFor } from '../../../src/services/s3/blobs/index.ts';
import { rmSync } from 'node:fs';

const DAY = 24 * 60 * 60 * 1000;

let bonsai: TestBonsai;
let client: S3.S3Client;

before(async () => {
  ({ bonsai, client } = await startS3Bonsai());
});
after(() => bonsai.stop());

/** Moves Bonsai's clock forward through POST /_bonsai/clock, as users and tests do. */
async function advanceClock(advance: string): Promise<void> {
  const res = await fetch(`${bonsai.endpoint}/_bonsai/clock`, {
    method: 'POST',
    headers: { [ADMIN_TOKEN_HEADER]: bonsai.dataDir.readAdminToken()!, 'content-type': 'application/json' },
    body: JSON.stringify({ advance }),
  });
  assert.equal(res.status, 200, await res.text());
}

/** The next midnight UTC strictly after `ms` + `days` days: when S3 acts on a rule. */
function dueAfter(from: Date, days: number): Date {
  return new Date((Math.floor((from.getTime() + days * DAY) / DAY) + 1) * DAY);
}

/** Polls until `check` stops throwing (the sweeper ticks every 250 ms); fails after 10 s. */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const body128k = () => randomBytes(128 * 1024);

async function versionsOf(Bucket: string) {
  const out = await client.send(new S3.ListObjectVersionsCommand({ Bucket }));
  return {
    versions: (out.Versions ?? []).map((v) => ({ key: v.Key, id: v.VersionId, latest: v.IsLatest, storageClass: v.StorageClass })),
    markers: (out.DeleteMarkers ?? []).map((m) => ({ key: m.Key, id: m.VersionId, latest: m.IsLatest })),
  };
}

test('the issue\'s rule: GLACIER after 30 days, gone after 365, observed by moving the clock; x-amz-expiration on PUT/GET/HEAD', async () => {
  const Bucket = 'lc-archive-then-expire';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutBucketLifecycleConfigurationCommand({
    Bucket,
    LifecycleConfiguration: {
      Rules: [{ ID: 'archive-then-expire', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }],
    },
  }));
  const put = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'logs/app.log', Body: body128k() }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'keep/readme.txt', Body: body128k() }));
  const head = await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'logs/app.log' }));
  const expected = `expiry-date="${dueAfter(head.LastModified!, 365).toUTCString()}", rule-id="archive-then-expire"`;
  assert.equal(put.Expiration, expected);
  assert.equal(head.Expiration, expected);
  assert.equal(head.StorageClass, undefined);
  const get = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'logs/app.log' }));
  assert.equal(get.Expiration, expected);
  await get.Body!.transformToByteArray();
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'keep/readme.txt' }))).Expiration, undefined);

  // 29 days: nothing has moved yet (the sweeper has had its chance at the new day).
  await advanceClock('29d');
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'logs/app.log' }))).StorageClass, undefined);

  await advanceClock('2d');
  await eventually(async () => {
    assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'logs/app.log' }))).StorageClass, 'GLACIER');
  });
  const listed = await client.send(new S3.ListObjectsV2Command({ Bucket }));
  assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.StorageClass]), [['keep/readme.txt', 'STANDARD'], ['logs/app.log', 'GLACIER']]);
  const refused = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'logs/app.log' })));
  assert.deepEqual([refused.name, refused.status, refused.message, refused.fields.StorageClass], [
    'InvalidObjectState', 403, "The operation is not valid for the object's storage class", 'GLACIER',
  ]);

  await advanceClock('335d');
  await eventually(async () => {
    const gone = await rawFailure(client.send(new S3.HeadObjectCommand({ Bucket, Key: 'logs/app.log' })));
    assert.equal(gone.status, 404);
  });
  const missing = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'logs/app.log' })));
  assert.deepEqual([missing.name, missing.status, missing.message], ['NoSuchKey', 404, 'The specified key does not exist.']);
  const after = await client.send(new S3.ListObjectsV2Command({ Bucket }));
  assert.deepEqual(after.Contents?.map((o) => o.Key), ['keep/readme.txt']);
  // unversioned: removed outright, no delete marker
  assert.deepEqual((await versionsOf(Bucket)).markers, []);
});

test('versioned bucket: noncurrent versions expire, the current one gets a delete marker, then the expired marker goes', async () => {
  const Bucket = 'lc-versioned';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const v1 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'employee.jpg', Body: 'photo v1' }));
  const v2 = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'employee.jpg', Body: 'photo v2' }));
  await client.send(new S3.PutBucketLifecycleConfigurationCommand({
    Bucket,
    LifecycleConfiguration: {
      Rules: [{ ID: 'versions', Status: 'Enabled', Filter: {}, Expiration: { Days: 3 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }],
    },
  }));

  await advanceClock('2d');
  await eventually(async () => {
    assert.deepEqual((await versionsOf(Bucket)).versions, [{ key: 'employee.jpg', id: v2.VersionId, latest: true, storageClass: 'STANDARD' }]);
  });
  const old = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: v1.VersionId })));
  assert.deepEqual([old.name, old.status], ['NoSuchVersion', 404]);

  await advanceClock('2d');
  const marker = await eventually(async () => {
    const state = await versionsOf(Bucket);
    assert.equal(state.markers.length, 1);
    return state;
  });
  assert.deepEqual(marker.versions, [{ key: 'employee.jpg', id: v2.VersionId, latest: false, storageClass: 'STANDARD' }]);
  assert.equal(marker.markers[0]!.latest, true);
  const deleted = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg' })));
  assert.deepEqual([deleted.name, deleted.status, deleted.headers['x-amz-delete-marker']], ['NoSuchKey', 404, 'true']);
  // the old version is still there to restore from, until it has been noncurrent for a day
  const kept = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'employee.jpg', VersionId: v2.VersionId }));
  assert.equal(await kept.Body!.transformToString(), 'photo v2');

  // A day later v2 (noncurrent) goes; the marker, now alone, goes once it is 3 days old.
  await advanceClock('2d');
  await eventually(async () => assert.deepEqual((await versionsOf(Bucket)).versions, []));
  assert.equal((await versionsOf(Bucket)).markers.length, 1);
  await advanceClock('2d');
  await eventually(async () => assert.deepEqual(await versionsOf(Bucket), { versions: [], markers: [] }));
});

test('ExpiredObjectDeleteMarker, NewerNoncurrentVersions and a noncurrent transition', async () => {
  const Bucket = 'lc-markers';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const ids: string[] = [];
  for (let i = 1; i <= 4; i++) ids.push((await client.send(new S3.PutObjectCommand({ Bucket, Key: 'doc.txt', Body: body128k() }))).VersionId!);
  const lone = await client.send(new S3.PutObjectCommand({ Bucket, Key: 'lone.txt', Body: 'x' }));
  await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'lone.txt' }));
  await client.send(new S3.DeleteObjectCommand({ Bucket, Key: 'lone.txt', VersionId: lone.VersionId }));
  assert.equal((await versionsOf(Bucket)).markers.length, 1);
  await client.send(new S3.PutBucketLifecycleConfigurationCommand({
    Bucket,
    LifecycleConfiguration: {
      Rules: [
        { ID: 'markers', Status: 'Enabled', Filter: { Prefix: 'lone' }, Expiration: { ExpiredObjectDeleteMarker: true } },
        {
          ID: 'keep-two', Status: 'Enabled', Filter: { Prefix: 'doc' },
          NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 2 },
          NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER_IR' }],
        },
      ],
    },
  }));
  // The expired marker goes at the next sweep, without moving the clock.
  await eventually(async () => assert.deepEqual((await versionsOf(Bucket)).markers, []));

  await advanceClock('2d');
  await eventually(async () => {
    assert.deepEqual((await versionsOf(Bucket)).versions, [
      { key: 'doc.txt', id: ids[3], latest: true, storageClass: 'STANDARD' },
      { key: 'doc.txt', id: ids[2], latest: false, storageClass: 'GLACIER_IR' },
      { key: 'doc.txt', id: ids[1], latest: false, storageClass: 'GLACIER_IR' },
    ]);
  });
  // GLACIER_IR is readable without a restore
  const ir = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'doc.txt', VersionId: ids[1] }));
  assert.equal(ir.StorageClass, 'GLACIER_IR');
  assert.equal((await ir.Body!.transformToByteArray()).length, 128 * 1024);
});

test('tag and size filters select what expires; a suspended bucket gets a null delete marker', async () => {
  const Bucket = 'lc-filters';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await client.send(new S3.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'small-temp', Body: 'x'.repeat(10), Tagging: 'temp=true&team=a' }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'big-temp', Body: 'x'.repeat(200), Tagging: 'temp=true' }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'small-kept', Body: 'x'.repeat(10), Tagging: 'temp=false' }));
  await client.send(new S3.PutBucketLifecycleConfigurationCommand({
    Bucket,
    LifecycleConfiguration: {
      Rules: [{ ID: 'temp-small', Status: 'Enabled', Filter: { And: { Tags: [{ Key: 'temp', Value: 'true' }], ObjectSizeLessThan: 100 } }, Expiration: { Days: 1 } }],
    },
  }));
  await advanceClock('2d');
  await eventually(async () => {
    const listed = await client.send(new S3.ListObjectsV2Command({ Bucket }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['big-temp', 'small-kept']);
  });
  const state = await versionsOf(Bucket);
  assert.deepEqual(state.markers, [{ key: 'small-temp', id: 'null', latest: true }]);
  assert.deepEqual(state.versions.map((v) => v.key), ['big-temp', 'small-kept'], 'the null version was replaced by the marker');
});

test('AbortIncompleteMultipartUpload: uploads under the prefix are aborted once due, others stay', async () => {
  const Bucket = 'lc-uploads';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  const stale = await client.send(new S3.CreateMultipartUploadCommand({ Bucket, Key: 'tmp/big.bin' }));
  await client.send(new S3.UploadPartCommand({ Bucket, Key: 'tmp/big.bin', UploadId: stale.UploadId, PartNumber: 1, Body: 'part one' }));
  const kept = await client.send(new S3.CreateMultipartUploadCommand({ Bucket, Key: 'data/big.bin' }));
  await client.send(new S3.PutBucketLifecycleConfigurationCommand({
    Bucket,
    LifecycleConfiguration: { Rules: [{ ID: 'abort-tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }] },
  }));
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal((await client.send(new S3.ListMultipartUploadsCommand({ Bucket }))).Uploads?.length, 2);

  await advanceClock('2d');
  await eventually(async () => {
    const uploads = await client.send(new S3.ListMultipartUploadsCommand({ Bucket }));
    assert.deepEqual(uploads.Uploads?.map((u) => [u.Key, u.UploadId]), [['data/big.bin', kept.UploadId]]);
  });
  const gone = await rawFailure(client.send(new S3.ListPartsCommand({ Bucket, Key: 'tmp/big.bin', UploadId: stale.UploadId })));
  assert.deepEqual([gone.name, gone.status], ['NoSuchUpload', 404]);
});

test('RestoreObject: 202, ongoing, 409 while in progress, readable after 5 hours, 200 extends, unreadable after expiry', async () => {
  const Bucket = 'lc-restore';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'cold.txt', Body: 'frozen bytes', StorageClass: 'GLACIER' }));
  const refused = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'cold.txt' })));
  assert.deepEqual([refused.name, refused.status, refused.message, refused.fields.StorageClass], [
    'InvalidObjectState', 403, "The operation is not valid for the object's storage class", 'GLACIER',
  ]);
  const fresh = await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }));
  assert.equal(fresh.StorageClass, 'GLACIER');
  assert.equal(fresh.Restore, undefined);

  const started = await client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'cold.txt', RestoreRequest: { Days: 2, GlacierJobParameters: { Tier: 'Standard' } } }));
  assert.equal(started.$metadata.httpStatusCode, 202);
  const startedAt = bonsai.clock.nowMs();
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }))).Restore, 'ongoing-request="true"');
  const again = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'cold.txt', RestoreRequest: { Days: 2 } })));
  assert.deepEqual([again.name, again.status, again.message], ['RestoreAlreadyInProgress', 409, 'Object restore is already in progress']);
  assert.equal((await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'cold.txt' })))).name, 'InvalidObjectState');

  await advanceClock('4h');
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }))).Restore, 'ongoing-request="true"');
  await advanceClock('1h');
  const expiry = new Date((Math.floor((startedAt + 5 * 3600_000 + 2 * DAY) / DAY) + 1) * DAY);
  const restored = await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }));
  assert.equal(restored.Restore, `ongoing-request="false", expiry-date="${expiry.toUTCString()}"`);
  assert.equal(restored.StorageClass, 'GLACIER');
  const read = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'cold.txt' }));
  assert.equal(await read.Body!.transformToString(), 'frozen bytes');
  const listed = await client.send(new S3.ListObjectsV2Command({ Bucket, OptionalObjectAttributes: ['RestoreStatus'] }));
  assert.deepEqual(listed.Contents?.[0]?.RestoreStatus, { IsRestoreInProgress: false, RestoreExpiryDate: expiry });

  // Reissuing extends the restored copy: 200, now + Days, rounded to midnight.
  const extended = await client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'cold.txt', RestoreRequest: { Days: 5 } }));
  assert.equal(extended.$metadata.httpStatusCode, 200);
  const newExpiry = new Date((Math.floor((bonsai.clock.nowMs() + 5 * DAY) / DAY) + 1) * DAY);
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }))).Restore, `ongoing-request="false", expiry-date="${newExpiry.toUTCString()}"`);

  await advanceClock('7d');
  const expired = await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }));
  assert.equal(expired.Restore, undefined);
  assert.equal((await rawFailure(client.send(new S3.GetObjectCommand({ Bucket, Key: 'cold.txt' })))).name, 'InvalidObjectState');
  // and a new restore can start
  assert.equal((await client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'cold.txt', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } } }))).$metadata.httpStatusCode, 202);
  await advanceClock('5m');
  assert.match((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'cold.txt' }))).Restore!, /^ongoing-request="false", expiry-date="/);
});

test('RestoreObject: DEEP_ARCHIVE takes 48 hours in Bulk; errors for other classes, missing Days, missing keys', async () => {
  const Bucket = 'lc-restore-errors';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'deep.bin', Body: 'deep', StorageClass: 'DEEP_ARCHIVE' }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'hot.txt', Body: 'hot' }));
  await client.send(new S3.PutObjectCommand({ Bucket, Key: 'instant.txt', Body: 'instant', StorageClass: 'GLACIER_IR' }));

  const noDays = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'deep.bin', RestoreRequest: {} })));
  assert.deepEqual([noDays.name, noDays.status, noDays.message], [
    'MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema',
  ]);
  const expedited = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'deep.bin', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Expedited' } } })));
  assert.deepEqual([expedited.name, expedited.status], ['InvalidArgument', 400]);
  for (const Key of ['hot.txt', 'instant.txt']) {
    const notArchived = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket, Key, RestoreRequest: { Days: 1 } })));
    assert.deepEqual([notArchived.name, notArchived.status, notArchived.message], ['InvalidObjectState', 403, "Restore is not allowed for the object's current storage class"]);
  }
  const instant = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'instant.txt' }));
  assert.equal(await instant.Body!.transformToString(), 'instant');
  const missing = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'nope', RestoreRequest: { Days: 1 } })));
  assert.deepEqual([missing.name, missing.status, missing.message], ['NoSuchKey', 404, 'The specified key does not exist.']);
  const noBucket = await rawFailure(client.send(new S3.RestoreObjectCommand({ Bucket: 'lc-no-such-bucket', Key: 'k', RestoreRequest: { Days: 1 } })));
  assert.deepEqual([noBucket.name, noBucket.status], ['NoSuchBucket', 404]);

  const bulk = await client.send(new S3.RestoreObjectCommand({ Bucket, Key: 'deep.bin', RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: 'Bulk' } } }));
  assert.equal(bulk.$metadata.httpStatusCode, 202);
  await advanceClock('47h');
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'deep.bin' }))).Restore, 'ongoing-request="true"');
  await advanceClock('1h');
  const deep = await client.send(new S3.GetObjectCommand({ Bucket, Key: 'deep.bin' }));
  assert.equal(deep.StorageClass, 'DEEP_ARCHIVE');
  assert.equal(await deep.Body!.transformToString(), 'deep');
});

test('storage classes: every class accepted and returned on put, copy changes it, multipart keeps it, bad ones refused', async () => {
  const Bucket = 'lc-classes';
  await client.send(new S3.CreateBucketCommand({ Bucket }));
  const classes = ['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR'] as const;
  for (const StorageClass of classes) {
    await client.send(new S3.PutObjectCommand({ Bucket, Key: `by-class/${StorageClass}`, Body: StorageClass, StorageClass }));
    const head = await client.send(new S3.HeadObjectCommand({ Bucket, Key: `by-class/${StorageClass}` }));
    assert.equal(head.StorageClass, StorageClass === 'STANDARD' ? undefined : StorageClass, StorageClass);
  }
  const listed = await client.send(new S3.ListObjectsV2Command({ Bucket, Prefix: 'by-class/' }));
  assert.deepEqual(listed.Contents?.map((o) => o.StorageClass).sort(), [...classes].sort());

  // Copying an object onto itself with a new class changes it (the usual way to move one).
  await client.send(new S3.CopyObjectCommand({ Bucket, Key: 'by-class/STANDARD', CopySource: `${Bucket}/by-class/STANDARD`, StorageClass: 'ONEZONE_IA' }));
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'by-class/STANDARD' }))).StorageClass, 'ONEZONE_IA');
  // An archived source cannot be copied until restored.
  const frozen = await rawFailure(client.send(new S3.CopyObjectCommand({ Bucket, Key: 'copy-of-glacier', CopySource: `${Bucket}/by-class/GLACIER`, StorageClass: 'STANDARD' })));
  assert.deepEqual([frozen.name, frozen.status], ['InvalidObjectState', 403]);

  const upload = await client.send(new S3.CreateMultipartUploadCommand({ Bucket, Key: 'multi', StorageClass: 'DEEP_ARCHIVE' }));
  const part = await client.send(new S3.UploadPartCommand({ Bucket, Key: 'multi', UploadId: upload.UploadId, PartNumber: 1, Body: 'only part' }));
  await client.send(new S3.CompleteMultipartUploadCommand({ Bucket, Key: 'multi', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  assert.equal((await client.send(new S3.HeadObjectCommand({ Bucket, Key: 'multi' }))).StorageClass, 'DEEP_ARCHIVE');

  const bad = await rawFailure(client.send(new S3.PutObjectCommand({ Bucket, Key: 'bad', Body: 'x', StorageClass: 'COLD' as never })));
  assert.deepEqual([bad.name, bad.status, bad.message], ['InvalidStorageClass', 400, 'The storage class you specified is not valid']);
});

test('crash leftovers: a blob written without metadata is removed by the first request; objects and parts in progress stay', async () => {
  const dataDir = tempDir();
  try {
    let first = await startTestBonsai({ dataDir });
    let s3 = s3Client(first.endpoint);
    const Bucket = 'lc-orphans';
    await s3.send(new S3.CreateBucketCommand({ Bucket }));
    // Bodies over 4 KiB, so each blob is a file (smaller ones are inline blobs, which list() never yields).
    const [committed, inProgress, neverCommitted] = ['committed', 'in progress', 'never committed'].map((s) => s.padEnd(5000, '.'));
    await s3.send(new S3.PutObjectCommand({ Bucket, Key: 'kept.txt', Body: committed }));
    const upload = await s3.send(new S3.CreateMultipartUploadCommand({ Bucket, Key: 'pending.bin' }));
    const part = await s3.send(new S3.UploadPartCommand({ Bucket, Key: 'pending.bin', UploadId: upload.UploadId, PartNumber: 1, Body: inProgress }));
    s3.destroy(); // no idle keep-alive socket to hold the server's shutdown
    await first.close();

    // What a kill -9 between a blob's write and its metadata commit leaves.
    const blobs = blobStoreFor(dataDir);
    const orphan = await blobs.write(Readable.from([Buffer.from(neverCommitted)]), { key: randomBytes(32) });
    const listIds = async () => {
      const ids: string[] = [];
      for await (const id of blobs.list()) ids.push(id);
      return ids;
    };
    assert.equal((await listIds()).length, 3);
    assert.ok((await listIds()).includes(orphan.blobId));

    first = await startTestBonsai({ dataDir });
    s3 = s3Client(first.endpoint);
    await s3.send(new S3.ListBucketsCommand({}));
    const remaining = await listIds();
    assert.equal(remaining.length, 2);
    assert.ok(!remaining.includes(orphan.blobId));
    const kept = await s3.send(new S3.GetObjectCommand({ Bucket, Key: 'kept.txt' }));
    assert.equal(await kept.Body!.transformToString(), committed);
    await s3.send(new S3.CompleteMultipartUploadCommand({ Bucket, Key: 'pending.bin', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    const completed = await s3.send(new S3.GetObjectCommand({ Bucket, Key: 'pending.bin' }));
    assert.equal(await completed.Body!.transformToString(), inProgress);
    s3.destroy();
    await first.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
