// S3 access control end to end with @aws-sdk/client-s3 (and the SDK's own SigV4 signer for S3
// Control, which has no SDK v3 client here): IAM users against bucket policies (allow, explicit deny), Block Public
// Access at bucket and account level (BlockPublicPolicy, RestrictPublicBuckets, BlockPublicAcls),
// unsigned and presigned requests, ownership controls and ACLs, with S3's exact errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { createUserKeys, ROOT_KEYS, s3Client } from '../../helpers/s3.ts';
import { NodeSha256 } from '../../helpers/node-sha256.ts';
import { canonicalUserId } from '../../../src/services/s3/access/acl.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const BUCKET = 'c4-access-bucket';

let bonsai: TestBonsai;
let root: S3.S3Client;
let reader: S3.S3Client;
let readerKeys: { accessKeyId: string; secretAccessKey: string };

function s3(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return s3Client(bonsai.endpoint, { credentials });
}

before(async () => {
  bonsai = await startTestBonsai();
  root = s3(ROOT_KEYS);
  readerKeys = await createUserKeys(bonsai.endpoint, 'reader');
  reader = s3(readerKeys);
  await root.send(new S3.CreateBucketCommand({ Bucket: BUCKET }));
  await root.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', Body: 'hello' }));
});
after(() => bonsai.stop());

const READER_ARN = `arn:aws:iam::${ACCOUNT}:user/reader`;
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;

function policy(...statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}
const READER_MAY_GET = { Sid: 'ReaderGet', Effect: 'Allow', Principal: { AWS: READER_ARN }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };
const READER_DENIED = { Sid: 'ReaderDeny', Effect: 'Deny', Principal: { AWS: READER_ARN }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/doc.txt` };
const PUBLIC_READ = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` };

async function text(output: { Body?: { transformToString(): Promise<string> } }): Promise<string> {
  return output.Body!.transformToString();
}

/**
 * S3 Control's account-level Block Public Access, signed with @smithy/signature-v4 (the SDK v3
 * signer; no S3 Control client is installed, and SDKs put the account id in the host, which a
 * loopback endpoint cannot resolve): the request as SDKs send it, x-amz-account-id included.
 */
async function s3control(method: 'GET' | 'PUT' | 'DELETE', body = ''): Promise<{ status: number; body: string }> {
  const url = new URL(`${bonsai.endpoint}/v20180820/configuration/publicAccessBlock`);
  const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: ROOT_KEYS, sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'x-amz-account-id': ACCOUNT, 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex') },
    body,
  });
  const response = await fetch(url, { method, headers: signed.headers, body: method === 'PUT' ? body : undefined });
  return { status: response.status, body: await response.text() };
}

function accountBlock(flags: Record<string, boolean>): string {
  const members = Object.entries(flags).map(([name, value]) => `<${name}>${value}</${name}>`).join('');
  return `<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/">${members}</PublicAccessBlockConfiguration>`;
}

async function anonymousGet(key: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${bonsai.endpoint}/${BUCKET}/${key}`);
  return { status: response.status, body: await response.text() };
}

test('an IAM user without permissions is denied GetObject with the detailed message', async () => {
  const denied = await failure(reader.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' })));
  assert.deepEqual(denied, {
    name: 'AccessDenied',
    status: 403,
    message: `User: ${READER_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/doc.txt" because no identity-based policy allows the s3:GetObject action`,
  });
});

test('a bucket policy grants the user GetObject; an explicit Deny in it wins', async () => {
  await root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(READER_MAY_GET) }));
  assert.equal(await text(await reader.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }))), 'hello');
  const got = await root.send(new S3.GetBucketPolicyCommand({ Bucket: BUCKET }));
  assert.equal(got.Policy, policy(READER_MAY_GET));
  const status = await root.send(new S3.GetBucketPolicyStatusCommand({ Bucket: BUCKET }));
  assert.deepEqual(status.PolicyStatus, { IsPublic: false });

  await root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(READER_MAY_GET, READER_DENIED) }));
  const denied = await failure(reader.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' })));
  assert.deepEqual(denied, {
    name: 'AccessDenied',
    status: 403,
    message: `User: ${READER_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${BUCKET}/doc.txt" with an explicit deny in a resource-based policy`,
  });
});

