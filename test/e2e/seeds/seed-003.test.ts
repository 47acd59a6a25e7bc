// Seed 003 (the course text), its S3 chapter as a reader follows it with AWS CLI v2
// (test/seeds/003/): the PublicRead bucket policy is refused while Block Public Access is on and
// accepted once it is off, and then anyone (curl, no credentials) can open the photo's Object URL;
// the versioning walkthrough: two versions of employee.jpg, a delete marker, the restore.
// The course's demos run in us-west-2 (seed 004 downloads from s3-us-west-2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2 } from '../../helpers/clients.ts';
import { runTool } from '../s3/tools/tools.ts';
import { aws, cliErrorLine, endSeedSession, runSeedScript, startSeedSession, savedOutput, stdoutJson, type SeedCredentials, type SeedWorkspace } from './seed-runner.ts';

const REGION = 'us-west-2';
const BUCKET = 'employeebucket';
const VERSIONED_BUCKET = 'employeebucket-versioned';
const KEY = 'employees/employee.jpg';
const ROOT: SeedCredentials = { AccessKeyId: TEST_ACCOUNT.accessKeyId, SecretAccessKey: TEST_ACCOUNT.secretAccessKey };
const VERSION_ID = /^[A-Za-z0-9._]{32}$/;
const CLI_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed';

/** A tiny JPEG-looking photo (SOI, APP0 "JFIF", a label, EOI): distinct bytes per version. */
function photo(label: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from(`JFIF\0${label}`), Buffer.from([0xff, 0xd9])]);
}
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

let bonsai: TestBonsai;
let ws: SeedWorkspace;
let port: string;

before(async () => {
  ({ bonsai, ws } = await startSeedSession());
  port = new URL(bonsai.endpoint).port;
  writeFileSync(join(ws.outDir, 'photo-original.jpg'), photo('original'));
  writeFileSync(join(ws.outDir, 'photo-first.jpg'), photo('first version'));
  writeFileSync(join(ws.outDir, 'photo-second.jpg'), photo('second version, retaken'));
});
after(() => endSeedSession(bonsai, ws));

/**
 * The console's Object URL, https://<bucket>.s3.<region>.amazonaws.com/<key>, on Bonsai: the same
 * virtual-hosted name under .localhost (curl resolves *.localhost to the loopback address).
 */
function objectUrl(bucket: string, key: string): string {
  return `http://${bucket}.s3.${REGION}.localhost:${port}/${key}`;
}

/** An anonymous GET with curl: status line, a few headers, body. */
async function anonymousGet(url: string): Promise<{ status: number; headers: string; body: Buffer }> {
  const out = await runTool('curl', ['-s', '-D', join(ws.outDir, 'curl-headers.txt'), '-o', join(ws.outDir, 'curl-body.bin'), '-w', '%{http_code}', url]);
  return {
    status: Number(out.stdout),
    headers: readFileSync(join(ws.outDir, 'curl-headers.txt'), 'utf8'),
    body: readFileSync(join(ws.outDir, 'curl-body.bin')),
  };
}

test('a new bucket with employees/employee.jpg: private, Block Public Access on', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '003/01-employee-bucket.sh', [BUCKET, REGION, join(ws.outDir, 'photo-original.jpg')], ROOT, REGION);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.deepEqual(savedOutput(ws, `create-bucket-${BUCKET}`), { Location: `http://${BUCKET}.s3.amazonaws.com/` });
  assert.deepEqual(savedOutput(ws, 'put-object-employee-jpg'), { ETag: `"${md5(photo('original'))}"`, ServerSideEncryption: 'AES256' });
  assert.deepEqual(savedOutput(ws, `get-public-access-block-${BUCKET}`), {
    PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  });

  // "Everything in Amazon S3 is private by default."
  const anonymous = await anonymousGet(objectUrl(BUCKET, KEY));
  assert.equal(anonymous.status, 403);
  assert.match(anonymous.body.toString(), /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
});

