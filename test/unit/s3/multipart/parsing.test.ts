// Request parsing with S3's errors: checksum settings at creation, part numbers, copy sources and
// x-amz-copy-source-range, the copy-source conditions, and the order of listed uploads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thrown } from '../../../helpers/sdk-errors.ts';
import { AwsError } from '../../../../src/core/errors.ts';
import { uploadChecksum } from '../../../../src/services/s3/multipart/create.ts';
import { checkPartNumber } from '../../../../src/services/s3/multipart/uploads.ts';
import { checkCopySourceConditions, parseCopySource, parseCopySourceRange } from '../../../../src/services/s3/multipart/upload-part.ts';
import { afterMarkers, pageOfUploads } from '../../../../src/services/s3/multipart/list.ts';
import type { UploadRecord } from '../../../../src/services/s3/multipart/db.ts';
import type { ObjectVersion } from '../../../../src/services/s3/objects/record.ts';
import type { UploadPartCopyRequest } from '../../../../src/generated/s3/types.ts';

test('uploadChecksum: defaults, allowed pairs and the refusals', () => {
  assert.equal(uploadChecksum(undefined, undefined), undefined);
  assert.deepEqual(uploadChecksum('CRC32', undefined), { algorithm: 'CRC32', type: 'COMPOSITE' });
  assert.deepEqual(uploadChecksum('CRC64NVME', undefined), { algorithm: 'CRC64NVME', type: 'FULL_OBJECT' });
  assert.deepEqual(uploadChecksum('CRC32C', 'FULL_OBJECT'), { algorithm: 'CRC32C', type: 'FULL_OBJECT' });
  assert.deepEqual(thrown(() => uploadChecksum('SHA1', 'FULL_OBJECT')), {
    code: 'InvalidRequest',
    message: 'The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.',
  });
  assert.deepEqual(thrown(() => uploadChecksum('CRC64NVME', 'COMPOSITE')), {
    code: 'InvalidRequest',
    message: 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.',
  });
  assert.equal(thrown(() => uploadChecksum(undefined, 'COMPOSITE')).code, 'InvalidRequest');
});

test('checkPartNumber: 1 to 10000 inclusive, with ArgumentName and ArgumentValue', () => {
  assert.equal(checkPartNumber(1), 1);
  assert.equal(checkPartNumber(10000), 10000);
  for (const bad of [0, -1, 10001, 1.5]) {
    try {
      checkPartNumber(bad);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof AwsError);
      assert.equal(err.code, 'InvalidArgument');
      assert.equal(err.status, 400);
      assert.equal(err.message, 'Part number must be an integer between 1 and 10000, inclusive');
      assert.deepEqual(err.fields, { ArgumentName: 'partNumber', ArgumentValue: String(bad) });
    }
  }
});

test('parseCopySource: leading slash, URL encoding, versionId', () => {
  assert.deepEqual(parseCopySource('bucket/a/b.txt'), { bucket: 'bucket', key: 'a/b.txt' });
  assert.deepEqual(parseCopySource('/bucket/with%20space%2Bplus'), { bucket: 'bucket', key: 'with space+plus' });
  assert.deepEqual(parseCopySource('bucket/k?versionId=abc'), { bucket: 'bucket', key: 'k', versionId: 'abc' });
  assert.equal(thrown(() => parseCopySource('bucket-only')).message, 'Invalid copy source object key');
  assert.equal(thrown(() => parseCopySource('bucket/')).code, 'InvalidArgument');
});

test('parseCopySourceRange: bytes=first-last within the object', () => {
  const form =
    'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy';
  assert.equal(parseCopySourceRange(undefined, 10), undefined);
  assert.deepEqual(parseCopySourceRange('bytes=0-9', 10), { start: 0, end: 9 });
  assert.deepEqual(parseCopySourceRange('bytes=3-3', 10), { start: 3, end: 3 });
  for (const bad of ['bytes=0-', 'bytes=-5', 'bytes=5-1', 'bytes=0-1,3-4', '0-1']) {
    assert.deepEqual(thrown(() => parseCopySourceRange(bad, 10)), { code: 'InvalidArgument', message: form }, bad);
  }
  assert.deepEqual(thrown(() => parseCopySourceRange('bytes=0-10', 10)), {
    code: 'InvalidArgument',
    message: 'Range specified is not valid for source object of size: 10',
  });
  assert.deepEqual(thrown(() => parseCopySourceRange('bytes=10-12', 10)), {
    code: 'InvalidRequest',
    message: 'The specified copy range is invalid for the source object size',
  });
});

