/**
 * What each S3 operation needs from IAM (S3 User Guide, "Required permissions for Amazon S3 API
 * operations"; Service Authorization Reference, "Actions, resources, and condition keys for
 * Amazon S3"): the action(s), the bucket or object ARN (S3 ARNs have no region or account), the
 * bucket owner as the resource account, S3's condition keys from the request, and the bucket
 * policy (with ACL grants and Block Public Access applied, see resource-policy.ts) as the
 * resource policy.
 *
 * Denials use S3's wording: same-account signed callers get the detailed IAM message with the
 * resource ARN in double quotes; anonymous and cross-account callers get plain "Access Denied".
 */
import type { RequestContext } from '../../../core/context.ts';
import type { AuthzCall, AuthzTarget, OperationAuthz, ServiceAuthz } from '../../../iam/authz/types.ts';
import type { ContextValue } from '../../../iam/policy/context.ts';
import { findBucketCached, type BucketRecord } from '../buckets/record.ts';
import { checkBucketRegion } from '../buckets/region.ts';
import { parseCopySource } from '../objects/copy.ts';
import { GRANT_MEMBERS, requestHasAcl } from './acl.ts';
import { findObjectVersion, objectAclGrants } from './object-acl.ts';
import { bucketResourcePolicy } from './resource-policy.ts';

type Input = Record<string, unknown>;
type Keys = Record<string, ContextValue>;

export function bucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

// ---------------------------------------------------------------------------------------------
// Condition keys

/** How the request was signed (s3:authType, s3:signatureversion); nothing for anonymous requests. */
function signatureKeys(ctx: RequestContext): Keys {
  if (ctx.principal.type === 'anonymous') return {};
  const presigned = /(^|&)X-Amz-Signature=/i.test(ctx.request.query);
  const keys: Keys = { 's3:authType': presigned ? 'REST-QUERY-STRING' : 'REST-HEADER', 's3:signatureversion': 'AWS4-HMAC-SHA256' };
  const contentSha = ctx.request.headers['x-amz-content-sha256'];
  if (contentSha) keys['s3:x-amz-content-sha256'] = contentSha;
  return keys;
}

/** The few actions whose reference entry leaves out s3:x-amz-content-sha256. */
const WITHOUT_CONTENT_SHA = new Set(['s3:PutBucketObjectLockConfiguration']);

/** Keys every S3 action lists: how it was signed and whose bucket it is. */
function baseKeys(ctx: RequestContext, bucket: BucketRecord | undefined, action: string): Keys {
  const keys = signatureKeys(ctx);
  if (WITHOUT_CONTENT_SHA.has(action)) delete keys['s3:x-amz-content-sha256'];
  if (bucket) keys['s3:ResourceAccount'] = bucket.ownerAccountId;
  return keys;
}

/** `{ ...base, ...extra }` without the undefined values, in one pass (it runs for every target of every request). */
function mergedKeys(base: Keys, extra: Keys): Keys {
  const out: Keys = {};
  for (const name in base) {
    const value = Object.hasOwn(extra, name) ? extra[name] : base[name];
    if (value !== undefined) out[name] = value;
  }
  for (const name in extra) {
    const value = extra[name];
    if (value !== undefined && !Object.hasOwn(base, name)) out[name] = value;
  }
  return out;
}

/** Each Grant* input member with its condition key (GrantFullControl → s3:x-amz-grant-full-control). */
const GRANT_KEYS: ReadonlyArray<[member: string, key: string]> = GRANT_MEMBERS.map(([member]) => [
  member,
  `s3:x-amz-grant-${member.slice('Grant'.length).toLowerCase().replace('fullcontrol', 'full-control').replace('acp', '-acp')}`,
]);

/** s3:x-amz-acl and s3:x-amz-grant-* (the header names as keys). */
function aclKeys(input: Input): Keys {
  const keys: Keys = { 's3:x-amz-acl': input.ACL as string | undefined };
  for (const [member, key] of GRANT_KEYS) keys[key] = input[member] as string | undefined;
  return keys;
}

/** x-amz-tagging ("k1=v1&k2=v2") as s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys. */
function requestTagKeys(input: Input): Keys {
  if (typeof input.Tagging !== 'string' || input.Tagging === '') return {};
  const tags = new URLSearchParams(input.Tagging);
  const keys: Keys = { 's3:RequestObjectTagKeys': [...tags.keys()] };
  for (const [key, value] of tags) keys[`s3:RequestObjectTag/${key}`] = value;
  return keys;
}