test('MalformedPolicy and NoSuchBucketPolicy', async () => {
  const malformed = await failure(root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '[1]' })));
  assert.deepEqual(malformed, { name: 'MalformedPolicy', status: 400, message: "Policies must be valid JSON and the first byte must be '{'" });
  const badResource = await failure(
    root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy({ ...READER_MAY_GET, Resource: 'arn:aws:s3:::elsewhere/*' }) })),
  );
  assert.deepEqual(badResource, { name: 'MalformedPolicy', status: 400, message: 'Policy has invalid resource' });

  await root.send(new S3.DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  const missing = await failure(root.send(new S3.GetBucketPolicyCommand({ Bucket: BUCKET })));
  assert.deepEqual(missing, { name: 'NoSuchBucketPolicy', status: 404, message: 'The bucket policy does not exist' });
  const noStatus = await failure(root.send(new S3.GetBucketPolicyStatusCommand({ Bucket: BUCKET })));
  assert.deepEqual(noStatus, { name: 'NoSuchBucketPolicy', status: 404, message: 'The bucket policy does not exist' });
});

test('Block Public Access: a public policy is refused while on, accepted once the bucket BPA is deleted; anonymous GET then works', async () => {
  const bpa = await root.send(new S3.GetPublicAccessBlockCommand({ Bucket: BUCKET }));
  assert.deepEqual(bpa.PublicAccessBlockConfiguration, { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });

  const refused = await failure(root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ) })));
  assert.deepEqual(refused, {
    name: 'AccessDenied',
    status: 403,
    message: `User: ${ROOT_ARN} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${BUCKET}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
  });
  assert.equal((await anonymousGet('doc.txt')).status, 403);

  await root.send(new S3.DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
  const gone = await failure(root.send(new S3.GetPublicAccessBlockCommand({ Bucket: BUCKET })));
  assert.deepEqual(gone, { name: 'NoSuchPublicAccessBlockConfiguration', status: 404, message: 'The public access block configuration was not found' });

  await root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ) }));
  assert.deepEqual((await root.send(new S3.GetBucketPolicyStatusCommand({ Bucket: BUCKET }))).PolicyStatus, { IsPublic: true });
  assert.deepEqual(await anonymousGet('doc.txt'), { status: 200, body: 'hello' });

  // The policy grants GetObject only: an anonymous listing is still refused, in S3's plain words.
  const listing = await fetch(`${bonsai.endpoint}/${BUCKET}?list-type=2`);
  assert.equal(listing.status, 403);
  assert.match(await listing.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
});

test('account-level Block Public Access (S3 Control): BlockPublicPolicy refuses again, RestrictPublicBuckets stops anonymous reads', async () => {
  const none = await s3control('GET');
  assert.equal(none.status, 404);
  assert.match(none.body, /<Code>NoSuchPublicAccessBlockConfiguration<\/Code><Message>The public access block configuration was not found<\/Message>/);

  assert.equal((await s3control('PUT', accountBlock({ BlockPublicPolicy: true, RestrictPublicBuckets: true }))).status, 200);
  const stored = await s3control('GET');
  assert.equal(stored.status, 200);
  assert.match(
    stored.body,
    /<BlockPublicAcls>false<\/BlockPublicAcls><IgnorePublicAcls>false<\/IgnorePublicAcls><BlockPublicPolicy>true<\/BlockPublicPolicy><RestrictPublicBuckets>true<\/RestrictPublicBuckets>/,
  );

  const refused = await failure(root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ) })));
  assert.equal(refused.name, 'AccessDenied');
  assert.match(refused.message, /because public policies are blocked by the BlockPublicPolicy block public access setting\.$/);

  // The stored public policy now grants nothing to anonymous callers; the owner account keeps access.
  const anonymous = await anonymousGet('doc.txt');
  assert.equal(anonymous.status, 403);
  assert.match(anonymous.body, /<Message>Access Denied<\/Message>/);
  assert.equal(await text(await root.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }))), 'hello');

  assert.equal((await s3control('DELETE')).status, 200);
  assert.deepEqual(await anonymousGet('doc.txt'), { status: 200, body: 'hello' });
  await root.send(new S3.DeleteBucketPolicyCommand({ Bucket: BUCKET }));
  assert.equal((await anonymousGet('doc.txt')).status, 403);
});

test('ACLs under BucketOwnerEnforced: reads show the owner, writes other than the owner full control are refused', async () => {
  const owner = { ID: canonicalUserId(ACCOUNT) };
  const ownerGrant = { Grantee: { ID: canonicalUserId(ACCOUNT), Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' };
  const bucketAcl = await root.send(new S3.GetBucketAclCommand({ Bucket: BUCKET }));
  assert.deepEqual({ Owner: bucketAcl.Owner, Grants: bucketAcl.Grants }, { Owner: owner, Grants: [ownerGrant] });
  const objectAcl = await root.send(new S3.GetObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt' }));
  assert.deepEqual({ Owner: objectAcl.Owner, Grants: objectAcl.Grants }, { Owner: owner, Grants: [ownerGrant] });

  const refused = await failure(root.send(new S3.PutBucketAclCommand({ Bucket: BUCKET, ACL: 'public-read' })));
  assert.deepEqual(refused, { name: 'AccessControlListNotSupported', status: 400, message: 'The bucket does not allow ACLs' });
  const objectRefused = await failure(root.send(new S3.PutObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt', ACL: 'public-read' })));
  assert.deepEqual(objectRefused, { name: 'AccessControlListNotSupported', status: 400, message: 'The bucket does not allow ACLs' });
  await root.send(new S3.PutObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt', ACL: 'bucket-owner-full-control' }));
  // ACL headers on object writes are judged the same way, before any byte is stored.
  const putRefused = await failure(root.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'acl-put.txt', Body: 'x', ACL: 'public-read' })));
  assert.deepEqual(putRefused, { name: 'AccessControlListNotSupported', status: 400, message: 'The bucket does not allow ACLs' });
  const copyRefused = await failure(root.send(new S3.CopyObjectCommand({ Bucket: BUCKET, Key: 'acl-copy.txt', CopySource: `${BUCKET}/doc.txt`, ACL: 'public-read' })));
  assert.deepEqual(copyRefused, { name: 'AccessControlListNotSupported', status: 400, message: 'The bucket does not allow ACLs' });
  assert.equal((await failure(root.send(new S3.HeadObjectCommand({ Bucket: BUCKET, Key: 'acl-put.txt' })))).status, 404);
  await root.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'acl-put.txt', Body: 'x', ACL: 'bucket-owner-full-control' }));
  await root.send(new S3.DeleteObjectCommand({ Bucket: BUCKET, Key: 'acl-put.txt' }));

  const noKey = await failure(root.send(new S3.GetObjectAclCommand({ Bucket: BUCKET, Key: 'missing.txt' })));
  assert.deepEqual(noKey, { name: 'NoSuchKey', status: 404, message: 'The specified key does not exist.' });
});

test('ACLs enabled (ObjectWriter): BlockPublicAcls refuses public grants; a public-read object ACL lets anonymous callers read unless IgnorePublicAcls', async () => {
  await root.send(new S3.PutBucketOwnershipControlsCommand({ Bucket: BUCKET, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
  const controls = await root.send(new S3.GetBucketOwnershipControlsCommand({ Bucket: BUCKET }));
  assert.deepEqual(controls.OwnershipControls, { Rules: [{ ObjectOwnership: 'ObjectWriter' }] });

  await root.send(
    new S3.PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } }),
  );
  const blocked = await failure(root.send(new S3.PutObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt', ACL: 'public-read' })));
  assert.deepEqual(blocked, {
    name: 'AccessDenied',
    status: 403,
    message: `User: ${ROOT_ARN} is not authorized to perform: s3:PutObjectAcl on resource: "arn:aws:s3:::${BUCKET}/doc.txt" because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.`,
  });

  await root.send(
    new S3.PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } }),
  );
  await root.send(new S3.PutObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt', ACL: 'public-read' }));
  const acl = await root.send(new S3.GetObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt' }));
  assert.deepEqual(acl.Grants?.[1], { Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' });
  assert.deepEqual(await anonymousGet('doc.txt'), { status: 200, body: 'hello' });
  // A public-read ACL given with PutObject is stored with the new object.
  await root.send(new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'public-at-put.txt', Body: 'open', ACL: 'public-read' }));
  assert.deepEqual(await anonymousGet('public-at-put.txt'), { status: 200, body: 'open' });
  await root.send(new S3.DeleteObjectCommand({ Bucket: BUCKET, Key: 'public-at-put.txt' }));

  await root.send(
    new S3.PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } }),
  );
  assert.equal((await anonymousGet('doc.txt')).status, 403);

  // Back to BucketOwnerEnforced, then ownership controls deleted.
  await root.send(new S3.PutObjectAclCommand({ Bucket: BUCKET, Key: 'doc.txt', ACL: 'private' }));
  await root.send(new S3.DeleteBucketOwnershipControlsCommand({ Bucket: BUCKET }));
  const gone = await failure(root.send(new S3.GetBucketOwnershipControlsCommand({ Bucket: BUCKET })));
  assert.deepEqual(gone, { name: 'OwnershipControlsNotFoundError', status: 404, message: 'The bucket ownership controls were not found' });
  await root.send(new S3.PutBucketOwnershipControlsCommand({ Bucket: BUCKET, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
});

test('presigned GET and PUT work; a presigned URL of a user without permission is denied', async () => {
  const put = await getSignedUrl(root, new S3.PutObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }), { expiresIn: 300 });
  const putResponse = await fetch(put, { method: 'PUT', body: 'uploaded' });
  assert.equal(putResponse.status, 200);
  const get = await getSignedUrl(root, new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }), { expiresIn: 300 });
  const getResponse = await fetch(get);
  assert.equal(getResponse.status, 200);
  assert.equal(await getResponse.text(), 'uploaded');

  const readerGet = await getSignedUrl(reader, new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'presigned.txt' }), { expiresIn: 300 });
  const denied = await fetch(readerGet);
  assert.equal(denied.status, 403);
  assert.match(
    await denied.text(),
    new RegExp(`<Message>User: ${READER_ARN} is not authorized to perform: s3:GetObject on resource: &quot;arn:aws:s3:::${BUCKET}/presigned.txt&quot; because no identity-based policy allows the s3:GetObject action</Message>`),
  );
});

test('s3:authType distinguishes presigned URLs from signed headers', async () => {
  const onlyHeaders = {
    Sid: 'HeadersOnly',
    Effect: 'Allow',
    Principal: { AWS: READER_ARN },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
    Condition: { StringEquals: { 's3:authType': 'REST-HEADER' } },
  };
  await root.send(new S3.PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(onlyHeaders) }));
  assert.equal(await text(await reader.send(new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }))), 'hello');
  const url = await getSignedUrl(reader, new S3.GetObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }), { expiresIn: 300 });
  assert.equal((await fetch(url)).status, 403);
  await root.send(new S3.DeleteBucketPolicyCommand({ Bucket: BUCKET }));
});