test('checkCopySourceConditions: If-Match wins over If-Unmodified-Since, If-None-Match over If-Modified-Since', () => {
  const source = { etag: 'abc', lastModified: '2026-01-01T00:00:10.500Z' } as ObjectVersion;
  const base = { Bucket: 'b', Key: 'k', UploadId: 'u', PartNumber: 1, CopySource: 'b/s' } satisfies UploadPartCopyRequest;
  const before = new Date('2026-01-01T00:00:00Z');
  const after = new Date('2026-01-02T00:00:00Z');
  checkCopySourceConditions({ ...base, CopySourceIfMatch: '"abc"', CopySourceIfUnmodifiedSince: before }, source);
  checkCopySourceConditions({ ...base, CopySourceIfModifiedSince: before }, source);
  const condition = (input: UploadPartCopyRequest) => {
    try {
      checkCopySourceConditions(input, source);
    } catch (err) {
      assert.ok(err instanceof AwsError);
      assert.equal(err.status, 412);
      return err.fields.Condition;
    }
    return undefined;
  };
  assert.equal(condition({ ...base, CopySourceIfMatch: '"other"' }), 'x-amz-copy-source-If-Match');
  assert.equal(condition({ ...base, CopySourceIfNoneMatch: 'abc' }), 'x-amz-copy-source-If-None-Match');
  assert.equal(condition({ ...base, CopySourceIfUnmodifiedSince: before }), 'x-amz-copy-source-If-Unmodified-Since');
  assert.equal(condition({ ...base, CopySourceIfModifiedSince: after }), 'x-amz-copy-source-If-Modified-Since');
  assert.equal(condition({ ...base, CopySourceIfNoneMatch: 'zzz', CopySourceIfModifiedSince: after }), undefined);
});

function upload(key: string, uploadId: string): UploadRecord {
  return { key, uploadId } as UploadRecord;
}

test('afterMarkers and pageOfUploads: markers, common prefixes, truncation', () => {
  const uploads = [upload('a', 'u1'), upload('b', 'z9'), upload('b', 'a1'), upload('c/1', 'u4'), upload('c/2', 'u5'), upload('d', 'u6')];
  assert.deepEqual(afterMarkers(uploads, 'b', undefined).map((u) => u.uploadId), ['u4', 'u5', 'u6']);
  // The marker upload is found: later uploads of that key in listing order (not by id).
  assert.deepEqual(afterMarkers(uploads, 'b', 'z9').map((u) => u.uploadId), ['a1', 'u4', 'u5', 'u6']);
  // An unknown upload-id-marker falls back to ids greater than it.
  assert.deepEqual(afterMarkers(uploads, 'b', 'b').map((u) => u.uploadId), ['z9', 'u4', 'u5', 'u6']);

  const grouped = pageOfUploads(uploads, { prefix: '', delimiter: '/', max: 1000 });
  assert.deepEqual(grouped.entries.map((e) => ('prefix' in e ? e.prefix : e.upload.uploadId)), ['u1', 'z9', 'a1', 'c/', 'u6']);
  assert.equal(grouped.truncated, false);
  const short = pageOfUploads(uploads, { prefix: '', delimiter: '/', max: 4 });
  assert.deepEqual(short.entries.map((e) => ('prefix' in e ? e.prefix : e.upload.uploadId)), ['u1', 'z9', 'a1', 'c/']);
  assert.equal(short.truncated, true);
  // The next page starts at the common prefix given as key marker and does not repeat it.
  const next = pageOfUploads(afterMarkers(uploads, 'c/', undefined), { prefix: '', delimiter: '/', max: 4, keyMarker: 'c/' });
  assert.deepEqual(next.entries.map((e) => ('prefix' in e ? e.prefix : e.upload.uploadId)), ['u6']);
});
