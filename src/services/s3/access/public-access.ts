/**
 * Block Public Access: the bucket's own configuration (on the bucket record) and the account's
 * (S3 Control's PutPublicAccessBlock, one document per account). AWS applies "the most
 * restrictive combination of the bucket-level and account-level settings": each flag is on when
 * either level has it on.
 */
import { AwsError } from '../../../core/errors.ts';
import type { DocKey, DocOps } from '../../../store/types.ts';
import type { BucketRecord, PublicAccessBlock } from '../buckets/record.ts';

export const ACCOUNT_PUBLIC_ACCESS_BLOCK_KIND = 's3control.publicAccessBlock';

export const NO_BLOCK: PublicAccessBlock = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

export function accountPublicAccessBlockKey(accountId: string): DocKey {
  return { kind: ACCOUNT_PUBLIC_ACCESS_BLOCK_KIND, account: accountId, region: '', id: 'configuration' };
}

export async function findAccountPublicAccessBlock(store: Pick<DocOps, 'get'>, accountId: string): Promise<PublicAccessBlock | undefined> {
  return (await store.get<PublicAccessBlock>(accountPublicAccessBlockKey(accountId)))?.value;
}

/** The flags in force for a bucket: bucket OR account, flag by flag. */
export async function effectivePublicAccessBlock(store: Pick<DocOps, 'get'>, bucket: BucketRecord): Promise<PublicAccessBlock> {
  const account = (await findAccountPublicAccessBlock(store, bucket.ownerAccountId)) ?? NO_BLOCK;
  const own = bucket.publicAccessBlock ?? NO_BLOCK;
  return {
    BlockPublicAcls: own.BlockPublicAcls || account.BlockPublicAcls,
    IgnorePublicAcls: own.IgnorePublicAcls || account.IgnorePublicAcls,
    BlockPublicPolicy: own.BlockPublicPolicy || account.BlockPublicPolicy,
    RestrictPublicBuckets: own.RestrictPublicBuckets || account.RestrictPublicBuckets,
  };
}

/** A PublicAccessBlockConfiguration as put: absent flags are false (as GetPublicAccessBlock then shows). */
export function normalisePublicAccessBlock(config: Record<string, unknown> | undefined): PublicAccessBlock {
  return {
    BlockPublicAcls: config?.BlockPublicAcls === true,
    IgnorePublicAcls: config?.IgnorePublicAcls === true,
    BlockPublicPolicy: config?.BlockPublicPolicy === true,
    RestrictPublicBuckets: config?.RestrictPublicBuckets === true,
  };
}

export function noSuchPublicAccessBlock(name?: string): AwsError {
  return new AwsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', {
    status: 404,
    fields: name === undefined ? {} : { BucketName: name },
  });
}

/**
 * The denial S3 gives when Block Public Access refuses a write (seen in AWS's responses): the
 * usual "User: … is not authorized to perform: … on resource: "…"" followed by the setting.
 */
export function blockedByPublicAccessBlock(callerArn: string, action: string, resource: string, reason: 'policy' | 'acl'): AwsError {
  const because =
    reason === 'policy'
      ? 'because public policies are blocked by the BlockPublicPolicy block public access setting.'
      : 'because public access control lists (ACLs) are blocked by the BlockPublicAcls block public access setting.';
  return new AwsError('AccessDenied', `User: ${callerArn} is not authorized to perform: ${action} on resource: "${resource}" ${because}`, { status: 403 });
}
