/**
 * Creating, finding, listing and deleting buckets: CreateBucket, HeadBucket, GetBucketLocation,
 * ListBuckets, DeleteBucket.
 */
import { AwsError } from '../../../core/errors.ts';
import type { RequestContext } from '../../../core/context.ts';
import { StoreConflictError } from '../../../store/errors.ts';
import type {
  Bucket, CreateBucketOutput, CreateBucketRequest, GetBucketLocationOutput, GetBucketLocationRequest, HeadBucketOutput,
  HeadBucketRequest, ListBucketsOutput, ListBucketsRequest, DeleteBucketRequest, Tag,
} from '../../../generated/s3/types.ts';
import { newDataKey, sealDataKey } from '../blobs/data-keys.ts';
import { canonicalUserId, onlyOwnerFullControl, requestedGrants, requestHasAcl } from '../access/acl.ts';
import { bucketIsEmpty } from '../objects/queries.ts';
import { abortAllUploads } from '../multipart/abort.ts';
import { BUCKET_KIND, bucketKey, findBucket, requireBucket, type BucketRecord, type ObjectOwnership } from './record.ts';
import { forgetBucket } from './cache.ts';
import { validateBucketName } from './names.ts';
import { incompatibleLocationMessage, regionOfLocationConstraint } from './region.ts';
import { DEFAULT_ENCRYPTION, validateTagSet } from './configurations.ts';

const US_EAST_1 = 'us-east-1';
const OBJECT_OWNERSHIPS: ReadonlySet<string> = new Set(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']);

// ---- CreateBucket ---------------------------------------------------------------------------------

export async function createBucket(input: CreateBucketRequest, ctx: RequestContext): Promise<CreateBucketOutput> {
  const name = input.Bucket;
  validateBucketName(name);
  const { region, locationConstraint } = bucketLocation(input, ctx.signedRegion);
  const existing = await findBucket(ctx.store, name);
  if (existing) return alreadyExists(existing, ctx);
  const ownership = objectOwnership(input);
  const record = newBucketRecord(input, ctx, { region, locationConstraint, ownership });
  try {
    await ctx.store.put(bucketKey(name), record, { expectVersion: 'absent' });
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
    const winner = await findBucket(ctx.store, name);
    if (winner) return alreadyExists(winner, ctx);
    throw err;
  } finally {
    forgetBucket(ctx.store, name);
  }
  return { Location: locationHeader(name, region) };
}

/**
 * The bucket's region from CreateBucketConfiguration. S3 refuses 'us-east-1' spelled out (it is
 * the absence of a constraint), unknown constraints, and a constraint other than the region of
 * the endpoint the request was sent to (the signed region, for Bonsai).
 */
export function bucketLocation(input: CreateBucketRequest, signedRegion: string): { region: string; locationConstraint?: string } {
  const constraint: string | undefined = input.CreateBucketConfiguration?.LocationConstraint;
  if (constraint === undefined || constraint === '') {
    if (signedRegion !== US_EAST_1) {
      throw new AwsError('IllegalLocationConstraintException', incompatibleLocationMessage('unspecified'), { status: 400 });
    }
    return { region: US_EAST_1 };
  }
  const region = constraint === US_EAST_1 ? undefined : regionOfLocationConstraint(constraint);
  if (region === undefined) {
    throw new AwsError('InvalidLocationConstraint', 'The specified location-constraint is not valid', {
      status: 400,
      fields: { LocationConstraint: constraint },
    });
  }
  if (region !== signedRegion) {
    throw new AwsError('IllegalLocationConstraintException', incompatibleLocationMessage(constraint), { status: 400 });
  }
  return { region, locationConstraint: constraint };
}

/**
 * A name that is taken: yours (409 BucketAlreadyOwnedByYou, except that us-east-1 keeps its
 * legacy 200 for re-creating your own bucket there) or someone else's (409 BucketAlreadyExists).
 */
function alreadyExists(existing: BucketRecord, ctx: RequestContext): CreateBucketOutput {
  if (existing.ownerAccountId !== ctx.accountId) {
    throw new AwsError(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      { status: 409, fields: { BucketName: existing.name } },
    );
  }
  if (existing.region === US_EAST_1 && ctx.signedRegion === US_EAST_1) return { Location: locationHeader(existing.name, US_EAST_1) };
  throw new AwsError('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', {
    status: 409,
    fields: { BucketName: existing.name },
  });
}

function objectOwnership(input: CreateBucketRequest): ObjectOwnership {
  const ownership = input.ObjectOwnership ?? 'BucketOwnerEnforced';
  if (!OBJECT_OWNERSHIPS.has(ownership)) {
    throw new AwsError('InvalidArgument', 'Invalid x-amz-object-ownership header', {
      status: 400,
      fields: { ArgumentName: 'x-amz-object-ownership', ArgumentValue: ownership },
    });
  }
  return ownership as ObjectOwnership;
}

/** ACLs asked for at creation; with BucketOwnerEnforced only "owner has FULL_CONTROL" (private) is accepted. */
function creationAcl(input: CreateBucketRequest, ownerAccount: string, ownership: ObjectOwnership): BucketRecord['acl'] {
  const asked = input as unknown as Record<string, unknown>;
  if (!requestHasAcl(asked)) return undefined;
  const grants = requestedGrants(asked, ownerAccount, ownerAccount);
  if (ownership === 'BucketOwnerEnforced') {
    if (!onlyOwnerFullControl(grants, ownerAccount)) {
      throw new AwsError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", {
        status: 400,
      });
    }
    return undefined;
  }
  return { Grants: grants };
}

