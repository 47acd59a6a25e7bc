// AWS CLI v1 (the `aws` of the image's Python, botocore underneath) for the everyday subset:
// mb, cp up and down, sync with --delete, ls. Outputs compared exactly.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import type { TestBonsai } from '../../../helpers/bonsai.ts';
import { awsCliV1Path } from '../../../helpers/clients.ts';
import { lines, lsObjectLine, lsPrefixLine, LS_DATE, matchLines, runTool, succeeded, startToolSession, endToolSession, type Workdir } from './tools.ts';

const BUCKET = 'tools-cli-v1';

let bonsai: TestBonsai;
let dir: Workdir;
let cliV1: string;

before(async () => {
  [{ bonsai, dir }, cliV1] = await Promise.all([startToolSession('bonsai-cli-v1-'), awsCliV1Path()]);
});
after(() => endToolSession(bonsai, dir));

function aws(...args: string[]) {
  return runTool(cliV1, [...args, '--endpoint-url', bonsai.endpoint], { cwd: dir.root });
}

test('CLI v1 is the 1.x line', async () => {
  const version = await runTool(cliV1, ['--version']);
  assert.match(version.stdout + version.stderr, /^aws-cli\/1\.\d+\.\d+ /);
});

test('CLI v1: mb, cp up and down, ls', async () => {
  assert.deepEqual(await aws('s3', 'mb', `s3://${BUCKET}`), { code: 0, stdout: `make_bucket: ${BUCKET}\n`, stderr: '' });
  dir.write('report.txt', 'quarterly numbers\n');
  const up = await aws('s3', 'cp', 'report.txt', `s3://${BUCKET}/reports/2024/report.txt`, '--no-progress');
  assert.deepEqual(up, { code: 0, stdout: `upload: ./report.txt to s3://${BUCKET}/reports/2024/report.txt\n`, stderr: '' });

  const [down, buckets, top, recursive] = await Promise.all([
    aws('s3', 'cp', `s3://${BUCKET}/reports/2024/report.txt`, 'report-back.txt', '--no-progress'),
    aws('s3', 'ls'),
    aws('s3', 'ls', `s3://${BUCKET}/reports/`),
    aws('s3', 'ls', `s3://${BUCKET}`, '--recursive'),
  ]);
  assert.deepEqual(down, { code: 0, stdout: `download: s3://${BUCKET}/reports/2024/report.txt to ./report-back.txt\n`, stderr: '' });
  assert.equal(readFileSync(dir.path('report-back.txt'), 'utf8'), 'quarterly numbers\n');
  matchLines(lines(succeeded(buckets)), [new RegExp(`^${LS_DATE} ${BUCKET}$`)], 's3 ls');
  matchLines(lines(succeeded(top)), [lsPrefixLine('2024/')], 's3 ls prefix');
  matchLines(lines(succeeded(recursive)), [lsObjectLine(18, 'reports/2024/report.txt')], 's3 ls --recursive');
});

test('CLI v1: sync a nested tree, then a change with --delete', async () => {
  dir.write('tree/a.txt', 'a\n');
  dir.write('tree/x/b.txt', 'bb\n');
  dir.write('tree/x/y/c.txt', 'ccc\n');
  const first = await aws('s3', 'sync', 'tree', `s3://${BUCKET}/tree`, '--no-progress');
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(lines(first.stdout).sort(), [
    `upload: tree/a.txt to s3://${BUCKET}/tree/a.txt`,
    `upload: tree/x/b.txt to s3://${BUCKET}/tree/x/b.txt`,
    `upload: tree/x/y/c.txt to s3://${BUCKET}/tree/x/y/c.txt`,
  ]);
  dir.write('tree/x/b.txt', 'bbbb\n');
  rmSync(dir.path('tree/a.txt'));
  const second = await aws('s3', 'sync', 'tree', `s3://${BUCKET}/tree`, '--delete', '--no-progress');
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(lines(second.stdout).sort(), [`delete: s3://${BUCKET}/tree/a.txt`, `upload: tree/x/b.txt to s3://${BUCKET}/tree/x/b.txt`]);
  matchLines(
    lines(succeeded(await aws('s3', 'ls', `s3://${BUCKET}/tree`, '--recursive'))),
    [lsObjectLine(5, 'tree/x/b.txt'), lsObjectLine(4, 'tree/x/y/c.txt')],
    'after sync --delete',
  );
});
