// S3 objects end to end with @aws-sdk/client-s3 in its default configuration (flexible checksums
// on) plus forcePathStyle: PutObject/GetObject/HeadObject with their headers and errors, ranges,
// conditional reads and writes, SSE-C, storage classes, tagging, CopyObject, DeleteObjects,
// GetObjectAttributes, and that no plaintext reaches the data directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as S3 from '@aws-sdk/client-s3';
import type { TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, startS3Bonsai } from '../../helpers/s3.ts';

let bonsai: TestBonsai;
let client: S3.S3Client;
const BUCKET = 'c2-objects';

before(async () => {
  ({ bonsai, client } = await startS3Bonsai(BUCKET));
});
after(() => bonsai.stop());

const md5hex = (text: string) => createHash('md5').update(text).digest('hex');

async function put(key: string, body: string, extra: Partial<S3.PutObjectCommandInput> = {}) {
  return client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
}

async function getText(input: Partial<S3.GetObjectCommandInput> & { Key: string }) {
  const out = await client.send(new S3.GetObjectCommand({ Bucket: BUCKET, ...input }));
  return { out, text: await out.Body!.transformToString() };
}

test('PutObject then GetObject: ETag, checksum, encryption, content headers, metadata', async () => {
  const put1 = await put('docs/hello.txt', 'hello world', {
    ContentType: 'text/plain',
    CacheControl: 'max-age=60',
    ContentDisposition: 'inline',
    ContentLanguage: 'en',
    Metadata: { Owner: 'Alice', 'x-Thing': '1' },
  });
  assert.equal(put1.ETag, `"${md5hex('hello world')}"`);
  assert.equal(put1.ServerSideEncryption, 'AES256');
  assert.equal(put1.ChecksumCRC32, 'DUoRhQ=='); // the SDK's default CRC32, echoed
  assert.equal(put1.ChecksumType, 'FULL_OBJECT');
  assert.equal(put1.VersionId, undefined);

  const { out, text } = await getText({ Key: 'docs/hello.txt', ChecksumMode: 'ENABLED' });
  assert.equal(text, 'hello world');
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.equal(out.ContentLength, 11);
  assert.equal(out.ContentType, 'text/plain');
  assert.equal(out.CacheControl, 'max-age=60');
  assert.equal(out.ContentDisposition, 'inline');
  assert.equal(out.ContentLanguage, 'en');
  assert.deepEqual(out.Metadata, { owner: 'Alice', 'x-thing': '1' });
  assert.equal(out.ETag, `"${md5hex('hello world')}"`);
  assert.equal(out.AcceptRanges, 'bytes');
  assert.equal(out.ServerSideEncryption, 'AES256');
  assert.equal(out.ChecksumCRC32, 'DUoRhQ==');
  assert.equal(out.ChecksumType, 'FULL_OBJECT');
  assert.equal(out.StorageClass, undefined);
  assert.equal(out.VersionId, undefined);
  assert.ok(out.LastModified instanceof Date);
  assert.equal(out.LastModified.getMilliseconds(), 0);
});

test('an object without a Content-Type is binary/octet-stream; empty bodies work', async () => {
  await client.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'empty', Body: new Uint8Array(0) }));
  const head = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'empty' }));
  assert.equal(head.ContentLength, 0);
  assert.equal(head.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
  const { text } = await getText({ Key: 'empty' });
  assert.equal(text, '');
});

test('GetObject of a missing key: 404 NoSuchKey with the Key; HeadObject: 404 NotFound without a body', async () => {
  const get = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'nope/missing.txt' })));
  assert.equal(get.name, 'NoSuchKey');
  assert.equal(get.message, 'The specified key does not exist.');
  assert.equal(get.status, 404);
  assert.equal(get.fields.Key, 'nope/missing.txt');
  const head = await rawFailure(client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'nope/missing.txt' })));
  assert.equal(head.name, 'NotFound');
  assert.equal(head.status, 404);
  const bucket = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: 'c2-no-such-bucket', Key: 'k' })));
  assert.equal(bucket.name, 'NoSuchBucket');
});

