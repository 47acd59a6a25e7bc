// Seed 001's S3 part, as its author runs it with AWS CLI v2 (AWS_REGION=ap-southeast-2): admin_<name>
// creates <name>-landing-zone and <name>-analysis (versioning, SSE-S3, Block Public Access, ACLs
// disabled), engineer_<name> (engineer_access) writes and deletes objects there, and only through
// Sydney, and analyst_<name> (analyst_access) may read but not write.
// Bucket-level S3 requests count as the bucket's region for aws:RequestedRegion: a request sent
// to another region's endpoint is redirected there (301) and the CLI follows, so "only in
// ap-southeast-2" shows on the requests that are not about a Sydney bucket (ListBuckets,
// CreateBucket elsewhere, buckets in other regions).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2 } from '../../helpers/clients.ts';
import { aws, cliErrorLine, credentialsOf, endSeedSession, runSeedScript, startSeedSession, savedOutput, stdoutJson, type SeedCredentials, type SeedWorkspace } from './seed-runner.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const SYDNEY = 'ap-southeast-2';
const NAME = 'erika';
const LANDING = `${NAME}-landing-zone`;
const ANALYSIS = `${NAME}-analysis`;
const ROOT: SeedCredentials = { AccessKeyId: TEST_ACCOUNT.accessKeyId, SecretAccessKey: TEST_ACCOUNT.secretAccessKey };
const VERSION_ID = /^[A-Za-z0-9._]{32}$/;
const CSV = 'site,count\nbondi,12\n';

const missingCli = !existsSync(AWS_CLI_V2) && 'AWS CLI v2 is not installed';

let bonsai: TestBonsai;
let ws: SeedWorkspace;
let admin: SeedCredentials;
let engineer: SeedCredentials;
let analyst: SeedCredentials;

before(async () => {
  ({ bonsai, ws } = await startSeedSession());
  writeFileSync(join(ws.outDir, 'survey.csv'), CSV);
});
after(() => endSeedSession(bonsai, ws));

function denied(user: string, action: string, resource?: string): string {
  const on = resource ? ` on resource: "${resource}"` : '';
  return `User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: ${action}${on} because no identity-based policy allows the ${action} action`;
}

async function ok(script: string, args: string[], as: SeedCredentials): Promise<void> {
  const run = await runSeedScript(ws, script, args, as, SYDNEY);
  assert.equal(run.stderr, '', script);
  assert.equal(run.code, 0, script);
}

test('admin_<name> creates both buckets in ap-southeast-2: versioned, SSE-S3, all public access blocked', { skip: missingCli }, async () => {
  await ok('001/01-admin-group.sh', [NAME, 'Adm1n-Erika-2024!'], ROOT);
  admin = credentialsOf(savedOutput(ws, 'create-access-key-admin'));
  await ok('001/04-s3-buckets.sh', [NAME], admin);
  for (const bucket of [LANDING, ANALYSIS]) {
    assert.deepEqual(savedOutput(ws, `create-bucket-${bucket}`), { Location: `http://${bucket}.s3.amazonaws.com/` });
    // What the console's Properties and Permissions tabs then show.
    const [location, ownership, publicBlock, versioning, encryption] = await Promise.all(
      ['get-bucket-location', 'get-bucket-ownership-controls', 'get-public-access-block', 'get-bucket-versioning', 'get-bucket-encryption'].map((command) =>
        aws(ws, ['s3api', command, '--bucket', bucket], admin, SYDNEY).then((out) => stdoutJson(out)),
      ),
    );
    assert.deepEqual(location, { LocationConstraint: SYDNEY });
    assert.deepEqual(ownership, { OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } });
    assert.deepEqual(publicBlock, {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    });
    assert.deepEqual(versioning, { Status: 'Enabled' });
    assert.deepEqual(encryption, {
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
    });
  }
  // admin_access allows everything in Sydney only: a bucket elsewhere is refused.
  const ireland = await aws(ws, ['s3api', 'create-bucket', '--bucket', `${NAME}-ireland`, '--create-bucket-configuration', 'LocationConstraint=eu-west-1'], admin, 'eu-west-1');
  assert.equal(ireland.code, 254);
  assert.equal(ireland.stderr, cliErrorLine('AccessDenied', 'CreateBucket', denied(`admin_${NAME}`, 's3:CreateBucket', `arn:aws:s3:::${NAME}-ireland`)));
});