function newBucketRecord(
  input: CreateBucketRequest,
  ctx: RequestContext,
  placement: { region: string; locationConstraint?: string; ownership: ObjectOwnership },
): BucketRecord {
  const tags: Tag[] | undefined = input.CreateBucketConfiguration?.Tags;
  if (tags !== undefined) validateTagSet(tags);
  const acl = creationAcl(input, ctx.accountId, placement.ownership);
  const objectLockEnabled = input.ObjectLockEnabledForBucket === true;
  return {
    name: input.Bucket,
    ownerAccountId: ctx.accountId,
    region: placement.region,
    ...(placement.locationConstraint !== undefined ? { locationConstraint: placement.locationConstraint } : {}),
    createdAt: ctx.clock.now().toISOString(),
    sealedDataKey: sealDataKey(ctx.secrets, newDataKey()),
    // Object Lock needs versioning, so S3 turns it on with the lock.
    versioning: objectLockEnabled ? 'Enabled' : 'Unversioned',
    ...(tags !== undefined && tags.length > 0 ? { tags } : {}),
    encryption: DEFAULT_ENCRYPTION,
    objectOwnership: placement.ownership,
    ...(objectLockEnabled ? { objectLockEnabled } : {}),
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    ...(acl ? { acl } : {}),
  };
}

/** S3's Location header: the path in us-east-1, the legacy virtual-hosted URL elsewhere. */
function locationHeader(name: string, region: string): string {
  return region === US_EAST_1 ? `/${name}` : `http://${name}.s3.amazonaws.com/`;
}

// ---- HeadBucket, GetBucketLocation ----------------------------------------------------------------

export async function headBucket(input: HeadBucketRequest, ctx: RequestContext): Promise<HeadBucketOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  return { BucketRegion: bucket.region, AccessPointAlias: false };
}

/** Answered for a bucket in any region; us-east-1 buckets have no constraint (an empty element). */
export async function getBucketLocation(input: GetBucketLocationRequest, ctx: RequestContext): Promise<GetBucketLocationOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  return bucket.locationConstraint === undefined ? {} : { LocationConstraint: bucket.locationConstraint as GetBucketLocationOutput['LocationConstraint'] };
}