test('the PublicRead policy is refused while Block Public Access is on', { skip: missingCli }, async () => {
  const run = await runSeedScript(ws, '003/02-public-read-policy.sh', [BUCKET, REGION], ROOT, REGION);
  assert.equal(run.code, 254);
  assert.equal(
    run.stderr,
    cliErrorLine(
      'AccessDenied',
      'PutBucketPolicy',
      `User: arn:aws:iam::${TEST_ACCOUNT.accountId}:root is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${BUCKET}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
    ),
  );
  const policy = await aws(ws, ['s3api', 'get-bucket-policy', '--bucket', BUCKET], ROOT, REGION);
  assert.equal(policy.code, 254);
  assert.equal(policy.stderr, cliErrorLine('NoSuchBucketPolicy', 'GetBucketPolicy', 'The bucket policy does not exist'));
});

test('with Block Public Access off the policy is accepted, and anyone can GET the photo', { skip: missingCli }, async () => {
  const off = await runSeedScript(ws, '003/03-turn-off-block-public-access.sh', [BUCKET, REGION], ROOT, REGION);
  assert.equal(off.stderr, '');
  assert.equal(off.code, 0);
  assert.deepEqual(savedOutput(ws, `get-public-access-block-${BUCKET}`), {
    PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
  });

  const run = await runSeedScript(ws, '003/02-public-read-policy.sh', [BUCKET, REGION], ROOT, REGION);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);
  assert.deepEqual(savedOutput(ws, `get-bucket-policy-status-${BUCKET}`), { PolicyStatus: { IsPublic: true } });
  const stored = stdoutJson(await aws(ws, ['s3api', 'get-bucket-policy', '--bucket', BUCKET], ROOT, REGION));
  assert.deepEqual(JSON.parse(stored.Policy), JSON.parse(readFileSync(join(ws.outDir, `public-read-policy-${BUCKET}.json`), 'utf8')));

  const photoGet = await anonymousGet(objectUrl(BUCKET, KEY));
  assert.equal(photoGet.status, 200);
  assert.deepEqual(photoGet.body, photo('original'));
  assert.match(photoGet.headers, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(photoGet.headers, /\r\nContent-Type: image\/jpeg\r\n/i);
  assert.match(photoGet.headers, new RegExp(`\r\nETag: "${md5(photo('original'))}"\r\n`, 'i'));

  // A virtual-hosted name without a region reaches the bucket's own region (DNS routes it there).
  const regionless = await anonymousGet(`http://${BUCKET}.localhost:${port}/${KEY}`);
  assert.equal(regionless.status, 200);
  assert.deepEqual(regionless.body, photo('original'));

  // The policy grants s3:GetObject only: no listing, no upload.
  const listing = await anonymousGet(`http://${BUCKET}.s3.${REGION}.localhost:${port}/`);
  assert.equal(listing.status, 403);
  assert.match(listing.body.toString(), /<Code>AccessDenied<\/Code>/);
  const upload = await runTool('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', '-X', 'PUT', '--data-binary', 'defaced', objectUrl(BUCKET, 'employees/defaced.jpg')]);
  assert.match(upload.stdout, /<Code>AccessDenied<\/Code>/);
  assert.ok(upload.stdout.endsWith('\n403'), upload.stdout);

  // Path style on the global endpoint (s3.amazonaws.com/<bucket>/<key>) is us-east-1's: S3 redirects.
  const pathStyle = await anonymousGet(`http://127.0.0.1:${port}/${BUCKET}/${KEY}`);
  assert.equal(pathStyle.status, 301);
  assert.match(pathStyle.headers, /\r\nx-amz-bucket-region: us-west-2\r\n/i);
  assert.match(pathStyle.body.toString(), new RegExp(`<Code>PermanentRedirect</Code>.*<Endpoint>${BUCKET}\\.s3\\.us-west-2\\.amazonaws\\.com</Endpoint><Bucket>${BUCKET}</Bucket>`));
});

test('versioning: two versions of employee.jpg, a delete marker, the restore', { skip: missingCli }, async () => {
  const created = await aws(ws, ['s3api', 'create-bucket', '--bucket', VERSIONED_BUCKET, '--create-bucket-configuration', `LocationConstraint=${REGION}`], ROOT, REGION);
  assert.equal(created.code, 0, created.stderr);
  const first = photo('first version');
  const second = photo('second version, retaken');
  const run = await runSeedScript(ws, '003/04-versioning.sh', [VERSIONED_BUCKET, REGION, join(ws.outDir, 'photo-first.jpg'), join(ws.outDir, 'photo-second.jpg')], ROOT, REGION);
  assert.equal(run.stderr, '');
  assert.equal(run.code, 0);

  // Unversioned (the default) prints nothing but the response's empty document; then Enabled.
  assert.deepEqual(readFileSync(join(ws.outDir, 'versioning-0-unversioned.json'), 'utf8'), '');
  assert.deepEqual(savedOutput(ws, 'versioning-1-enabled'), { Status: 'Enabled' });

  const put1 = savedOutput(ws, 'versioning-2-put-first');
  const put2 = savedOutput(ws, 'versioning-3-put-second');
  assert.match(put1.VersionId, VERSION_ID);
  assert.match(put2.VersionId, VERSION_ID);
  assert.notEqual(put1.VersionId, put2.VersionId);
  assert.deepEqual(put1, { ETag: `"${md5(first)}"`, ServerSideEncryption: 'AES256', VersionId: put1.VersionId });
  assert.deepEqual(put2, { ETag: `"${md5(second)}"`, ServerSideEncryption: 'AES256', VersionId: put2.VersionId });

  const two = savedOutput(ws, 'versioning-4-two-versions');
  const owner = two.Versions[0].Owner;
  const version = (put: { VersionId: string }, bytes: Buffer, isLatest: boolean, listing: { Versions: Array<{ VersionId: string; LastModified: string }> }) => ({
    ETag: `"${md5(bytes)}"`, ChecksumAlgorithm: ['CRC64NVME'], Size: bytes.length, StorageClass: 'STANDARD', Key: KEY, VersionId: put.VersionId, IsLatest: isLatest,
    LastModified: listing.Versions.find((v) => v.VersionId === put.VersionId)!.LastModified, Owner: owner,
  });
  for (const v of two.Versions) assert.match(v.LastModified, CLI_DATE);
  assert.deepEqual(two, {
    // The CLI paginates list-object-versions and prints only the merged lists.
    Versions: [version(put2, second, true, two), version(put1, first, false, two)],
  });

  const deleted = savedOutput(ws, 'versioning-5-delete');
  assert.match(deleted.VersionId, VERSION_ID);
  assert.deepEqual(deleted, { DeleteMarker: true, VersionId: deleted.VersionId });
  const withMarker = savedOutput(ws, 'versioning-6-with-marker');
  assert.match(withMarker.DeleteMarkers[0].LastModified, CLI_DATE);
  assert.deepEqual(withMarker, {
    Versions: [version(put2, second, false, withMarker), version(put1, first, false, withMarker)],
    DeleteMarkers: [{ Owner: owner, Key: KEY, VersionId: deleted.VersionId, IsLatest: true, LastModified: withMarker.DeleteMarkers[0].LastModified }],
  });

  assert.deepEqual(savedOutput(ws, 'versioning-7-remove-marker'), { DeleteMarker: true, VersionId: deleted.VersionId });
  const restored = savedOutput(ws, 'versioning-8-get-restored');
  assert.equal(restored.VersionId, put2.VersionId);
  assert.equal(restored.ETag, `"${md5(second)}"`);
  assert.deepEqual(readFileSync(join(ws.outDir, 'employee-restored.jpg')), second);
  const older = savedOutput(ws, 'versioning-9-get-first');
  assert.equal(older.VersionId, put1.VersionId);
  assert.deepEqual(readFileSync(join(ws.outDir, 'employee-first.jpg')), first);
});

test('while the delete marker is current, GET answers 404 NoSuchKey with x-amz-delete-marker', { skip: missingCli }, async () => {
  const marker = stdoutJson(await aws(ws, ['s3api', 'delete-object', '--bucket', VERSIONED_BUCKET, '--key', KEY], ROOT, REGION));
  const gone = await aws(ws, ['s3api', 'get-object', '--bucket', VERSIONED_BUCKET, '--key', KEY, join(ws.outDir, 'nothing.jpg')], ROOT, REGION);
  assert.equal(gone.code, 254);
  assert.equal(gone.stderr, cliErrorLine('NoSuchKey', 'GetObject', 'The specified key does not exist.'));
  // The header S3 sends with that 404, seen with a presigned URL and curl.
  const url = (await runTool(AWS_CLI_V2, ['s3', 'presign', `s3://${VERSIONED_BUCKET}/${KEY}`, '--region', REGION, '--endpoint-url', bonsai.endpoint])).stdout.trim();
  const raw = await anonymousGet(url);
  assert.equal(raw.status, 404);
  assert.match(raw.headers, /\r\nx-amz-delete-marker: true\r\n/i);
  assert.match(raw.headers, new RegExp(`\r\nx-amz-version-id: ${marker.VersionId.replace(/\./g, '\\.')}\r\n`, 'i'));
  assert.match(raw.body.toString(), new RegExp(`<Code>NoSuchKey</Code><Message>The specified key does not exist\\.</Message><Key>${KEY}</Key>`));
});