test('Range: 206 with Content-Range; suffix and open ranges; unsatisfiable 416 InvalidRange', async () => {
  await put('range.txt', '0123456789');
  const a = await getText({ Key: 'range.txt', Range: 'bytes=2-5' });
  assert.equal(a.text, '2345');
  assert.equal(a.out.$metadata.httpStatusCode, 206);
  assert.equal(a.out.ContentRange, 'bytes 2-5/10');
  assert.equal(a.out.ContentLength, 4);
  const b = await getText({ Key: 'range.txt', Range: 'bytes=-3' });
  assert.equal(b.text, '789');
  assert.equal(b.out.ContentRange, 'bytes 7-9/10');
  const c = await getText({ Key: 'range.txt', Range: 'bytes=8-100' });
  assert.equal(c.text, '89');
  assert.equal(c.out.ContentRange, 'bytes 8-9/10');
  const bad = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=10-20' })));
  assert.equal(bad.name, 'InvalidRange');
  assert.equal(bad.status, 416);
  assert.equal(bad.message, 'The requested range is not satisfiable');
  assert.equal(bad.fields.ActualObjectSize, '10');
  assert.equal(bad.fields.RangeRequested, 'bytes=10-20');
  const whole = await getText({ Key: 'range.txt', Range: 'bytes=5-2' });
  assert.equal(whole.out.$metadata.httpStatusCode, 200);
  assert.equal(whole.text, '0123456789');
  const head = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=0-0' }));
  assert.equal(head.$metadata.httpStatusCode, 206);
  assert.equal(head.ContentLength, 1);
  const part = await getText({ Key: 'range.txt', PartNumber: 1 });
  assert.equal(part.out.$metadata.httpStatusCode, 206);
  assert.equal(part.text, '0123456789');
  const badPart = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', PartNumber: 2 })));
  assert.equal(badPart.name, 'InvalidPartNumber');
  assert.equal(badPart.status, 416);
});

test('conditional reads: If-Match 412, If-None-Match 304, dates, and their precedence', async () => {
  const put1 = await put('cond.txt', 'conditional');
  const etag = put1.ETag!;
  const head = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'cond.txt' }));
  const modified = head.LastModified!;
  const before = new Date(modified.getTime() - 60_000);
  const later = new Date(modified.getTime() + 60_000);

  assert.equal((await getText({ Key: 'cond.txt', IfMatch: etag })).text, 'conditional');
  const pf = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: '"0000"' })));
  assert.equal(pf.name, 'PreconditionFailed');
  assert.equal(pf.status, 412);
  assert.equal(pf.message, 'At least one of the pre-conditions you specified did not hold');
  assert.equal(pf.fields.Condition, 'If-Match');

  const nm = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfNoneMatch: etag })));
  assert.equal(nm.status, 304);
  assert.equal(nm.headers.etag, etag);
  const ims = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfModifiedSince: later })));
  assert.equal(ims.status, 304);
  assert.equal((await getText({ Key: 'cond.txt', IfModifiedSince: before })).text, 'conditional');
  const ius = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfUnmodifiedSince: before })));
  assert.equal(ius.status, 412);
  assert.equal(ius.fields.Condition, 'If-Unmodified-Since');
  // If-Match true wins over If-Unmodified-Since false; If-None-Match false (no match) wins over If-Modified-Since.
  assert.equal((await getText({ Key: 'cond.txt', IfMatch: etag, IfUnmodifiedSince: before })).text, 'conditional');
  assert.equal((await getText({ Key: 'cond.txt', IfNoneMatch: '"other"', IfModifiedSince: later })).text, 'conditional');
  const headNm = await rawFailure(client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfNoneMatch: etag })));
  assert.equal(headNm.status, 304);
});

test('conditional writes: If-None-Match * refuses an existing key; If-Match needs the current ETag', async () => {
  const first = await put('cw.txt', 'one', { IfNoneMatch: '*' });
  const again = await rawFailure(put('cw.txt', 'two', { IfNoneMatch: '*' }));
  assert.equal(again.name, 'PreconditionFailed');
  assert.equal(again.status, 412);
  assert.equal(again.fields.Condition, 'If-None-Match');
  const wrong = await rawFailure(put('cw.txt', 'two', { IfMatch: '"abc"' }));
  assert.equal(wrong.name, 'PreconditionFailed');
  assert.equal(wrong.fields.Condition, 'If-Match');
  const missing = await rawFailure(put('cw-missing.txt', 'two', { IfMatch: '"abc"' }));
  assert.equal(missing.name, 'NoSuchKey');
  assert.equal(missing.status, 404);
  await put('cw.txt', 'two', { IfMatch: first.ETag });
  assert.equal((await getText({ Key: 'cw.txt' })).text, 'two');
});

