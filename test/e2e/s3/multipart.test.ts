// S3 multipart uploads end to end with @aws-sdk/client-s3 (default config: flexible checksums on)
// and @aws-sdk/lib-storage's Upload: a 3-part upload with the ETag and checksums computed here,
// ListParts / ListMultipartUploads, UploadPartCopy, every multipart error with its exact code,
// status and message, abort, and the completed object read back byte for byte.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import * as S3 from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, startS3Bonsai } from '../../helpers/s3.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { computeChecksum } from '../../../src/auth/checksums.ts';
import { canonicalUserId } from '../../../src/services/s3/access/acl.ts';
import { blobStoreFor } from '../../../src/services/s3/blobs/index.ts';

let bonsai: TestBonsai;
let client: S3.S3Client;
const BUCKET = 'mpu-bucket';
const MiB = 1024 * 1024;

before(async () => {
  ({ bonsai, client } = await startS3Bonsai(BUCKET));
});
after(() => bonsai?.stop());

/** How many blobs are on disk: replaced, unlisted and aborted parts must not stay behind. */
async function blobCount(): Promise<number> {
  let count = 0;
  for await (const _ of blobStoreFor(bonsai.dataDir.root).list()) count++;
  return count;
}

function md5Hex(data: Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

function expectedMultipartEtag(parts: Buffer[]): string {
  const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
}

async function bodyOf(output: { Body?: unknown }): Promise<Buffer> {
  const body = output.Body as { transformToByteArray(): Promise<Uint8Array> };
  return Buffer.from(await body.transformToByteArray());
}

async function create(key: string, extra: Partial<S3.CreateMultipartUploadCommandInput> = {}): Promise<string> {
  const out = await client.send(new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }));
  assert.ok(out.UploadId && out.UploadId.length >= 64, `upload id ${out.UploadId}`);
  return out.UploadId;
}

const NO_SUCH_UPLOAD =
  'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';
const INVALID_PART =
  "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.";

test('a 3-part upload (5 MiB, 5 MiB, 1 MiB) with CRC32: ETag, composite checksum, ListParts, GetObject byte for byte', async () => {
  const key = 'big/three-parts.bin';
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1 * MiB)];
  const created = await client.send(
    new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ContentType: 'application/x-test', Metadata: { Colour: 'green' }, ChecksumAlgorithm: 'CRC32' }),
  );
  assert.equal(created.Bucket, BUCKET);
  assert.equal(created.Key, key);
  assert.equal(created.ServerSideEncryption, 'AES256');
  assert.equal(created.ChecksumAlgorithm, 'CRC32');
  assert.equal(created.ChecksumType, 'COMPOSITE');
  const uploadId = created.UploadId!;

  const completed: S3.CompletedPart[] = [];
  for (const [i, data] of parts.entries()) {
    const out = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: data, ChecksumAlgorithm: 'CRC32' }));
    assert.equal(out.ETag, `"${md5Hex(data)}"`);
    assert.equal(out.ChecksumCRC32, computeChecksum('crc32', data));
    assert.equal(out.ServerSideEncryption, 'AES256');
    completed.push({ PartNumber: i + 1, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
  }

  const listed = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  assert.equal(listed.Bucket, BUCKET);
  assert.equal(listed.Key, key);
  assert.equal(listed.UploadId, uploadId);
  assert.equal(listed.MaxParts, 1000);
  assert.equal(listed.IsTruncated, false);
  assert.equal(listed.PartNumberMarker, '0' as unknown as number);
  assert.deepEqual(
    listed.Parts!.map((p) => [p.PartNumber, p.ETag, p.Size, p.ChecksumCRC32]),
    parts.map((data, i) => [i + 1, `"${md5Hex(data)}"`, data.length, computeChecksum('crc32', data)]),
  );
  assert.ok(listed.Parts![0]!.LastModified instanceof Date);
  assert.deepEqual(listed.Initiator, { ID: canonicalUserId(TEST_ACCOUNT.accountId) });
  assert.deepEqual(listed.Owner, { ID: canonicalUserId(TEST_ACCOUNT.accountId) });
  assert.equal(listed.StorageClass, 'STANDARD');
  assert.equal(listed.ChecksumAlgorithm, 'CRC32');
  assert.equal(listed.ChecksumType, 'COMPOSITE');

  const paged = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MaxParts: 2 }));
  assert.deepEqual(paged.Parts!.map((p) => p.PartNumber), [1, 2]);
  assert.equal(paged.IsTruncated, true);
  assert.equal(paged.NextPartNumberMarker, '2' as unknown as number);
  const rest = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumberMarker: '2' }));
  assert.deepEqual(rest.Parts!.map((p) => p.PartNumber), [3]);
  assert.equal(rest.IsTruncated, false);

  const done = await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: completed } }));
  const partCrcs = Buffer.concat(parts.map((p) => Buffer.from(computeChecksum('crc32', p), 'base64')));
  assert.equal(done.ETag, expectedMultipartEtag(parts));
  assert.equal(done.ChecksumCRC32, `${computeChecksum('crc32', partCrcs)}-3`);
  assert.equal(done.ChecksumType, 'COMPOSITE');
  assert.equal(done.Bucket, BUCKET);
  assert.equal(done.Key, key);
  assert.equal(done.Location, `${bonsai.endpoint}/${BUCKET}/big/three-parts.bin`);
  assert.equal(done.ServerSideEncryption, 'AES256');
  assert.equal(done.VersionId, undefined);

  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.equal(got.ETag, expectedMultipartEtag(parts));
  assert.equal(got.ContentLength, 11 * MiB);
  assert.equal(got.ContentType, 'application/x-test');
  assert.deepEqual(got.Metadata, { colour: 'green' });
  assert.ok((await bodyOf(got)).equals(Buffer.concat(parts)));

  const second = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2 }));
  assert.equal(second.ContentLength, 5 * MiB);
  assert.equal(second.PartsCount, 3);
  assert.ok((await bodyOf(second)).equals(parts[1]!));

  // Completing twice: the upload is gone.
  const again = await rawFailure(client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: completed } })));
  assert.equal(again.name, 'NoSuchUpload');
  assert.equal(again.status, 404);
  assert.equal(again.message, NO_SUCH_UPLOAD);
  assert.equal(again.fields.UploadId, uploadId);
});