/**
 * S3 answers GetBucketLocation with the bare <LocationConstraint> element as the document's root
 * (botocore reads the root's text), which the model cannot describe; the S3 codec renders it here.
 */
export function locationConstraintDocument(output: GetBucketLocationOutput): string {
  const ns = 'http://s3.amazonaws.com/doc/2006-03-01/';
  const body = output.LocationConstraint ? `<LocationConstraint xmlns="${ns}">${output.LocationConstraint}</LocationConstraint>` : `<LocationConstraint xmlns="${ns}"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
}

// ---- ListBuckets ----------------------------------------------------------------------------------

const MAX_BUCKETS_LIMIT = 10_000;

export async function listBuckets(input: ListBucketsRequest, ctx: RequestContext): Promise<ListBucketsOutput> {
  const pageSize = maxBuckets(input.MaxBuckets);
  const after = input.ContinuationToken === undefined ? undefined : decodeContinuationToken(input.ContinuationToken);
  const prefix = input.Prefix ?? '';
  const page: BucketRecord[] = [];
  let more = false;
  // Names are global, so every bucket document is scanned; each page of the store is one query.
  let cursor = after;
  scan: for (;;) {
    const docs = await ctx.store.list<BucketRecord>({ kind: BUCKET_KIND, account: '', region: '', prefix, after: cursor, limit: 1000 });
    for (const doc of docs) {
      const bucket = doc.value;
      if (bucket.ownerAccountId !== ctx.accountId) continue;
      if (input.BucketRegion !== undefined && bucket.region !== input.BucketRegion) continue;
      if (pageSize !== undefined && page.length === pageSize) {
        more = true;
        break scan;
      }
      page.push(bucket);
    }
    if (docs.length < 1000) break;
    cursor = docs[docs.length - 1]!.key.id;
  }
  return {
    Buckets: page.map(listedBucket),
    Owner: { ID: canonicalUserId(ctx.accountId) },
    ...(more ? { ContinuationToken: encodeContinuationToken(page[page.length - 1]!.name) } : {}),
    ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
  };
}

function listedBucket(bucket: BucketRecord): Bucket {
  return { Name: bucket.name, CreationDate: new Date(bucket.createdAt), BucketRegion: bucket.region };
}

function maxBuckets(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_BUCKETS_LIMIT) {
    throw new AwsError('InvalidArgument', `Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS_LIMIT}`, {
      status: 400,
      fields: { ArgumentName: 'max-buckets', ArgumentValue: String(value) },
    });
  }
  return value;
}

/** Opaque to clients: the last bucket name of the page, base64url-encoded behind a version tag. */
const TOKEN_PREFIX = 'b1:';

function encodeContinuationToken(lastName: string): string {
  return Buffer.from(TOKEN_PREFIX + lastName, 'utf8').toString('base64url');
}

function decodeContinuationToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!text.startsWith(TOKEN_PREFIX) || text.length === TOKEN_PREFIX.length) {
    throw new AwsError('InvalidArgument', 'The continuation token provided is incorrect', {
      status: 400,
      fields: { ArgumentName: 'continuation-token', ArgumentValue: token },
    });
  }
  return text.slice(TOKEN_PREFIX.length);
}

// ---- DeleteBucket ---------------------------------------------------------------------------------

export async function deleteBucket(input: DeleteBucketRequest, ctx: RequestContext): Promise<Record<string, never>> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  if (!(await bucketIsEmpty(ctx.store, bucket.name))) {
    throw new AwsError('BucketNotEmpty', 'The bucket you tried to delete is not empty', { status: 409, fields: { BucketName: bucket.name } });
  }
  try {
    await ctx.store.delete(bucketKey(bucket.name));
  } finally {
    forgetBucket(ctx.store, bucket.name);
  }
  // Incomplete multipart uploads do not keep a bucket alive: S3 deletes it and discards them, so
  // their parts must not outlive it here (nor resurface if the name is created again).
  await abortAllUploads(ctx, bucket.name);
  return {};
}
