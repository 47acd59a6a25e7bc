/**
 * The access part's handlers: bucket policies, bucket-level Block Public Access, ownership
 * controls and ACLs (bucket and object).
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { Grant } from '../../../generated/s3/types.ts';
import { requireBucket, updateBucket, type BucketRecord, type ObjectOwnership } from '../buckets/record.ts';
import { aclNotSupported, canonicalUserId, cannedAclGrants, hasPublicGrant, onlyOwnerFullControl, requestHasAcl, requestedGrants } from './acl.ts';
import { bucketArn, objectArn } from './authz.ts';
import { requireObjectVersion } from '../objects/lookup.ts';
import { objectAclGrants, storeObjectAcl } from './object-acl.ts';
import { isPublicPolicy, validateBucketPolicy } from './policy.ts';
import { blockedByPublicAccessBlock, effectivePublicAccessBlock, noSuchPublicAccessBlock, normalisePublicAccessBlock } from './public-access.ts';

type Input = Record<string, unknown>;

function noSuchBucketPolicy(bucket: string): AwsError {
  return new AwsError('NoSuchBucketPolicy', 'The bucket policy does not exist', { status: 404, fields: { BucketName: bucket } });
}

function ownershipControlsNotFound(bucket: string): AwsError {
  return new AwsError('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', { status: 404, fields: { BucketName: bucket } });
}

/** The Block Public Access refusal, in S3's words for signed callers ("Access Denied" for anonymous ones). */
function blocked(ctx: RequestContext, action: string, resource: string, reason: 'policy' | 'acl'): AwsError {
  if (ctx.principal.type === 'anonymous') return new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  return blockedByPublicAccessBlock(ctx.principal.arn, action, resource, reason);
}

/** The ownership setting in force: ObjectWriter once the controls were deleted. */
export function objectOwnershipOf(bucket: BucketRecord): ObjectOwnership {
  return bucket.ownershipControlsDeleted ? 'ObjectWriter' : bucket.objectOwnership;
}

function aclsDisabled(bucket: BucketRecord): boolean {
  return objectOwnershipOf(bucket) === 'BucketOwnerEnforced';
}

/**
 * The ACL a write asks for (PutObject, CopyObject, CreateMultipartUpload), after S3's checks:
 * under BucketOwnerEnforced only bucket-owner-full-control is accepted (AccessControlListNotSupported
 * otherwise) and nothing is stored; public grants are refused while BlockPublicAcls is on.
 * Returns the grants to store with the new object (storeObjectAcl), or undefined for the default.
 */
export async function checkAclHeaders(ctx: RequestContext, bucket: BucketRecord, input: object): Promise<Grant[] | undefined> {
  return checkAclInput(ctx, bucket, input as Input);
}

async function checkAclInput(ctx: RequestContext, bucket: BucketRecord, input: Input): Promise<Grant[] | undefined> {
  if (!requestHasAcl(input)) return undefined;
  if (aclsDisabled(bucket)) {
    const onlyCannedOwnerControl = input.ACL === 'bucket-owner-full-control' && !Object.keys(input).some((k) => k.startsWith('Grant') && input[k] !== undefined);
    // "Or a custom ACL that grants the same permissions": the bucket owner's own `private` (what
    // rclone sends on every upload) or explicit grants of FULL_CONTROL to the bucket owner alone.
    const sameAsOwnerControl = () => onlyOwnerFullControl(requestedGrants(input, ctx.principal.accountId, bucket.ownerAccountId), bucket.ownerAccountId);
    if (!onlyCannedOwnerControl && !sameAsOwnerControl()) throw aclNotSupported();
    return undefined;
  }
  const grants = requestedGrants(input, ctx.principal.accountId, bucket.ownerAccountId);
  if (hasPublicGrant(grants) && (await effectivePublicAccessBlock(ctx.store, bucket)).BlockPublicAcls) {
    throw blocked(ctx, 's3:PutObject', objectArn(bucket.name, String(input.Key ?? '')), 'acl');
  }
  return grants;
}

