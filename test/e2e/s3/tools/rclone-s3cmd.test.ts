// Debian's rclone and s3cmd, configured the way their manuals say for an S3-compatible endpoint.
// rclone: a remote from RCLONE_CONFIG_BONSAI_* variables (type s3, provider Other; rclone uses
// path style for provider Other), then copy, ls, sync, check. rclone sends `x-amz-acl: private`
// with every upload (its `acl` option's default), which S3 accepts on an ACLs-disabled bucket from
// the bucket's own account: it is the owner's full control. s3cmd: a config file with
// host_base = host_bucket = 127.0.0.1:PORT (no %(bucket)s in host_bucket means path style, which
// an IP address needs) and SigV4; then mb, put, ls, get, sync, del.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { TEST_ACCOUNT, type TestBonsai } from '../../../helpers/bonsai.ts';
import { lines, matchLines, runTool, succeeded, startToolSession, endToolSession, type Workdir } from './tools.ts';

const RCLONE = '/usr/bin/rclone';
const S3CMD = '/usr/bin/s3cmd';
const missingRclone = !existsSync(RCLONE) && 'rclone is not installed';
const missingS3cmd = !existsSync(S3CMD) && 's3cmd is not installed';

let bonsai: TestBonsai;
let dir: Workdir;

before(async () => {
  ({ bonsai, dir } = await startToolSession('bonsai-rclone-s3cmd-'));
});
after(() => endToolSession(bonsai, dir));

function rclone(...args: string[]) {
  return runTool(RCLONE, ['--contimeout', '10s', '--timeout', '20s', '--retries', '1', '--low-level-retries', '1', ...args], {
    cwd: dir.root,
    env: {
      RCLONE_CONFIG: '/dev/null', // no rclone.conf: the remote comes from the environment only
      RCLONE_CONFIG_BONSAI_TYPE: 's3',
      RCLONE_CONFIG_BONSAI_PROVIDER: 'Other',
      RCLONE_CONFIG_BONSAI_ENDPOINT: bonsai.endpoint,
      RCLONE_CONFIG_BONSAI_ACCESS_KEY_ID: TEST_ACCOUNT.accessKeyId,
      RCLONE_CONFIG_BONSAI_SECRET_ACCESS_KEY: TEST_ACCOUNT.secretAccessKey,
      RCLONE_CONFIG_BONSAI_REGION: 'us-east-1',
    },
  });
}

function s3cmdConfig(): string {
  const hostPort = new URL(bonsai.endpoint).host;
  return dir.write(
    's3cfg',
    [
      '[default]',
      `access_key = ${TEST_ACCOUNT.accessKeyId}`,
      `secret_key = ${TEST_ACCOUNT.secretAccessKey}`,
      `host_base = ${hostPort}`,
      `host_bucket = ${hostPort}`,
      'use_https = False',
      'signature_v2 = False',
      'bucket_location = us-east-1',
      '',
    ].join('\n'),
  );
}

function s3cmd(...args: string[]) {
  return runTool(S3CMD, ['-c', dir.path('s3cfg'), ...args], { cwd: dir.root });
}

test('rclone: mkdir, copy a tree, ls, sync a change, check', { skip: missingRclone }, async () => {
  dir.write('photos/2024/jan/one.jpg', 'jpeg one\n');
  dir.write('photos/2024/feb/two.jpg', 'jpeg two, longer\n');
  dir.write('photos/readme.md', '# photos\n');

  assert.deepEqual(await rclone('mkdir', 'bonsai:tools-rclone'), { code: 0, stdout: '', stderr: '' });
  const copy = await rclone('copy', 'photos', 'bonsai:tools-rclone/photos');
  assert.deepEqual(copy, { code: 0, stdout: '', stderr: '' });
  assert.deepEqual(
    lines(succeeded(await rclone('ls', 'bonsai:tools-rclone'))).sort(),
    ['        9 photos/readme.md', '        9 photos/2024/jan/one.jpg', '       17 photos/2024/feb/two.jpg'].sort(),
  );
  // rclone keeps the file's modification time in x-amz-meta-mtime; lsjson reads it back.
  const listed = JSON.parse(succeeded(await rclone('lsjson', '-R', '--files-only', 'bonsai:tools-rclone/photos'))) as Array<{ Path: string; Size: number; Tier: string }>;
  assert.deepEqual(listed.map(({ Path, Size, Tier }) => ({ Path, Size, Tier })).sort((a, b) => a.Path.localeCompare(b.Path)), [
    { Path: '2024/feb/two.jpg', Size: 17, Tier: 'STANDARD' },
    { Path: '2024/jan/one.jpg', Size: 9, Tier: 'STANDARD' },
    { Path: 'readme.md', Size: 9, Tier: 'STANDARD' },
  ]);

  dir.write('photos/2024/jan/one.jpg', 'jpeg one, edited\n');
  rmSync(dir.path('photos/readme.md'));
  dir.write('photos/2024/mar/three.jpg', 'jpeg three\n');
  const sync = await rclone('sync', 'photos', 'bonsai:tools-rclone/photos');
  assert.deepEqual(sync, { code: 0, stdout: '', stderr: '' });
  const check = await rclone('check', 'photos', 'bonsai:tools-rclone/photos');
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stderr, / NOTICE: S3 bucket tools-rclone path photos: 0 differences found\n/);
  assert.match(check.stderr, / NOTICE: S3 bucket tools-rclone path photos: 3 matching files\n/);

  // check notices a difference made behind rclone's back.
  writeFileSync(dir.path('photos/2024/mar/three.jpg'), 'jpeg 3!!!!\n'); // same size, other bytes
  const differs = await rclone('check', 'photos', 'bonsai:tools-rclone/photos');
  assert.equal(differs.code, 1);
  assert.match(differs.stderr, /ERROR : 2024\/mar\/three\.jpg: md5 differ\n/);
  assert.match(differs.stderr, / NOTICE: S3 bucket tools-rclone path photos: 1 differences found\n/);

  const back = await rclone('copy', 'bonsai:tools-rclone/photos', 'photos-back');
  assert.equal(back.code, 0, back.stderr);
  assert.equal(readFileSync(dir.path('photos-back/2024/jan/one.jpg'), 'utf8'), 'jpeg one, edited\n');
  assert.equal(existsSync(dir.path('photos-back/readme.md')), false);
});