test('FULL_OBJECT CRC32C: the completed checksum is the whole object\'s CRC32C', async () => {
  const key = 'full-object.bin';
  const uploadId = await create(key, { ChecksumAlgorithm: 'CRC32C', ChecksumType: 'FULL_OBJECT' });
  const parts = [randomBytes(5 * MiB), randomBytes(1234)];
  const completed: S3.CompletedPart[] = [];
  for (const [i, data] of parts.entries()) {
    const out = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: i + 1, Body: data, ChecksumAlgorithm: 'CRC32C' }));
    completed.push({ PartNumber: i + 1, ETag: out.ETag });
  }
  const done = await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: completed } }));
  assert.equal(done.ChecksumCRC32C, computeChecksum('crc32c', Buffer.concat(parts)));
  assert.equal(done.ChecksumType, 'FULL_OBJECT');
});

test('lib-storage Upload of 12 MiB in 5 MiB parts', async () => {
  const data = randomBytes(12 * MiB);
  const upload = new Upload({ client, params: { Bucket: BUCKET, Key: 'lib-storage.bin', Body: data }, partSize: 5 * MiB, queueSize: 2 });
  const out = await upload.done();
  assert.equal(out.ETag, expectedMultipartEtag([data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)]));
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'lib-storage.bin' }));
  assert.ok((await bodyOf(got)).equals(data));
});

test('re-uploading a part number replaces it; unlisted parts are dropped at completion', async () => {
  const key = 'replace.txt';
  const blobsBefore = await blobCount();
  const uploadId = await create(key);
  // Over 4 KiB each, so each part is a blob file (smaller ones are inline blobs, with no file to count).
  const [first, secondBody, unlisted] = ['first', 'second', 'unlisted'].map((s) => s.padEnd(5000, '.'));
  await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: first }));
  const second = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: secondBody }));
  await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 7, Body: unlisted }));
  const listed = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  assert.deepEqual(listed.Parts!.map((p) => [p.PartNumber, p.Size]), [[1, 5000], [7, 5000]]);
  await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }] } }));
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.equal((await bodyOf(got)).toString(), secondBody);
  assert.equal(got.ETag, expectedMultipartEtag([Buffer.from(secondBody)]));
  assert.equal(await blobCount(), blobsBefore + 1);
});