export const accessHandlers: Partial<S3Handlers> = {
  // --- bucket policy ----------------------------------------------------------------------------
  async PutBucketPolicy(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    validateBucketPolicy(input.Policy, bucket.name);
    if (isPublicPolicy(input.Policy) && (await effectivePublicAccessBlock(ctx.store, bucket)).BlockPublicPolicy) {
      throw blocked(ctx, 's3:PutBucketPolicy', bucketArn(bucket.name), 'policy');
    }
    await updateBucket(ctx, bucket.name, (b) => ({ ...b, policy: input.Policy }));
    return {};
  },

  async GetBucketPolicy(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    if (bucket.policy === undefined) throw noSuchBucketPolicy(bucket.name);
    return { Policy: bucket.policy };
  },

  async DeleteBucketPolicy(input, ctx) {
    await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    await updateBucket(ctx, input.Bucket, ({ policy: _removed, ...rest }) => rest);
    return {};
  },

  async GetBucketPolicyStatus(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    if (bucket.policy === undefined) throw noSuchBucketPolicy(bucket.name);
    return { PolicyStatus: { IsPublic: isPublicPolicy(bucket.policy) } };
  },

  // --- Block Public Access (bucket level) -------------------------------------------------------
  async PutPublicAccessBlock(input, ctx) {
    await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    const configuration = normalisePublicAccessBlock(input.PublicAccessBlockConfiguration as Record<string, unknown>);
    await updateBucket(ctx, input.Bucket, (b) => ({ ...b, publicAccessBlock: configuration }));
    return {};
  },

  async GetPublicAccessBlock(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    if (!bucket.publicAccessBlock) throw noSuchPublicAccessBlock(bucket.name);
    return { PublicAccessBlockConfiguration: { ...bucket.publicAccessBlock } };
  },

  async DeletePublicAccessBlock(input, ctx) {
    await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    await updateBucket(ctx, input.Bucket, ({ publicAccessBlock: _removed, ...rest }) => rest);
    return {};
  },

  // --- ownership controls -----------------------------------------------------------------------
  async PutBucketOwnershipControls(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    const rules = input.OwnershipControls?.Rules ?? [];
    if (rules.length !== 1) throw new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', { status: 400 });
    const ownership = rules[0]!.ObjectOwnership as ObjectOwnership;
    if (ownership === 'BucketOwnerEnforced' && !onlyOwnerFullControl(bucketGrants(bucket), bucket.ownerAccountId)) {
      throw new AwsError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", { status: 400 });
    }
    await updateBucket(ctx, bucket.name, ({ ownershipControlsDeleted: _cleared, ...b }) => ({ ...b, objectOwnership: ownership }));
    return {};
  },

  async GetBucketOwnershipControls(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    if (bucket.ownershipControlsDeleted) throw ownershipControlsNotFound(bucket.name);
    return { OwnershipControls: { Rules: [{ ObjectOwnership: bucket.objectOwnership }] } };
  },

  async DeleteBucketOwnershipControls(input, ctx) {
    await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    await updateBucket(ctx, input.Bucket, (b) => ({ ...b, objectOwnership: 'ObjectWriter', ownershipControlsDeleted: true }));
    return {};
  },

  // --- ACLs -------------------------------------------------------------------------------------
  async GetBucketAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    return { Owner: { ID: canonicalUserId(bucket.ownerAccountId) }, Grants: aclsDisabled(bucket) ? ownerOnly(bucket) : bucketGrants(bucket) };
  },

  async PutBucketAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    const grants = grantsOf(input as unknown as Input, bucket.ownerAccountId, bucket.ownerAccountId);
    if (aclsDisabled(bucket)) {
      if (!onlyOwnerFullControl(grants, bucket.ownerAccountId)) throw aclNotSupported();
      return {};
    }
    if (hasPublicGrant(grants) && (await effectivePublicAccessBlock(ctx.store, bucket)).BlockPublicAcls) {
      throw blocked(ctx, 's3:PutBucketAcl', bucketArn(bucket.name), 'acl');
    }
    await updateBucket(ctx, bucket.name, (b) => ({ ...b, acl: { Grants: grants } }));
    return {};
  },

  async GetObjectAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    const { version } = await requireObjectVersion(ctx, bucket.name, input.Key, input.VersionId, ctx.request.method);
    if (aclsDisabled(bucket)) return { Owner: { ID: canonicalUserId(bucket.ownerAccountId) }, Grants: ownerOnly(bucket) };
    return { Owner: { ID: canonicalUserId(version.ownerAccountId) }, Grants: await objectAclGrants(ctx, bucket, version) };
  },

  async PutObjectAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
    const { version } = await requireObjectVersion(ctx, bucket.name, input.Key, input.VersionId, ctx.request.method);
    const grants = grantsOf(input as unknown as Input, version.ownerAccountId, bucket.ownerAccountId);
    if (aclsDisabled(bucket)) {
      if (!onlyOwnerFullControl(grants, bucket.ownerAccountId)) throw aclNotSupported();
      return {};
    }
    if (hasPublicGrant(grants) && (await effectivePublicAccessBlock(ctx.store, bucket)).BlockPublicAcls) {
      throw blocked(ctx, 's3:PutObjectAcl', objectArn(bucket.name, input.Key), 'acl');
    }
    await storeObjectAcl(ctx, version, grants);
    return {};
  },
};

function ownerOnly(bucket: BucketRecord): Grant[] {
  return cannedAclGrants('private', bucket.ownerAccountId, bucket.ownerAccountId);
}

function bucketGrants(bucket: BucketRecord): Grant[] {
  return ((bucket.acl as { Grants?: Grant[] } | undefined)?.Grants ?? ownerOnly(bucket)).map((g) => ({ ...g }));
}

/** PutBucketAcl / PutObjectAcl must say something: a canned ACL, grant headers or a body. */
function grantsOf(input: Input, ownerAccount: string, bucketOwner: string): Grant[] {
  if (!requestHasAcl(input)) {
    throw new AwsError('MissingSecurityHeader', 'Your request was missing a required header', { status: 400, fields: { MissingHeaderName: 'x-amz-acl' } });
  }
  return requestedGrants(input, ownerAccount, bucketOwner);
}