test('s3cmd: mb, put, ls, get, sync, del with a path-style SigV4 config', { skip: missingS3cmd }, async () => {
  s3cmdConfig();
  assert.deepEqual(await s3cmd('mb', 's3://tools-s3cmd'), { code: 0, stdout: "Bucket 's3://tools-s3cmd/' created\n", stderr: '' });
  dir.write('notes.txt', 'written by s3cmd\n');
  const put = await s3cmd('put', 'notes.txt', 's3://tools-s3cmd/docs/notes.txt');
  assert.equal(put.code, 0, put.stderr);
  assert.match(put.stdout, /^upload: 'notes\.txt' -> 's3:\/\/tools-s3cmd\/docs\/notes\.txt' \(17 bytes in [\d.]+ seconds, [\d.]+ [KM]?B\/s\) \[1 of 1\]\n$/);

  const [buckets, top] = await Promise.all([s3cmd('ls'), s3cmd('ls', 's3://tools-s3cmd')]);
  const bucketLine = (name: string) => new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  s3://${name}$`);
  // The rclone test's bucket is there too when both tests run.
  const names = lines(succeeded(buckets)).map((line) => line.replace(/^.* s3:\/\//, ''));
  matchLines(lines(succeeded(buckets)), names.map(bucketLine), 's3cmd ls');
  assert.ok(names.includes('tools-s3cmd'), names.join());
  matchLines(lines(succeeded(top)), [`${'DIR'.padStart(29)}  s3://tools-s3cmd/docs/`], 's3cmd ls s3://bucket');

  const get = await s3cmd('get', 's3://tools-s3cmd/docs/notes.txt', 'notes-back.txt');
  assert.equal(get.code, 0, get.stderr);
  assert.equal(readFileSync(dir.path('notes-back.txt'), 'utf8'), 'written by s3cmd\n');

  dir.write('site/index.html', '<h1>s3cmd</h1>\n');
  dir.write('site/assets/app.js', 'console.log(1)\n');
  const sync = await s3cmd('sync', 'site/', 's3://tools-s3cmd/site/');
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /Done\. Uploaded 30 bytes in /);
  const again = await s3cmd('sync', 'site/', 's3://tools-s3cmd/site/');
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stdout, /upload:/); // s3cmd compares sizes and MD5s (the ETags): nothing to do

  const del = await s3cmd('del', 's3://tools-s3cmd/docs/notes.txt');
  assert.deepEqual(del, { code: 0, stdout: "delete: 's3://tools-s3cmd/docs/notes.txt'\n", stderr: '' });
  matchLines(
    lines(succeeded(await s3cmd('ls', '-r', 's3://tools-s3cmd'))),
    [
      /^\d{4}-\d\d-\d\d \d\d:\d\d {11}15  s3:\/\/tools-s3cmd\/site\/assets\/app\.js$/,
      /^\d{4}-\d\d-\d\d \d\d:\d\d {11}15  s3:\/\/tools-s3cmd\/site\/index\.html$/,
    ],
    's3cmd ls -r',
  );
  const missing = await s3cmd('get', 's3://tools-s3cmd/docs/notes.txt', 'gone.txt');
  // s3cmd lists the prefix first and finds nothing: its usage error (EX_USAGE).
  assert.deepEqual(missing, { code: 64, stdout: '', stderr: "ERROR: Parameter problem: Source object 's3://tools-s3cmd/docs/notes.txt' does not exist.\n" });
});