test('Content-MD5 and checksum headers: BadDigest and InvalidDigest with S3 messages', async () => {
  const good = createHash('md5').update('digest me').digest('base64');
  await put('md5.txt', 'digest me', { ContentMD5: good });
  const bad = await rawFailure(put('md5.txt', 'digest me', { ContentMD5: createHash('md5').update('other').digest('base64') }));
  assert.equal(bad.name, 'BadDigest');
  assert.equal(bad.message, 'The Content-MD5 you specified did not match what we received.');
  const invalid = await rawFailure(put('md5.txt', 'digest me', { ContentMD5: 'not-base64!' }));
  assert.equal(invalid.name, 'InvalidDigest');
  assert.equal(invalid.message, 'The Content-MD5 you specified is not valid.');
  const sha = await put('sha.txt', 'abc', { ChecksumAlgorithm: 'SHA256' });
  assert.equal(sha.ChecksumSHA256, 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
  const wrongCrc = await rawFailure(put('crc.txt', 'abc', { ChecksumCRC32: 'AAAAAA==' }));
  assert.equal(wrongCrc.name, 'BadDigest');
  assert.equal(wrongCrc.message, 'The CRC32 you specified did not match the calculated checksum.');
  const missing = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'crc.txt' })));
  assert.equal(missing.name, 'NoSuchKey');
});

test('metadata over 2 KB: MetadataTooLarge', async () => {
  const f = await rawFailure(put('meta.txt', 'x', { Metadata: { big: 'v'.repeat(2100) } }));
  assert.equal(f.name, 'MetadataTooLarge');
  assert.equal(f.message, 'Your metadata headers exceed the maximum allowed metadata size.');
  assert.equal(f.fields.MaxSizeAllowed, '2048');
  assert.equal(f.fields.Size, String(3 + 2100));
});

test('storage classes are stored and returned (except STANDARD); GLACIER needs a restore', async () => {
  for (const storageClass of ['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'REDUCED_REDUNDANCY', 'GLACIER_IR'] as const) {
    await put(`sc/${storageClass}`, 'x', { StorageClass: storageClass });
    const head = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: `sc/${storageClass}` }));
    assert.equal(head.StorageClass, storageClass);
  }
  await put('sc/GLACIER', 'cold', { StorageClass: 'GLACIER' });
  const head = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'sc/GLACIER' }));
  assert.equal(head.StorageClass, 'GLACIER');
  const f = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'sc/GLACIER' })));
  assert.equal(f.name, 'InvalidObjectState');
  assert.equal(f.status, 403);
  assert.equal(f.message, "The operation is not valid for the object's storage class");
  assert.equal(f.fields.StorageClass, 'GLACIER');
  const list = await client.send(new S3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'sc/' }));
  assert.deepEqual(
    list.Contents!.map((o) => [o.Key, o.StorageClass]),
    [['sc/GLACIER', 'GLACIER'], ['sc/GLACIER_IR', 'GLACIER_IR'], ['sc/INTELLIGENT_TIERING', 'INTELLIGENT_TIERING'], ['sc/ONEZONE_IA', 'ONEZONE_IA'], ['sc/REDUCED_REDUNDANCY', 'REDUCED_REDUNDANCY'], ['sc/STANDARD_IA', 'STANDARD_IA']],
  );
});

test('SSE-C: the same key reads; no key is InvalidRequest, another key AccessDenied', async () => {
  const key = 'k'.repeat(32);
  const other = 'o'.repeat(32);
  const keyMd5 = createHash('md5').update(key).digest('base64');
  const putOut = await put('ssec.txt', 'secret text', { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
  assert.equal(putOut.SSECustomerAlgorithm, 'AES256');
  assert.equal(putOut.SSECustomerKeyMD5, keyMd5);
  assert.equal(putOut.ServerSideEncryption, undefined);
  const { out, text } = await getText({ Key: 'ssec.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
  assert.equal(text, 'secret text');
  assert.equal(out.SSECustomerKeyMD5, keyMd5);
  const none = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'ssec.txt' })));
  assert.equal(none.name, 'InvalidRequest');
  assert.equal(none.status, 400);
  assert.equal(none.message, 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  const wrong = await rawFailure(client.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'ssec.txt', SSECustomerAlgorithm: 'AES256', SSECustomerKey: other })));
  assert.equal(wrong.name, 'AccessDenied');
  assert.equal(wrong.status, 403);
});

