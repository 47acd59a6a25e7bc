// STS GetCallerIdentity through the real AWS SDK for JavaScript v3, and every way a signature can
// fail, each answered with the code, status and message AWS's query services use.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { RDSClient, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/node-sha256.ts';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';

let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function sts(overrides: Partial<{ accessKeyId: string; secretAccessKey: string; region: string; systemClockOffset: number }> = {}) {
  return new STSClient({
    endpoint: bonsai.endpoint,
    region: overrides.region ?? 'us-east-1',
    maxAttempts: 1,
    systemClockOffset: overrides.systemClockOffset,
    credentials: {
      accessKeyId: overrides.accessKeyId ?? TEST_ACCOUNT.accessKeyId,
      secretAccessKey: overrides.secretAccessKey ?? TEST_ACCOUNT.secretAccessKey,
    },
  });
}

test('GetCallerIdentity returns the account and the root ARN', async () => {
  const out = await sts().send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, TEST_ACCOUNT.accountId);
  assert.equal(out.Arn, `arn:aws:iam::${TEST_ACCOUNT.accountId}:root`);
  assert.equal(out.UserId, TEST_ACCOUNT.accountId);
  assert.match(out.$metadata.requestId ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('GetCallerIdentity works whatever valid region the client signs for', async () => {
  const out = await sts({ region: 'ap-southeast-2' }).send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, TEST_ACCOUNT.accountId);
});

test('a wrong secret gives SignatureDoesNotMatch', async () => {
  const err = await failure(sts({ secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})));
  assert.deepEqual(err, {
    name: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    status: 403,
  });
});

test('an unknown access key gives InvalidClientTokenId', async () => {
  const err = await failure(sts({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }).send(new GetCallerIdentityCommand({})));
  assert.deepEqual(err, { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 });
});

test('a request signed 20 minutes in the past is refused as expired', async () => {
  const err = await failure(sts({ systemClockOffset: -20 * 60_000 }).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, 'SignatureDoesNotMatch');
  assert.equal(err.status, 403);
  assert.match(err.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
});

test('a request signed 20 minutes in the future is refused as not yet current', async () => {
  const err = await failure(sts({ systemClockOffset: 20 * 60_000 }).send(new GetCallerIdentityCommand({})));
  assert.equal(err.name, 'SignatureDoesNotMatch');
  assert.match(err.message, /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
});

test('a region AWS does not have is refused', async () => {
  const err = await failure(sts({ region: 'mars-north-1' }).send(new GetCallerIdentityCommand({})));
  assert.deepEqual(err, { name: 'SignatureDoesNotMatch', message: 'Credential should be scoped to a valid region.', status: 403 });
});

test('an unsigned request gives MissingAuthenticationToken in the query envelope', async () => {
  const res = await fetch(bonsai.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(res.status, 403);
  const body = await res.text();
  assert.match(body, /<Code>MissingAuthenticationToken<\/Code>/);
  assert.match(body, /<Message>Request is missing Authentication Token<\/Message>/);
  assert.match(body, /<Type>Sender<\/Type>/);
});

async function presignedUrl(service: 'sts' | 's3', path: string, query: Record<string, string>, expiresIn: number, signingDate: Date): Promise<string> {
  const signer = new SignatureV4({
    service,
    region: 'us-east-1',
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
  });
  const url = new URL(bonsai.endpoint);
  const signed = await signer.presign(
    { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path, query, headers: { host: url.host } },
    { expiresIn, signingDate },
  );
  const qs = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${bonsai.endpoint}${path}?${qs}`;
}

const CALLER_IDENTITY_QUERY = { Action: 'GetCallerIdentity', Version: '2011-06-15' };

test('a presigned GetCallerIdentity URL works within its time window', async () => {
  const res = await fetch(await presignedUrl('sts', '/', CALLER_IDENTITY_QUERY, 60, new Date()));
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.match(body, new RegExp(`<Arn>arn:aws:iam::${TEST_ACCOUNT.accountId}:root</Arn>`));
});

test('a presigned STS URL signed 20 minutes ago is refused as expired (STS applies the 15-minute window)', async () => {
  const res = await fetch(await presignedUrl('sts', '/', CALLER_IDENTITY_QUERY, 3600, new Date(Date.now() - 20 * 60_000)));
  const body = await res.text();
  assert.equal(res.status, 403, body);
  assert.match(body, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.match(body, /<Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/);
});

test('a presigned S3 URL used after its X-Amz-Expires is refused with AccessDenied "Request has expired"', async () => {
  const res = await fetch(await presignedUrl('s3', '/some-bucket/photo.jpg', {}, 60, new Date(Date.now() - 5 * 60_000)));
  const body = await res.text();
  assert.equal(res.status, 403, body);
  assert.match(body, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>Request has expired<\/Message><X-Amz-Expires>60<\/X-Amz-Expires>/);
  assert.match(res.headers.get('x-amz-request-id') ?? '', /^[0-9A-F]{16}$/);
});

test('a presigned S3 URL valid for more than 7 days is refused', async () => {
  // SDKs refuse to sign such a URL, so stretch a valid one: S3 checks the expiry before the signature.
  const url = (await presignedUrl('s3', '/some-bucket/photo.jpg', {}, 60, new Date())).replace('X-Amz-Expires=60', 'X-Amz-Expires=604801');
  const res = await fetch(url);
  const body = await res.text();
  assert.equal(res.status, 400, body);
  assert.match(body, /<Code>AuthorizationQueryParametersError<\/Code><Message>X-Amz-Expires must be less than a week \(in seconds\) that is, the given X-Amz-Expires must be less than 604800 seconds<\/Message>/);
});

test('a modeled operation without a handler answers 501 naming it', async () => {
  const rds = new RDSClient({
    endpoint: bonsai.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
  });
  const err = await failure(rds.send(new DescribeDBInstancesCommand({})));
  assert.deepEqual(err, { name: 'NotImplemented', message: 'Bonsai does not implement rds:DescribeDBInstances yet.', status: 501 });
});

test('validation errors use the query protocol wording', async () => {
  const err = await failure(sts().send(new GetSessionTokenCommand({ DurationSeconds: 10 })));
  assert.deepEqual(err, {
    name: 'ValidationError',
    message: "1 validation error detected: Value '10' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    status: 400,
  });
});