test('engineer_<name> writes, reads and deletes objects in both buckets, signed for Sydney', { skip: missingCli }, async () => {
  await ok('001/02-engineer-group.sh', [NAME, 'Eng1neer-Erika-2024!'], admin);
  engineer = credentialsOf(savedOutput(ws, 'create-access-key-engineer'));
  const csv = join(ws.outDir, 'survey.csv');
  const inBucket = async (bucket: string) => {
    const put = stdoutJson(await aws(ws, ['s3api', 'put-object', '--bucket', bucket, '--key', 'raw/survey.csv', '--body', csv], engineer, SYDNEY));
    assert.match(put.VersionId, VERSION_ID);
    assert.deepEqual(put, { ETag: `"${createHash('md5').update(CSV).digest('hex')}"`, ServerSideEncryption: 'AES256', VersionId: put.VersionId });
    const [head, versioning, encryption, publicBlock] = await Promise.all([
      aws(ws, ['s3api', 'head-object', '--bucket', bucket, '--key', 'raw/survey.csv'], engineer, SYDNEY),
      aws(ws, ['s3api', 'get-bucket-versioning', '--bucket', bucket], engineer, SYDNEY),
      aws(ws, ['s3api', 'get-bucket-encryption', '--bucket', bucket], engineer, SYDNEY),
      aws(ws, ['s3api', 'get-public-access-block', '--bucket', bucket], engineer, SYDNEY),
    ]);
    assert.equal(stdoutJson(head).VersionId, put.VersionId);
    assert.equal(stdoutJson(head).ServerSideEncryption, 'AES256');
    assert.deepEqual(stdoutJson(versioning), { Status: 'Enabled' });
    assert.equal(stdoutJson(encryption).ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm, 'AES256');
    assert.equal(stdoutJson(publicBlock).PublicAccessBlockConfiguration.BlockPublicPolicy, true);
  };
  await Promise.all([inBucket(LANDING), inBucket(ANALYSIS)]);
  // The high-level commands too, and a delete (a delete marker: the bucket is versioned).
  const cp = await aws(ws, ['s3', 'cp', csv, `s3://${LANDING}/incoming/survey.csv`, '--no-progress'], engineer, SYDNEY);
  assert.equal(cp.code, 0, cp.stderr);
  const removed = stdoutJson(await aws(ws, ['s3api', 'delete-object', '--bucket', LANDING, '--key', 'incoming/survey.csv'], engineer, SYDNEY));
  assert.equal(removed.DeleteMarker, true);
  const [listed, buckets] = await Promise.all([
    aws(ws, ['s3api', 'list-objects-v2', '--bucket', LANDING, '--query', 'Contents[].Key'], engineer, SYDNEY),
    aws(ws, ['s3api', 'list-buckets', '--query', 'Buckets[].Name'], engineer, SYDNEY),
  ]);
  assert.deepEqual(stdoutJson(listed), ['raw/survey.csv']);
  assert.deepEqual(stdoutJson(buckets), [ANALYSIS, LANDING]);
});