/** What PutObject-like requests say about the object they write. */
function writeKeys(input: Input): Keys {
  return {
    ...aclKeys(input),
    ...requestTagKeys(input),
    's3:x-amz-server-side-encryption': input.ServerSideEncryption as string | undefined,
    's3:x-amz-server-side-encryption-aws-kms-key-id': input.SSEKMSKeyId as string | undefined,
    's3:x-amz-storage-class': input.StorageClass as string | undefined,
    's3:x-amz-website-redirect-location': input.WebsiteRedirectLocation as string | undefined,
    's3:x-amz-metadata-directive': input.MetadataDirective as string | undefined,
  };
}

function listKeys(input: Input): Keys {
  return {
    's3:prefix': input.Prefix as string | undefined,
    's3:delimiter': input.Delimiter as string | undefined,
    's3:max-keys': typeof input.MaxKeys === 'number' ? input.MaxKeys : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Targets

/** S3's denial wording: plain "Access Denied" for anonymous and cross-account callers. */
function s3DenialMessage(denial: { message: string; crossAccount: boolean; anonymous: boolean }): string {
  return denial.anonymous || denial.crossAccount ? 'Access Denied' : denial.message;
}

interface Resolved {
  ctx: RequestContext;
  name: string;
  bucket: BucketRecord | undefined;
}

/**
 * The bucket a request names, region-checked first so a wrong-region request gets its redirect
 * error before any AccessDenied (checkBucketRegion is the buckets part's).
 */
async function resolveBucket(ctx: RequestContext, name: string, operation: string): Promise<Resolved> {
  const bucket = name ? await findBucketCached(ctx.store, name) : undefined;
  if (bucket) checkBucketRegion(ctx, bucket, operation);
  return { ctx, name, bucket };
}

function onBucket(r: Resolved, action: string, keys: Keys = {}): AuthzTarget {
  const resource = bucketArn(r.name);
  return {
    action,
    resource,
    displayResource: `"${resource}"`,
    resourceAccount: r.bucket?.ownerAccountId,
    context: mergedKeys(baseKeys(r.ctx, r.bucket, action), keys),
    resourcePolicy: r.bucket ? () => bucketResourcePolicy({ ctx: r.ctx, bucket: r.bucket! }) : undefined,
    denialMessage: s3DenialMessage,
  };
}

function onObject(r: Resolved, key: string, action: string, keys: Keys = {}, versionId?: string): AuthzTarget {
  const resource = objectArn(r.name, key);
  const bucket = r.bucket;
  // Object ACLs only matter where ACLs are enabled; loading the version costs a read otherwise spared.
  const object =
    bucket && bucket.objectOwnership !== 'BucketOwnerEnforced'
      ? {
          arn: resource,
          grants: async () => {
            const version = await findObjectVersion(r.ctx, bucket, key, versionId);
            return version ? objectAclGrants(r.ctx, bucket, version) : [];
          },
        }
      : undefined;
  return {
    action,
    resource,
    displayResource: `"${resource}"`,
    resourceAccount: bucket?.ownerAccountId,
    context: mergedKeys(baseKeys(r.ctx, bucket, action), keys),
    resourcePolicy: bucket ? () => bucketResourcePolicy({ ctx: r.ctx, bucket, object }) : undefined,
    denialMessage: s3DenialMessage,
  };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An operation on the bucket it names, with one action. */
function bucketOperation(action: string, keysOf?: (input: Input) => Keys): OperationAuthz {
  return async ({ input, ctx }: AuthzCall) => {
    const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
    return [onBucket(r, action, keysOf?.(input))];
  };
}

/** An operation on one object: `versioned` replaces `action` when the request names a version. */
function objectOperation(action: string, versioned?: string, keysOf?: (input: Input) => Keys): OperationAuthz {
  return async ({ input, ctx }: AuthzCall) => {
    const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
    const versionId = typeof input.VersionId === 'string' ? input.VersionId : undefined;
    const chosen = versionId !== undefined && versioned ? versioned : action;
    const keys = { ...keysOf?.(input), ...(versionId !== undefined && versioned ? { 's3:VersionId': versionId } : {}) };
    return [onObject(r, str(input.Key), chosen, keys, versionId)];
  };
}

/** PutObject and CreateMultipartUpload: s3:PutObject, plus s3:PutObjectAcl / s3:PutObjectTagging when the request sets them. */
function writeOperation(): OperationAuthz {
  return async ({ input, ctx }: AuthzCall) => {
    const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
    const key = str(input.Key);
    const targets = [onObject(r, key, 's3:PutObject', writeKeys(input))];
    if (requestHasAcl(input)) targets.push(onObject(r, key, 's3:PutObjectAcl', aclKeys(input)));
    if (typeof input.Tagging === 'string' && input.Tagging !== '') targets.push(onObject(r, key, 's3:PutObjectTagging', requestTagKeys(input)));
    return targets;
  };
}

/** CopyObject and UploadPartCopy: read the source (its version when named), write the destination. */
function copyOperation(withWriteKeys: boolean): OperationAuthz {
  return async ({ input, ctx }: AuthzCall) => {
    // The objects part's parser: a malformed x-amz-copy-source fails here, before authorization, as on S3.
    const source = parseCopySource(str(input.CopySource));
    const src = await resolveBucket(ctx, source.bucket, ctx.operation);
    const dest = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
    const read = source.versionId
      ? onObject(src, source.key, 's3:GetObjectVersion', { 's3:VersionId': source.versionId }, source.versionId)
      : onObject(src, source.key, 's3:GetObject');
    const writeKeysFor = withWriteKeys ? { ...writeKeys(input), 's3:x-amz-copy-source': str(input.CopySource) } : { 's3:x-amz-copy-source': str(input.CopySource) };
    const targets = [read, onObject(dest, str(input.Key), 's3:PutObject', writeKeysFor)];
    if (withWriteKeys && requestHasAcl(input)) targets.push(onObject(dest, str(input.Key), 's3:PutObjectAcl', aclKeys(input)));
    if (withWriteKeys && input.TaggingDirective === 'REPLACE' && str(input.Tagging)) targets.push(onObject(dest, str(input.Key), 's3:PutObjectTagging'));
    return targets;
  };
}

/** DeleteObjects: s3:DeleteObject (or s3:DeleteObjectVersion) for every key it names. */
const deleteObjects: OperationAuthz = async ({ input, ctx }) => {
  const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
  const objects = ((input.Delete as { Objects?: Array<{ Key?: string; VersionId?: string }> } | undefined)?.Objects ?? []);
  const targets = objects.map((o) =>
    o.VersionId !== undefined
      ? onObject(r, str(o.Key), 's3:DeleteObjectVersion', { 's3:VersionId': o.VersionId }, o.VersionId)
      : onObject(r, str(o.Key), 's3:DeleteObject'),
  );
  return targets.length > 0 ? targets : [onObject(r, '*', 's3:DeleteObject')];
};

/** CreateBucket: the bucket's ARN, with the ACL, location and ownership it asks for. */
const createBucket: OperationAuthz = ({ input, ctx }) => {
  const r: Resolved = { ctx, name: str(input.Bucket), bucket: undefined };
  const configuration = input.CreateBucketConfiguration as { LocationConstraint?: string } | undefined;
  const keys = {
    ...aclKeys(input),
    's3:LocationConstraint': configuration?.LocationConstraint,
    's3:x-amz-object-ownership': input.ObjectOwnership as string | undefined,
  };
  const targets = [onBucket(r, 's3:CreateBucket', keys)];
  // A new bucket is the caller's own: no resource policy yet, and denials keep the detailed wording.
  if (input.ObjectLockEnabledForBucket === true) targets.push(onBucket(r, 's3:PutBucketObjectLockConfiguration'), onBucket(r, 's3:PutBucketVersioning'));
  if (input.ObjectOwnership !== undefined) targets.push(onBucket(r, 's3:PutBucketOwnershipControls'));
  if (requestHasAcl(input)) targets.push(onBucket(r, 's3:PutBucketAcl', aclKeys(input)));
  return targets;
};

const listAllMyBuckets: OperationAuthz = ({ ctx }) => [
  { action: 's3:ListAllMyBuckets', resource: '*', context: signatureKeys(ctx), denialMessage: s3DenialMessage },
];

/** GetObjectAttributes needs both the read and the attributes permission (versioned forms for a version). */
const getObjectAttributes: OperationAuthz = async ({ input, ctx }) => {
  const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
  const versionId = typeof input.VersionId === 'string' ? input.VersionId : undefined;
  const key = str(input.Key);
  if (versionId === undefined) return [onObject(r, key, 's3:GetObject'), onObject(r, key, 's3:GetObjectAttributes')];
  const keys = { 's3:VersionId': versionId };
  return [onObject(r, key, 's3:GetObjectVersion', keys, versionId), onObject(r, key, 's3:GetObjectVersionAttributes', keys, versionId)];
};

/** PutObjectRetention: bypassing governance mode needs s3:BypassGovernanceRetention too. */
const putObjectRetention: OperationAuthz = async ({ input, ctx }) => {
  const r = await resolveBucket(ctx, str(input.Bucket), ctx.operation);
  const targets = [onObject(r, str(input.Key), 's3:PutObjectRetention')];
  if (input.BypassGovernanceRetention === true) targets.push(onObject(r, str(input.Key), 's3:BypassGovernanceRetention'));
  return targets;
};

/** Operations on one bucket and the action each needs. */
const BUCKET_ACTIONS: Record<string, string> = {
  CreateBucketMetadataConfiguration: 's3:CreateBucketMetadataTableConfiguration',
  CreateBucketMetadataTableConfiguration: 's3:CreateBucketMetadataTableConfiguration',
  DeleteBucket: 's3:DeleteBucket',
  DeleteBucketAnalyticsConfiguration: 's3:PutAnalyticsConfiguration',
  DeleteBucketCors: 's3:PutBucketCORS',
  DeleteBucketEncryption: 's3:PutEncryptionConfiguration',
  DeleteBucketIntelligentTieringConfiguration: 's3:PutIntelligentTieringConfiguration',
  DeleteBucketInventoryConfiguration: 's3:PutInventoryConfiguration',
  DeleteBucketLifecycle: 's3:PutLifecycleConfiguration',
  DeleteBucketMetadataConfiguration: 's3:DeleteBucketMetadataTableConfiguration',
  DeleteBucketMetadataTableConfiguration: 's3:DeleteBucketMetadataTableConfiguration',
  DeleteBucketMetricsConfiguration: 's3:PutMetricsConfiguration',
  DeleteBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  DeleteBucketPolicy: 's3:DeleteBucketPolicy',
  DeleteBucketReplication: 's3:PutReplicationConfiguration',
  DeleteBucketTagging: 's3:PutBucketTagging',
  DeleteBucketWebsite: 's3:DeleteBucketWebsite',
  DeletePublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  GetBucketAbac: 's3:GetBucketAbac',
  GetBucketAccelerateConfiguration: 's3:GetAccelerateConfiguration',
  GetBucketAcl: 's3:GetBucketAcl',
  GetBucketAnalyticsConfiguration: 's3:GetAnalyticsConfiguration',
  GetBucketCors: 's3:GetBucketCORS',
  GetBucketEncryption: 's3:GetEncryptionConfiguration',
  GetBucketIntelligentTieringConfiguration: 's3:GetIntelligentTieringConfiguration',
  GetBucketInventoryConfiguration: 's3:GetInventoryConfiguration',
  GetBucketLifecycle: 's3:GetLifecycleConfiguration',
  GetBucketLifecycleConfiguration: 's3:GetLifecycleConfiguration',
  GetBucketLocation: 's3:GetBucketLocation',
  GetBucketLogging: 's3:GetBucketLogging',
  GetBucketMetadataConfiguration: 's3:GetBucketMetadataTableConfiguration',
  GetBucketMetadataTableConfiguration: 's3:GetBucketMetadataTableConfiguration',
  GetBucketMetricsConfiguration: 's3:GetMetricsConfiguration',
  GetBucketNotification: 's3:GetBucketNotification',
  GetBucketNotificationConfiguration: 's3:GetBucketNotification',
  GetBucketOwnershipControls: 's3:GetBucketOwnershipControls',
  GetBucketPolicy: 's3:GetBucketPolicy',
  GetBucketPolicyStatus: 's3:GetBucketPolicyStatus',
  GetBucketReplication: 's3:GetReplicationConfiguration',
  GetBucketRequestPayment: 's3:GetBucketRequestPayment',
  GetBucketTagging: 's3:GetBucketTagging',
  GetBucketVersioning: 's3:GetBucketVersioning',
  GetBucketWebsite: 's3:GetBucketWebsite',
  GetObjectLockConfiguration: 's3:GetBucketObjectLockConfiguration',
  GetPublicAccessBlock: 's3:GetBucketPublicAccessBlock',
  HeadBucket: 's3:ListBucket',
  ListBucketAnalyticsConfigurations: 's3:GetAnalyticsConfiguration',
  ListBucketIntelligentTieringConfigurations: 's3:GetIntelligentTieringConfiguration',
  ListBucketInventoryConfigurations: 's3:GetInventoryConfiguration',
  ListBucketMetricsConfigurations: 's3:GetMetricsConfiguration',
  ListMultipartUploads: 's3:ListBucketMultipartUploads',
  PutBucketAbac: 's3:PutBucketAbac',
  PutBucketAccelerateConfiguration: 's3:PutAccelerateConfiguration',
  PutBucketAnalyticsConfiguration: 's3:PutAnalyticsConfiguration',
  PutBucketCors: 's3:PutBucketCORS',
  PutBucketEncryption: 's3:PutEncryptionConfiguration',
  PutBucketIntelligentTieringConfiguration: 's3:PutIntelligentTieringConfiguration',
  PutBucketInventoryConfiguration: 's3:PutInventoryConfiguration',
  PutBucketLifecycle: 's3:PutLifecycleConfiguration',
  PutBucketLifecycleConfiguration: 's3:PutLifecycleConfiguration',
  PutBucketLogging: 's3:PutBucketLogging',
  PutBucketMetricsConfiguration: 's3:PutMetricsConfiguration',
  PutBucketNotification: 's3:PutBucketNotification',
  PutBucketNotificationConfiguration: 's3:PutBucketNotification',
  PutBucketOwnershipControls: 's3:PutBucketOwnershipControls',
  PutBucketPolicy: 's3:PutBucketPolicy',
  PutBucketReplication: 's3:PutReplicationConfiguration',
  PutBucketRequestPayment: 's3:PutBucketRequestPayment',
  PutBucketTagging: 's3:PutBucketTagging',
  PutBucketVersioning: 's3:PutBucketVersioning',
  PutBucketWebsite: 's3:PutBucketWebsite',
  PutObjectLockConfiguration: 's3:PutBucketObjectLockConfiguration',
  PutPublicAccessBlock: 's3:PutBucketPublicAccessBlock',
  UpdateBucketMetadataInventoryTableConfiguration: 's3:UpdateBucketMetadataInventoryTableConfiguration',
  UpdateBucketMetadataJournalTableConfiguration: 's3:UpdateBucketMetadataJournalTableConfiguration',
};

/** Operations on one object: [action, action when a VersionId is given]. */
const OBJECT_ACTIONS: Record<string, [string, string?]> = {
  AbortMultipartUpload: ['s3:AbortMultipartUpload'],
  CompleteMultipartUpload: ['s3:PutObject'],
  DeleteObject: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  DeleteObjectTagging: ['s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
  GetObject: ['s3:GetObject', 's3:GetObjectVersion'],
  GetObjectAcl: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  GetObjectLegalHold: ['s3:GetObjectLegalHold'],
  GetObjectRetention: ['s3:GetObjectRetention'],
  GetObjectTagging: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  GetObjectTorrent: ['s3:GetObjectTorrent'],
  HeadObject: ['s3:GetObject', 's3:GetObjectVersion'],
  ListParts: ['s3:ListMultipartUploadParts'],
  PutObjectLegalHold: ['s3:PutObjectLegalHold'],
  PutObjectTagging: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  RestoreObject: ['s3:RestoreObject'],
  SelectObjectContent: ['s3:GetObject'],
  UpdateObjectEncryption: ['s3:UpdateObjectEncryption'],
  UploadPart: ['s3:PutObject'],
};

function buildOperations(): Record<string, OperationAuthz> {
  const operations: Record<string, OperationAuthz> = {};
  for (const [operation, action] of Object.entries(BUCKET_ACTIONS)) operations[operation] = bucketOperation(action);
  for (const [operation, [action, versioned]] of Object.entries(OBJECT_ACTIONS)) operations[operation] = objectOperation(action, versioned);
  return {
    ...operations,
    CreateBucket: createBucket,
    ListBuckets: listAllMyBuckets,
    ListObjects: bucketOperation('s3:ListBucket', listKeys),
    ListObjectsV2: bucketOperation('s3:ListBucket', listKeys),
    ListObjectVersions: bucketOperation('s3:ListBucketVersions', listKeys),
    PutBucketAcl: bucketOperation('s3:PutBucketAcl', aclKeys),
    PutObjectAcl: objectOperation('s3:PutObjectAcl', 's3:PutObjectVersionAcl', (input) => ({ ...aclKeys(input) })),
    PutObject: writeOperation(),
    CreateMultipartUpload: writeOperation(),
    CopyObject: copyOperation(true),
    UploadPartCopy: copyOperation(false),
    DeleteObjects: deleteObjects,
    GetObjectAttributes: getObjectAttributes,
    PutObjectRetention: putObjectRetention,
  };
}

export const s3Authz: ServiceAuthz = {
  prefix: 's3',
  operations: buildOperations(),
};
