/** What every multipart operation after CreateMultipartUpload needs: the upload, its key, who started it. */
import type { RequestContext } from '../../../core/context.ts';
import type { Principal } from '../../../core/principal.ts';
import { canonicalUserId } from '../access/acl.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { bucketDataKey, customerKeyFrom, type CustomerKeyHeaders } from '../objects/keys.ts';
import type { DocOps } from '../../../store/types.ts';
import { readUpload, type UploadRecord } from './db.ts';
import { invalidPartNumber, invalidRequest, MAX_PART_NUMBER, noSuchUpload } from './errors.ts';

/** The upload an id names, or NoSuchUpload when it is gone or belongs to another bucket or key. */
export async function requireUpload(db: DocOps, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
  const upload = await readUpload(db, uploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
  return upload;
}

export function checkPartNumber(partNumber: number | undefined): number {
  if (partNumber === undefined || !Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw invalidPartNumber(partNumber ?? '');
  }
  return partNumber;
}

/**
 * The AES key a part's blob is written with: the customer's key for an SSE-C upload (which every
 * part must repeat), the bucket's data key otherwise.
 */
export async function partKey(ctx: RequestContext, bucket: BucketRecord, upload: UploadRecord, input: CustomerKeyHeaders): Promise<Buffer> {
  const customer = customerKeyFrom(input);
  if (upload.encryption.kind === 'SSE-C') {
    if (!customer) {
      throw invalidRequest(
        'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
      );
    }
    if (customer.md5 !== upload.encryption.customerKeyMd5) {
      throw invalidRequest('The provided encryption parameters did not match the ones used originally.');
    }
    return customer.key;
  }
  if (customer) {
    throw invalidRequest(
      'The multipart upload initiate did not request encryption. Subsequent part requests must not include encryption parameters.',
    );
  }
  return bucketDataKey(ctx, bucket);
}

/**
 * ListParts/ListMultipartUploads' Initiator: an account's root is named by its canonical user id;
 * IAM users and role sessions by their ARN, with their name as display name.
 */
export function initiatorOf(principal: Principal): UploadRecord['initiator'] {
  if (principal.type === 'root' || principal.type === 'anonymous') return { id: canonicalUserId(principal.accountId) };
  return { id: principal.arn, displayName: principal.name };
}

export function initiatorOutput(upload: UploadRecord): { ID: string; DisplayName?: string } {
  return { ID: upload.initiator.id, ...(upload.initiator.displayName ? { DisplayName: upload.initiator.displayName } : {}) };
}

export function ownerOutput(upload: UploadRecord): { ID: string } {
  return { ID: canonicalUserId(upload.ownerAccountId) };
}