test('engineer_<name>: nothing outside Sydney, nothing on other buckets', { skip: missingCli }, async () => {
  const other = await aws(ws, ['s3api', 'create-bucket', '--bucket', 'erika-scratch'], ROOT, 'us-east-1');
  assert.equal(other.code, 0, other.stderr);
  const user = `engineer_${NAME}`;
  const [listVirginia, putScratch, createIreland, putViaVirginia] = await Promise.all([
    aws(ws, ['s3api', 'list-buckets'], engineer, 'us-east-1'),
    aws(ws, ['s3api', 'put-object', '--bucket', 'erika-scratch', '--key', 'x.csv', '--body', join(ws.outDir, 'survey.csv')], engineer, 'us-east-1'),
    aws(ws, ['s3api', 'create-bucket', '--bucket', `${NAME}-ireland`, '--create-bucket-configuration', 'LocationConstraint=eu-west-1'], engineer, 'eu-west-1'),
    // Signed for us-east-1, a Sydney bucket answers 301 with its region; the CLI re-sends it to
    // ap-southeast-2, where it is allowed: S3 requests run in the bucket's region.
    aws(ws, ['s3api', 'put-object', '--bucket', LANDING, '--key', 'raw/from-virginia.csv', '--body', join(ws.outDir, 'survey.csv')], engineer, 'us-east-1'),
  ]);
  assert.equal(listVirginia.code, 254);
  assert.equal(listVirginia.stderr, cliErrorLine('AccessDenied', 'ListBuckets', denied(user, 's3:ListAllMyBuckets')));
  assert.equal(putScratch.code, 254);
  assert.equal(putScratch.stderr, cliErrorLine('AccessDenied', 'PutObject', denied(user, 's3:PutObject', 'arn:aws:s3:::erika-scratch/x.csv')));
  assert.equal(createIreland.code, 254);
  assert.equal(createIreland.stderr, cliErrorLine('AccessDenied', 'CreateBucket', denied(user, 's3:CreateBucket', `arn:aws:s3:::${NAME}-ireland`)));
  assert.equal(putViaVirginia.code, 0, putViaVirginia.stderr);
  assert.match(stdoutJson(putViaVirginia).VersionId, VERSION_ID);
});

test('analyst_<name> (analyst_access): GET and list, no PUT, no DELETE', { skip: missingCli }, async () => {
  await ok('001/05-analyst-group.sh', [NAME, 'Analy5t-Erika-2024!'], admin);
  analyst = credentialsOf(savedOutput(ws, 'create-access-key-analyst'));
  const user = `analyst_${NAME}`;
  const [get, list, put, del, virginia] = await Promise.all([
    aws(ws, ['s3api', 'get-object', '--bucket', ANALYSIS, '--key', 'raw/survey.csv', join(ws.outDir, 'analyst-copy.csv')], analyst, SYDNEY),
    aws(ws, ['s3', 'ls', `s3://${ANALYSIS}`, '--recursive'], analyst, SYDNEY),
    aws(ws, ['s3api', 'put-object', '--bucket', ANALYSIS, '--key', 'raw/mine.csv', '--body', join(ws.outDir, 'survey.csv')], analyst, SYDNEY),
    aws(ws, ['s3api', 'delete-object', '--bucket', ANALYSIS, '--key', 'raw/survey.csv'], analyst, SYDNEY),
    aws(ws, ['s3api', 'list-buckets'], analyst, 'us-east-1'),
  ]);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(readFileSync(join(ws.outDir, 'analyst-copy.csv'), 'utf8'), CSV);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {9}20 raw\/survey\.csv\n$/);
  assert.equal(put.code, 254);
  assert.equal(put.stderr, cliErrorLine('AccessDenied', 'PutObject', denied(user, 's3:PutObject', `arn:aws:s3:::${ANALYSIS}/raw/mine.csv`)));
  assert.equal(del.code, 254);
  assert.equal(del.stderr, cliErrorLine('AccessDenied', 'DeleteObject', denied(user, 's3:DeleteObject', `arn:aws:s3:::${ANALYSIS}/raw/survey.csv`)));
  assert.equal(virginia.code, 254);
  assert.equal(virginia.stderr, cliErrorLine('AccessDenied', 'ListBuckets', denied(user, 's3:ListAllMyBuckets')));
});
