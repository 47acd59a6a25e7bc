// AWS CLI v2 (/usr/bin/aws) against Bonsai as a user types it: `aws s3` (mb, cp both ways, a
// 200 MB file that the CLI uploads in 8 MiB parts, sync with changes and --delete, ls in its
// forms, presign + curl, rm --recursive, rb --force) and `aws s3api` on a versioned bucket. The
// outputs are compared exactly: JSON parsed, `s3 ls` lines with a pattern only for the date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, openSync, readSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { TEST_ACCOUNT, type TestBonsai } from '../../../helpers/bonsai.ts';
import { AWS_CLI_V2 } from '../../../helpers/clients.ts';
import { lines, lsObjectLine, lsPrefixLine, LS_DATE, matchLines, md5Hex, runTool, sha256OfFile, succeeded, writeRandomFile, startToolSession, endToolSession, type Workdir } from './tools.ts';

const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed';
const BUCKET = 'tools-cli-v2';
const API_BUCKET = 'tools-cli-v2-api';
const BIG_BUCKET = 'tools-cli-v2-big';
const CLI_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;
const VERSION_ID = /^[A-Za-z0-9._]{32}$/;
const OWNER_ID = /^[0-9a-f]{64}$/;

let bonsai: TestBonsai;
let dir: Workdir;

before(async () => {
  ({ bonsai, dir } = await startToolSession('bonsai-cli-v2-'));
});
after(() => endToolSession(bonsai, dir));

function aws(...args: string[]) {
  return runTool(AWS_CLI_V2, [...args, '--endpoint-url', bonsai.endpoint], { cwd: dir.root });
}

async function awsJson<T = any>(...args: string[]): Promise<T> {
  return JSON.parse(succeeded(await aws(...args, '--output', 'json'), args.join(' '))) as T;
}

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then "-<parts>". */
function multipartEtag(file: string, size: number, partSize: number): string {
  const fd = openSync(file, 'r');
  const digests: Buffer[] = [];
  const buffer = Buffer.alloc(partSize);
  try {
    for (let offset = 0; offset < size; offset += partSize) {
      const n = readSync(fd, buffer, 0, Math.min(partSize, size - offset), offset);
      digests.push(createHash('md5').update(buffer.subarray(0, n)).digest());
    }
  } finally {
    closeSync(fd);
  }
  return `"${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}"`;
}

test('s3 mb, cp up and down, ls of buckets and of a bucket', { skip: missingCli }, async () => {
  const mb = await aws('s3', 'mb', `s3://${BUCKET}`);
  assert.deepEqual(mb, { code: 0, stdout: `make_bucket: ${BUCKET}\n`, stderr: '' });

  dir.write('hello.txt', 'hello from the CLI\n');
  const up = await aws('s3', 'cp', 'hello.txt', `s3://${BUCKET}/notes/hello.txt`, '--no-progress');
  assert.deepEqual(up, { code: 0, stdout: `upload: ./hello.txt to s3://${BUCKET}/notes/hello.txt\n`, stderr: '' });
  const [down, buckets, inBucket, missing] = await Promise.all([
    aws('s3', 'cp', `s3://${BUCKET}/notes/hello.txt`, 'hello-back.txt', '--no-progress'),
    aws('s3', 'ls'),
    aws('s3', 'ls', `s3://${BUCKET}`),
    aws('s3', 'cp', `s3://${BUCKET}/notes/nope.txt`, 'nope.txt'),
  ]);
  assert.deepEqual(down, { code: 0, stdout: `download: s3://${BUCKET}/notes/hello.txt to ./hello-back.txt\n`, stderr: '' });
  assert.equal(readFileSync(dir.path('hello-back.txt'), 'utf8'), 'hello from the CLI\n');
  matchLines(lines(succeeded(buckets)), [new RegExp(`^${LS_DATE} ${BUCKET}$`)], 's3 ls');
  matchLines(lines(succeeded(inBucket)), [lsPrefixLine('notes/')], 's3 ls s3://bucket');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'fatal error: An error occurred (404) when calling the HeadObject operation (reached max retries: 0): Key "notes/nope.txt" does not exist\n');
});