test('tagging: x-amz-tagging on PutObject, Get/Put/DeleteObjectTagging, tag count, limits', async () => {
  await put('tagged.txt', 't', { Tagging: 'team=blue%20sky&env=prod' });
  const tags = await client.send(new S3.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt' }));
  assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'blue sky' }, { Key: 'env', Value: 'prod' }]);
  const { out } = await getText({ Key: 'tagged.txt' });
  assert.equal(out.TagCount, 2);
  await client.send(new S3.PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt', Tagging: { TagSet: [{ Key: 'a', Value: '1' }] } }));
  assert.deepEqual((await client.send(new S3.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt' }))).TagSet, [{ Key: 'a', Value: '1' }]);
  const tooMany = await rawFailure(
    client.send(new S3.PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt', Tagging: { TagSet: Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) } })),
  );
  assert.equal(tooMany.name, 'BadRequest');
  assert.equal(tooMany.message, 'Object tags cannot be greater than 10');
  const dup = await rawFailure(client.send(new S3.PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt', Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })));
  assert.equal(dup.name, 'InvalidTag');
  assert.equal(dup.message, 'Cannot provide multiple Tags with the same key');
  const del = await client.send(new S3.DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.deepEqual((await client.send(new S3.GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt' }))).TagSet, []);
});

test('CopyObject: COPY and REPLACE directives, copying onto itself, missing source', async () => {
  await put('src.txt', 'copy me', { ContentType: 'text/plain', Metadata: { a: '1' }, Tagging: 'x=y' });
  const copied = await client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'dst.txt', CopySource: `${BUCKET}/src.txt` }));
  assert.equal(copied.CopyObjectResult!.ETag, `"${md5hex('copy me')}"`);
  assert.ok(copied.CopyObjectResult!.LastModified instanceof Date);
  assert.equal(copied.CopyObjectResult!.ChecksumCRC32, (await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'src.txt', ChecksumMode: 'ENABLED' }))).ChecksumCRC32);
  const dst = await getText({ Key: 'dst.txt' });
  assert.equal(dst.text, 'copy me');
  assert.equal(dst.out.ContentType, 'text/plain');
  assert.deepEqual(dst.out.Metadata, { a: '1' });
  assert.equal(dst.out.TagCount, 1);

  await client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'dst2.txt', CopySource: `/${BUCKET}/src.txt`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, TaggingDirective: 'REPLACE' }));
  const dst2 = await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'dst2.txt' }));
  assert.deepEqual(dst2.Metadata, { b: '2' });
  assert.equal(dst2.ContentType, 'binary/octet-stream');
  assert.equal(dst2.TagCount, undefined);

  const self = await rawFailure(client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'src.txt', CopySource: `${BUCKET}/src.txt` })));
  assert.equal(self.name, 'InvalidRequest');
  assert.equal(
    self.message,
    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
  );
  await client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'src.txt', CopySource: `${BUCKET}/src.txt`, MetadataDirective: 'REPLACE', Metadata: { c: '3' } }));
  assert.deepEqual((await client.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'src.txt' }))).Metadata, { c: '3' });

  const missing = await rawFailure(client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'x', CopySource: `${BUCKET}/no-such.txt` })));
  assert.equal(missing.name, 'NoSuchKey');
  const cond = await rawFailure(client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'x', CopySource: `${BUCKET}/dst.txt`, CopySourceIfMatch: '"nope"' })));
  assert.equal(cond.name, 'PreconditionFailed');
  assert.equal(cond.fields.Condition, 'x-amz-copy-source-If-Match');

  await put('spaced key+plus.txt', 'encoded');
  await client.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'from-encoded.txt', CopySource: `${BUCKET}/${encodeURIComponent('spaced key+plus.txt')}` }));
  assert.equal((await getText({ Key: 'from-encoded.txt' })).text, 'encoded');
});

