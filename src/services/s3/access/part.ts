/**
 * S3's bucket policies, Block Public Access (bucket level; the account level is S3 Control's, in
 * src/services/s3control/), ownership controls and ACLs. The authorization table (authz.ts) and
 * the resource policy it evaluates (resource-policy.ts) live here too.
 *
 * For the other parts: `checkAclHeaders(ctx, bucket, input)` (handlers.ts) vets the ACL of an
 * object write and returns the grants to keep with `storeObjectAcl(ctx, version, grants)`
 * (object-acl.ts); `canonicalUserId(accountId)` (acl.ts) is the owner id S3 responses show.
 */
import type { S3Part } from '../part.ts';
import { accessHandlers } from './handlers.ts';

export const accessPart: S3Part = {
  handlers: accessHandlers,
  notes: [
    'Canonical user ids are derived from the account id (64 hex digits, stable); grants by email address are refused with InvalidArgument.',
    'Signature Version 4 only, as for S3 buckets created since June 2020: a SigV2 Authorization header or presigned URL (AWSAccessKeyId/Signature/Expires, boto3\'s generate_presigned_url without signature_version="s3v4") is refused with 400 InvalidRequest "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."',
  ],
  operationNotes: {
    PutBucketPolicy:
      'Principals are checked for syntax only (AWS also refuses IAM users and roles that do not exist). Answers 200 where AWS answers 204.',
    GetObjectAcl: 'Object ACLs are evaluated for object reads only on buckets whose ownership is not BucketOwnerEnforced.',
  },
};