test('s3 cp of a 200 MB file: multipart upload in 8 MiB parts, download, equal SHA-256', { skip: missingCli }, async () => {
  const size = 200_000_000;
  const [sha] = await Promise.all([writeRandomFile(dir.path('big.bin'), size), aws('s3', 'mb', `s3://${BIG_BUCKET}`).then((r) => succeeded(r))]);
  const up = await aws('s3', 'cp', 'big.bin', `s3://${BIG_BUCKET}/big/big.bin`, '--no-progress');
  assert.deepEqual(up, { code: 0, stdout: `upload: ./big.bin to s3://${BIG_BUCKET}/big/big.bin\n`, stderr: '' });

  const [head, down] = await Promise.all([
    awsJson('s3api', 'head-object', '--bucket', BIG_BUCKET, '--key', 'big/big.bin'),
    aws('s3', 'cp', `s3://${BIG_BUCKET}/big/big.bin`, 'big-back.bin', '--no-progress'),
  ]);
  assert.match(head.LastModified, CLI_DATE);
  assert.deepEqual(head, {
    AcceptRanges: 'bytes',
    LastModified: head.LastModified,
    ContentLength: size,
    ETag: multipartEtag(dir.path('big.bin'), size, 8 * 1024 * 1024),
    ContentType: 'application/octet-stream',
    ServerSideEncryption: 'AES256',
    Metadata: {},
  });
  assert.match(head.ETag, /-24"$/);

  assert.deepEqual(down, { code: 0, stdout: `download: s3://${BIG_BUCKET}/big/big.bin to ./big-back.bin\n`, stderr: '' });
  assert.equal(await sha256OfFile(dir.path('big-back.bin')), sha);
  rmSync(dir.path('big.bin'));
  rmSync(dir.path('big-back.bin'));
  assert.deepEqual(await aws('s3', 'rb', `s3://${BIG_BUCKET}`, '--force'), { code: 0, stdout: `delete: s3://${BIG_BUCKET}/big/big.bin\nremove_bucket: ${BIG_BUCKET}\n`, stderr: '' });
});

test('s3 sync of a nested tree, then of a change, then with --delete', { skip: missingCli }, async () => {
  dir.write('site/index.html', '<h1>home</h1>\n');
  dir.write('site/css/main.css', 'body { margin: 0 }\n');
  dir.write('site/img/icons/logo.svg', '<svg/>\n');
  dir.write('site/docs/a/b/deep.txt', 'deep\n');
  const first = await aws('s3', 'sync', 'site', `s3://${BUCKET}/site`, '--no-progress');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(lines(first.stdout).sort(), [
    `upload: site/css/main.css to s3://${BUCKET}/site/css/main.css`,
    `upload: site/docs/a/b/deep.txt to s3://${BUCKET}/site/docs/a/b/deep.txt`,
    `upload: site/img/icons/logo.svg to s3://${BUCKET}/site/img/icons/logo.svg`,
    `upload: site/index.html to s3://${BUCKET}/site/index.html`,
  ]);
  dir.write('site/index.html', '<h1>home</h1>\n<p>more</p>\n'); // a different size: sync uploads it
  rmSync(dir.path('site/img'), { recursive: true });
  const change = await aws('s3', 'sync', 'site', `s3://${BUCKET}/site`, '--no-progress');
  assert.deepEqual(change, { code: 0, stdout: `upload: site/index.html to s3://${BUCKET}/site/index.html\n`, stderr: '' });
  const withDelete = await aws('s3', 'sync', 'site', `s3://${BUCKET}/site`, '--delete', '--no-progress');
  assert.deepEqual(withDelete, { code: 0, stdout: `delete: s3://${BUCKET}/site/img/icons/logo.svg\n`, stderr: '' });

  // And back down into an empty folder.
  const down = await aws('s3', 'sync', `s3://${BUCKET}/site`, 'mirror', '--no-progress');
  assert.equal(down.code, 0, down.stderr);
  assert.equal(lines(down.stdout).length, 3);
  assert.equal(readFileSync(dir.path('mirror/index.html'), 'utf8'), '<h1>home</h1>\n<p>more</p>\n');
  assert.equal(readFileSync(dir.path('mirror/docs/a/b/deep.txt'), 'utf8'), 'deep\n');
  assert.equal(existsSync(dir.path('mirror/img')), false);
});

test('s3 ls: prefixes, --recursive, --human-readable --summarize', { skip: missingCli }, async () => {
  const [top, site, partial, recursive, human, absent] = await Promise.all([
    aws('s3', 'ls', `s3://${BUCKET}/`),
    aws('s3', 'ls', `s3://${BUCKET}/site/`),
    aws('s3', 'ls', `s3://${BUCKET}/si`),
    aws('s3', 'ls', `s3://${BUCKET}`, '--recursive'),
    aws('s3', 'ls', `s3://${BUCKET}`, '--recursive', '--human-readable', '--summarize'),
    aws('s3', 'ls', 's3://tools-no-such-bucket'),
  ]);
  matchLines(lines(succeeded(top)), [lsPrefixLine('notes/'), lsPrefixLine('site/')], 'top level');
  matchLines(lines(succeeded(site)), [lsPrefixLine('css/'), lsPrefixLine('docs/'), lsObjectLine(26, 'index.html')], 'site/');
  // Without the trailing slash, ls lists what starts with the text: here the prefix itself.
  matchLines(lines(succeeded(partial)), [lsPrefixLine('site/')], 'partial prefix');
  matchLines(
    lines(succeeded(recursive)),
    [
      lsObjectLine(19, 'notes/hello.txt'),
      lsObjectLine(19, 'site/css/main.css'),
      lsObjectLine(5, 'site/docs/a/b/deep.txt'),
      lsObjectLine(26, 'site/index.html'),
    ],
    '--recursive',
  );
  matchLines(
    lines(succeeded(human)),
    [
      lsObjectLine('19 Bytes', 'notes/hello.txt'),
      lsObjectLine('19 Bytes', 'site/css/main.css'),
      lsObjectLine('5 Bytes', 'site/docs/a/b/deep.txt'),
      lsObjectLine('26 Bytes', 'site/index.html'),
      '',
      'Total Objects: 4',
      '   Total Size: 69 Bytes',
    ],
    '--human-readable --summarize',
  );
  assert.equal(absent.code, 254);
  assert.equal(absent.stderr, '\nAn error occurred (NoSuchBucket) when calling the ListObjectsV2 operation (reached max retries: 0): The specified bucket does not exist\n');
});

test('s3 presign: curl downloads the object; a tampered signature is refused', { skip: missingCli }, async () => {
  const url = succeeded(await aws('s3', 'presign', `s3://${BUCKET}/notes/hello.txt`, '--expires-in', '300')).trim();
  assert.match(url, new RegExp(`^${bonsai.endpoint}/${BUCKET}/notes/hello.txt\\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${TEST_ACCOUNT.accessKeyId}%2F\\d{8}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=\\d{8}T\\d{6}Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=[0-9a-f]{64}$`));
  const ok = await runTool('curl', ['-s', '-D', '-', url]);
  assert.match(ok.stdout, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(ok.stdout, new RegExp(`\r\nETag: "${md5Hex('hello from the CLI\n')}"\r\n`, 'i'));
  assert.ok(ok.stdout.endsWith('\r\n\r\nhello from the CLI\n'), ok.stdout);

  // A tampered signature is refused with S3's SignatureDoesNotMatch.
  const tampered = url.replace(/X-Amz-Signature=[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
  const bad = await runTool('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', tampered]);
  assert.match(bad.stdout, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.ok(bad.stdout.endsWith('\n403'));
});

test('s3 rm --recursive and rb --force', { skip: missingCli }, async () => {
  const rm = await aws('s3', 'rm', `s3://${BUCKET}/site`, '--recursive');
  assert.equal(rm.code, 0, rm.stderr);
  assert.deepEqual(lines(rm.stdout).sort(), [
    `delete: s3://${BUCKET}/site/css/main.css`,
    `delete: s3://${BUCKET}/site/docs/a/b/deep.txt`,
    `delete: s3://${BUCKET}/site/index.html`,
  ]);
  const [left, rb] = await Promise.all([aws('s3', 'ls', `s3://${BUCKET}`, '--recursive'), aws('s3', 'rb', `s3://${BUCKET}`)]);
  matchLines(lines(succeeded(left)), [lsObjectLine(19, 'notes/hello.txt')], 'after rm');
  assert.equal(rb.code, 1);
  assert.equal(
    rb.stderr,
    `remove_bucket failed: s3://${BUCKET} An error occurred (BucketNotEmpty) when calling the DeleteBucket operation (reached max retries: 0): The bucket you tried to delete is not empty\n`,
  );
  const force = await aws('s3', 'rb', `s3://${BUCKET}`, '--force');
  assert.deepEqual(force, { code: 0, stdout: `delete: s3://${BUCKET}/notes/hello.txt\nremove_bucket: ${BUCKET}\n`, stderr: '' });
  assert.equal(succeeded(await aws('s3', 'ls')), '');
});

test('s3api on a versioned bucket: put/get/head-object, list-objects-v2, list-object-versions, delete-object', { skip: missingCli }, async () => {
  assert.deepEqual(await awsJson('s3api', 'create-bucket', '--bucket', API_BUCKET), { Location: `/${API_BUCKET}` });
  assert.equal(succeeded(await aws('s3api', 'put-bucket-versioning', '--bucket', API_BUCKET, '--versioning-configuration', 'Status=Enabled')), '');

  const v1 = 'id,name\n1,ana\n';
  const v2 = 'id,name\n1,ana\n2,ben\n';
  dir.write('v1.csv', v1);
  dir.write('v2.csv', v2);
  const [versioning, put1] = await Promise.all([
    awsJson('s3api', 'get-bucket-versioning', '--bucket', API_BUCKET),
    awsJson('s3api', 'put-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', '--body', 'v1.csv'),
  ]);
  assert.deepEqual(versioning, { Status: 'Enabled' });
  assert.match(put1.VersionId, VERSION_ID);
  assert.deepEqual(put1, { ETag: `"${md5Hex(v1)}"`, ServerSideEncryption: 'AES256', VersionId: put1.VersionId });
  const put2 = await awsJson(
    's3api', 'put-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', '--body', 'v2.csv',
    '--content-type', 'text/csv', '--metadata', 'source=hr,owner=ana',
  );
  assert.match(put2.VersionId, VERSION_ID);
  assert.notEqual(put2.VersionId, put1.VersionId);

  const [got, head, old, listed, byPrefix] = await Promise.all([
    awsJson('s3api', 'get-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', 'people.csv'),
    awsJson('s3api', 'head-object', '--bucket', API_BUCKET, '--key', 'data/people.csv'),
    awsJson('s3api', 'get-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', '--version-id', put1.VersionId, 'old.csv'),
    awsJson('s3api', 'list-objects-v2', '--bucket', API_BUCKET),
    awsJson('s3api', 'list-objects-v2', '--bucket', API_BUCKET, '--delimiter', '/', '--no-paginate'),
  ]);
  assert.match(got.LastModified, CLI_DATE);
  const expectedHead = {
    AcceptRanges: 'bytes',
    LastModified: got.LastModified,
    ContentLength: v2.length,
    ETag: `"${md5Hex(v2)}"`,
    VersionId: put2.VersionId,
    ContentType: 'text/csv',
    ServerSideEncryption: 'AES256',
    Metadata: { source: 'hr', owner: 'ana' },
  };
  assert.deepEqual(got, expectedHead);
  assert.deepEqual(head, expectedHead);
  assert.equal(readFileSync(dir.path('people.csv'), 'utf8'), v2);
  assert.equal(old.VersionId, put1.VersionId);
  assert.equal(old.ContentType, 'binary/octet-stream'); // what S3 stores when a PUT names no type
  assert.equal(readFileSync(dir.path('old.csv'), 'utf8'), v1);
  assert.deepEqual(listed, {
    Contents: [{ Key: 'data/people.csv', LastModified: got.LastModified, ETag: expectedHead.ETag, ChecksumAlgorithm: ['CRC64NVME'], Size: v2.length, StorageClass: 'STANDARD' }],
  });
  assert.deepEqual(byPrefix, {
    IsTruncated: false, Name: API_BUCKET, Prefix: '', Delimiter: '/', MaxKeys: 1000, CommonPrefixes: [{ Prefix: 'data/' }], EncodingType: 'url', KeyCount: 1,
  });

  const marker = await awsJson('s3api', 'delete-object', '--bucket', API_BUCKET, '--key', 'data/people.csv');
  assert.match(marker.VersionId, VERSION_ID);
  assert.deepEqual(marker, { DeleteMarker: true, VersionId: marker.VersionId });
  const [gone, versions] = await Promise.all([
    aws('s3api', 'get-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', 'gone.csv'),
    awsJson('s3api', 'list-object-versions', '--bucket', API_BUCKET),
  ]);
  assert.equal(gone.code, 254);
  assert.equal(gone.stderr, '\nAn error occurred (NoSuchKey) when calling the GetObject operation (reached max retries: 0): The specified key does not exist.\n');

  const owner = versions.Versions[0].Owner;
  assert.match(owner.ID, OWNER_ID);
  const lastModified = (versionId: string) => versions.Versions.find((x: { VersionId: string }) => x.VersionId === versionId)?.LastModified;
  const version = (versionId: string, body: string) => ({
    ETag: `"${md5Hex(body)}"`, ChecksumAlgorithm: ['CRC64NVME'], Size: body.length, StorageClass: 'STANDARD', Key: 'data/people.csv',
    VersionId: versionId, IsLatest: false, LastModified: lastModified(versionId), Owner: owner,
  });
  assert.match(versions.DeleteMarkers[0].LastModified, CLI_DATE);
  assert.deepEqual(versions, {
    Versions: [version(put2.VersionId, v2), version(put1.VersionId, v1)],
    DeleteMarkers: [{ Owner: owner, Key: 'data/people.csv', VersionId: marker.VersionId, IsLatest: true, LastModified: versions.DeleteMarkers[0].LastModified }],
  });

  // Deleting the marker by its version id restores the object.
  const restored = await awsJson('s3api', 'delete-object', '--bucket', API_BUCKET, '--key', 'data/people.csv', '--version-id', marker.VersionId);
  assert.deepEqual(restored, { DeleteMarker: true, VersionId: marker.VersionId });
  assert.equal((await awsJson('s3api', 'head-object', '--bucket', API_BUCKET, '--key', 'data/people.csv')).VersionId, put2.VersionId);
});