test('DeleteObject and DeleteObjects (Quiet, per-key results)', async () => {
  await put('del/a', 'a');
  await put('del/b', 'b');
  const one = await client.send(new S3.DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/a' }));
  assert.equal(one.$metadata.httpStatusCode, 204);
  assert.equal(one.DeleteMarker, undefined);
  const absent = await client.send(new S3.DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/never' }));
  assert.equal(absent.$metadata.httpStatusCode, 204);
  const many = await client.send(new S3.DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/b' }, { Key: 'del/c' }] } }));
  assert.deepEqual(many.Deleted, [{ Key: 'del/b' }, { Key: 'del/c' }]);
  assert.equal(many.Errors, undefined);
  const quiet = await client.send(new S3.DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/d' }], Quiet: true } }));
  assert.equal(quiet.Deleted, undefined);
  const badVersion = await client.send(new S3.DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/e', VersionId: 'bad' }] } }));
  assert.deepEqual(badVersion.Errors, [{ Key: 'del/e', VersionId: 'bad', Code: 'InvalidArgument', Message: 'Invalid version id specified' }]);
  const tooMany = await rawFailure(client.send(new S3.DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` })) } })));
  assert.equal(tooMany.name, 'MalformedXML');
  const list = await client.send(new S3.ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'del/' }));
  assert.equal(list.KeyCount, 0);
});

test('GetObjectAttributes: ETag without quotes, checksum, size, storage class', async () => {
  await put('attrs.txt', 'attributes', { StorageClass: 'STANDARD_IA' });
  const out = await client.send(
    new S3.GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'attrs.txt', ObjectAttributes: ['ETag', 'Checksum', 'ObjectSize', 'StorageClass', 'ObjectParts'] }),
  );
  assert.equal(out.ETag, md5hex('attributes'));
  assert.equal(out.ObjectSize, 10);
  assert.equal(out.StorageClass, 'STANDARD_IA');
  assert.equal(out.Checksum!.ChecksumType, 'FULL_OBJECT');
  assert.ok(out.Checksum!.ChecksumCRC32);
  assert.equal(out.ObjectParts, undefined);
  assert.ok(out.LastModified instanceof Date);
});

test('the data directory never holds object plaintext', async () => {
  const marker = 'PLAINTEXT-MARKER-c2-7f3a9';
  await put('secret.txt', marker.repeat(100));
  await put('secret-c.txt', marker, { SSECustomerAlgorithm: 'AES256', SSECustomerKey: 'z'.repeat(32) });
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (readFileSync(path).includes(marker)) hits.push(path);
    }
  };
  walk(bonsai.dataDir.root);
  assert.deepEqual(hits, []);
  assert.equal((await getText({ Key: 'secret.txt' })).text, marker.repeat(100));
});

test('collectOrphanBlobs removes blobs no version refers to and keeps the rest', async () => {
  const { blobStoreFor } = await import('../../../src/services/s3/blobs/index.ts');
  const { collectOrphanBlobs } = await import('../../../src/services/s3/objects/versions.ts');
  const { Readable } = await import('node:stream');
  await put('kept-after-gc.txt', 'still here');
  const blobs = blobStoreFor(bonsai.dataDir.root);
  // Over 4 KiB, so each is a file (smaller bodies are inline blobs, which list() never yields).
  const orphan = await blobs.write(Readable.from([Buffer.from('orphaned bytes'.padEnd(5000, '.'))]), { key: Buffer.alloc(32, 7) });
  const referencedElsewhere = await blobs.write(Readable.from([Buffer.from('a multipart part'.padEnd(5000, '.'))]), { key: Buffer.alloc(32, 7) });
  const removed = await collectOrphanBlobs(bonsai.store, blobs, [referencedElsewhere.blobId]);
  assert.equal(removed, 1);
  const left: string[] = [];
  for await (const id of blobs.list()) left.push(id);
  assert.ok(!left.includes(orphan.blobId));
  assert.ok(left.includes(referencedElsewhere.blobId));
  assert.equal((await getText({ Key: 'kept-after-gc.txt' })).text, 'still here');
});