test('UploadPart errors: part number range, NoSuchUpload, checksum type mismatch, bad checksum', async () => {
  const key = 'errors.txt';
  const uploadId = await create(key, { ChecksumAlgorithm: 'SHA256' });
  for (const partNumber of [0, 10001]) {
    const e = await rawFailure(client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: 'x' })));
    assert.equal(e.name, 'InvalidArgument');
    assert.equal(e.status, 400);
    assert.equal(e.message, 'Part number must be an integer between 1 and 10000, inclusive');
    assert.equal(e.fields.ArgumentName, 'partNumber');
    assert.equal(e.fields.ArgumentValue, String(partNumber));
  }
  const gone = await rawFailure(client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: 'not-an-upload', PartNumber: 1, Body: 'x' })));
  assert.equal(gone.name, 'NoSuchUpload');
  assert.equal(gone.status, 404);
  assert.equal(gone.message, NO_SUCH_UPLOAD);
  assert.equal(gone.fields.UploadId, 'not-an-upload');

  const otherKey = await rawFailure(client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: 'other-key', UploadId: uploadId, PartNumber: 1, Body: 'x' })));
  assert.equal(otherKey.name, 'NoSuchUpload');

  const mismatch = await failure(client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'x', ChecksumAlgorithm: 'CRC32' })));
  assert.deepEqual(mismatch, { name: 'InvalidRequest', status: 400, message: 'Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32' });

  const wrong = await failure(
    client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'x', ChecksumSHA256: computeChecksum('sha256', Buffer.from('y')) })),
  );
  assert.deepEqual(wrong, { name: 'BadDigest', status: 400, message: 'The SHA256 you specified did not match the calculated checksum.' });
  const listed = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  assert.equal((listed.Parts ?? []).length, 0);
});

test('CompleteMultipartUpload errors: MalformedXML, InvalidPartOrder, InvalidPart, EntityTooSmall, missing part checksum', async () => {
  const key = 'complete-errors.bin';
  const uploadId = await create(key);
  const small = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'small part' }));
  const last = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 2, Body: 'last' }));

  const empty = await failure(client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [] } })));
  assert.deepEqual(empty, {
    name: 'MalformedXML',
    status: 400,
    message: 'The XML you provided was not well-formed or did not validate against our published schema',
  });

  const order = await failure(
    client.send(new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 2, ETag: last.ETag }, { PartNumber: 1, ETag: small.ETag }] },
    })),
  );
  assert.deepEqual(order, { name: 'InvalidPartOrder', status: 400, message: 'The list of parts was not in ascending order. Parts must be ordered by part number.' });

  const badEtag = await rawFailure(
    client.send(new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }] },
    })),
  );
  assert.equal(badEtag.name, 'InvalidPart');
  assert.equal(badEtag.status, 400);
  assert.equal(badEtag.message, INVALID_PART);
  assert.equal(badEtag.fields.UploadId, uploadId);
  assert.equal(badEtag.fields.PartNumber, '1');
  assert.equal(badEtag.fields.ETag, '"0123456789abcdef0123456789abcdef"');

  const missing = await rawFailure(
    client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 3, ETag: last.ETag }] } })),
  );
  assert.equal(missing.name, 'InvalidPart');
  assert.equal(missing.fields.PartNumber, '3');

  const tooSmall = await rawFailure(
    client.send(new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: small.ETag }, { PartNumber: 2, ETag: last.ETag }] },
    })),
  );
  assert.equal(tooSmall.name, 'EntityTooSmall');
  assert.equal(tooSmall.status, 400);
  assert.equal(tooSmall.message, 'Your proposed upload is smaller than the minimum allowed size');
  assert.equal(tooSmall.fields.ProposedSize, '10');
  assert.equal(tooSmall.fields.MinSizeAllowed, '5242880');
  assert.equal(tooSmall.fields.PartNumber, '1');
  assert.equal(tooSmall.fields.ETag, small.ETag);

  // The failed completions left the upload intact: a one-part completion of the last part works.
  const done = await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 2, ETag: last.ETag }] } }));
  assert.equal(done.ETag, expectedMultipartEtag([Buffer.from('last')]));

  const sha = await create('needs-checksums.bin', { ChecksumAlgorithm: 'SHA1' });
  const part = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: 'needs-checksums.bin', UploadId: sha, PartNumber: 1, Body: 'abc', ChecksumAlgorithm: 'SHA1' }));
  assert.equal(part.ChecksumSHA1, computeChecksum('sha1', Buffer.from('abc')));
  const noChecksum = await failure(
    client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'needs-checksums.bin', UploadId: sha, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } })),
  );
  assert.deepEqual(noChecksum, {
    name: 'InvalidRequest',
    status: 400,
    message: 'The upload was created using a sha1 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
  });
});

test('If-None-Match: * completion refuses an existing key and keeps the upload', async () => {
  const key = 'conditional.txt';
  await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'already here' }));
  const uploadId = await create(key);
  const part = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'new' }));
  const parts = { Parts: [{ PartNumber: 1, ETag: part.ETag }] };
  const refused = await rawFailure(client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: parts, IfNoneMatch: '*' })));
  assert.equal(refused.name, 'PreconditionFailed');
  assert.equal(refused.status, 412);
  assert.equal(refused.message, 'At least one of the pre-conditions you specified did not hold');
  assert.equal(refused.fields.Condition, 'If-None-Match');
  const still = await client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  assert.equal(still.Parts!.length, 1);
  await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: parts }));
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.equal((await bodyOf(got)).toString(), 'new');
});

test('UploadPartCopy: whole source and a byte range; range errors', async () => {
  const source = randomBytes(6 * MiB);
  await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'copy-source.bin', Body: source }));
  const key = 'copied.bin';
  const uploadId = await create(key);
  const whole = await client.send(new S3.UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, CopySource: `${BUCKET}/copy-source.bin` }));
  assert.equal(whole.CopyPartResult!.ETag, `"${md5Hex(source)}"`);
  assert.ok(whole.CopyPartResult!.LastModified instanceof Date);
  const ranged = await client.send(
    new S3.UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 2, CopySource: `/${BUCKET}/copy-source.bin`, CopySourceRange: 'bytes=10-109' }),
  );
  assert.equal(ranged.CopyPartResult!.ETag, `"${md5Hex(source.subarray(10, 110))}"`);

  for (const range of ['bytes=5-', 'bytes=9-3', 'items=0-1']) {
    const e = await rawFailure(client.send(new S3.UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 3, CopySource: `${BUCKET}/copy-source.bin`, CopySourceRange: range })));
    assert.equal(e.name, 'InvalidArgument', range);
    assert.equal(e.message, 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy');
    assert.equal(e.fields.ArgumentName, 'x-amz-copy-source-range');
    assert.equal(e.fields.ArgumentValue, range);
  }
  const beyond = await rawFailure(
    client.send(new S3.UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 3, CopySource: `${BUCKET}/copy-source.bin`, CopySourceRange: `bytes=0-${6 * MiB}` })),
  );
  assert.equal(beyond.name, 'InvalidArgument');
  assert.equal(beyond.message, `Range specified is not valid for source object of size: ${6 * MiB}`);

  const noKey = await failure(client.send(new S3.UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 3, CopySource: `${BUCKET}/nope` })));
  assert.deepEqual(noKey, { name: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' });

  await client.send(
    new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: whole.CopyPartResult!.ETag }, { PartNumber: 2, ETag: ranged.CopyPartResult!.ETag }] },
    }),
  );
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key }));
  assert.ok((await bodyOf(got)).equals(Buffer.concat([source, source.subarray(10, 110)])));
});

test('AbortMultipartUpload: 204, the upload and its parts are gone, aborting again is NoSuchUpload', async () => {
  const key = 'aborted.txt';
  const blobsBefore = await blobCount();
  const uploadId = await create(key);
  // Over 4 KiB: a blob file (a smaller part is an inline blob, with no file to count).
  await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'bytes'.padEnd(5000, '.') }));
  assert.equal(await blobCount(), blobsBefore + 1);
  const aborted = await client.send(new S3.AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  assert.equal(aborted.$metadata.httpStatusCode, 204);
  assert.equal(await blobCount(), blobsBefore);
  const listParts = await rawFailure(client.send(new S3.ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })));
  assert.equal(listParts.name, 'NoSuchUpload');
  assert.equal(listParts.fields.UploadId, uploadId);
  const again = await failure(client.send(new S3.AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })));
  assert.deepEqual(again, { name: 'NoSuchUpload', status: 404, message: NO_SUCH_UPLOAD });
});

test('ListMultipartUploads: order by key then initiation, prefix, delimiter, paging markers', async () => {
  const bucket = 'mpu-listing';
  await client.send(new S3.CreateBucketCommand({ Bucket: bucket }));
  const start = async (key: string) => (await client.send(new S3.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))).UploadId!;
  const b1 = await start('b');
  const a1 = await start('a');
  const b2 = await start('b');
  const dir1 = await start('dir/one');
  await start('dir/two');

  const all = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: bucket }));
  assert.deepEqual(all.Uploads!.map((u) => [u.Key, u.UploadId]), [['a', a1], ['b', b1], ['b', b2], ['dir/one', dir1], ['dir/two', all.Uploads![4]!.UploadId]]);
  assert.equal(all.IsTruncated, false);
  assert.equal(all.MaxUploads, 1000);
  assert.equal(all.Bucket, bucket);
  assert.deepEqual(all.Uploads![0]!.Initiator, { ID: canonicalUserId(TEST_ACCOUNT.accountId) });
  assert.equal(all.Uploads![0]!.StorageClass, 'STANDARD');
  assert.ok(all.Uploads![0]!.Initiated instanceof Date);

  const grouped = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: bucket, Delimiter: '/' }));
  assert.deepEqual(grouped.Uploads!.map((u) => u.Key), ['a', 'b', 'b']);
  assert.deepEqual(grouped.CommonPrefixes, [{ Prefix: 'dir/' }]);

  const prefixed = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'dir/' }));
  assert.deepEqual(prefixed.Uploads!.map((u) => u.Key), ['dir/one', 'dir/two']);
  assert.equal(prefixed.Prefix, 'dir/');

  const page1 = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 2 }));
  assert.deepEqual(page1.Uploads!.map((u) => u.UploadId), [a1, b1]);
  assert.equal(page1.IsTruncated, true);
  assert.equal(page1.NextKeyMarker, 'b');
  assert.equal(page1.NextUploadIdMarker, b1);
  const page2 = await client.send(
    new S3.ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 2, KeyMarker: page1.NextKeyMarker, UploadIdMarker: page1.NextUploadIdMarker }),
  );
  assert.deepEqual(page2.Uploads!.map((u) => u.UploadId), [b2, dir1]);
  assert.equal(page2.KeyMarker, 'b');
  assert.equal(page2.UploadIdMarker, b1);

  const afterKey = await client.send(new S3.ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: 'b' }));
  assert.deepEqual(afterKey.Uploads!.map((u) => u.Key), ['dir/one', 'dir/two']);
});

test('CreateMultipartUpload checksum settings: FULL_OBJECT needs a CRC, the type needs an algorithm', async () => {
  const sha = await failure(client.send(new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k', ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' })));
  assert.deepEqual(sha, { name: 'InvalidRequest', status: 400, message: 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.' });
  const nvme = await client.send(new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k', ChecksumAlgorithm: 'CRC64NVME' }));
  assert.equal(nvme.ChecksumType, 'FULL_OBJECT');
  await client.send(new S3.AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'k', UploadId: nvme.UploadId }));
  const noBucket = await failure(client.send(new S3.CreateMultipartUploadCommand({ Bucket: 'no-such-bucket-mpu', Key: 'k' })));
  assert.deepEqual(noBucket, { name: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' });
});

test('a streamed part carries its checksum in a trailer, checked and echoed', async () => {
  const key = 'streamed.bin';
  const uploadId = await create(key, { ChecksumAlgorithm: 'SHA256' });
  const data = randomBytes(300_000);
  const out = await client.send(
    new S3.UploadPartCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, ContentLength: data.length, ChecksumAlgorithm: 'SHA256',
      Body: Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]),
    }),
  );
  assert.equal(out.ETag, `"${md5Hex(data)}"`);
  assert.equal(out.ChecksumSHA256, computeChecksum('sha256', data));
  const done = await client.send(
    new S3.CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256 }] },
    }),
  );
  assert.equal(done.ChecksumSHA256, `${computeChecksum('sha256', Buffer.from(computeChecksum('sha256', data), 'base64'))}-1`);
});

test('SSE-C uploads: every part repeats the key; the object reads back with it', async () => {
  const key = 'sse-c.bin';
  const customerKey = randomBytes(32);
  const sse = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: customerKey.toString('base64') };
  const keyMd5 = createHash('md5').update(customerKey).digest('base64');
  const created = await client.send(new S3.CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...sse }));
  assert.equal(created.SSECustomerAlgorithm, 'AES256');
  assert.equal(created.SSECustomerKeyMD5, keyMd5);
  assert.equal(created.ServerSideEncryption, undefined);
  const uploadId = created.UploadId!;
  const withoutKey = await failure(client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'secret' })));
  assert.deepEqual(withoutKey, {
    name: 'InvalidRequest',
    status: 400,
    message: 'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
  });
  const part = await client.send(new S3.UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'secret', ...sse }));
  assert.equal(part.SSECustomerKeyMD5, keyMd5);
  await client.send(new S3.CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  const got = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: key, ...sse }));
  assert.equal((await bodyOf(got)).toString(), 'secret');
});
