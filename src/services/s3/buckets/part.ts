/** S3's bucket operations: create, list, head, location, delete, and the bucket configurations. */
import type { GetBucketLocationOutput } from '../../../generated/s3/types.ts';
import type { S3Part } from '../part.ts';
import { configurationHandlers } from './configurations.ts';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets, locationConstraintDocument } from './crud.ts';

export { checkBucketRegion } from './region.ts';
export { bucketIsVersioned } from './configurations.ts';
export type { StoredLifecycleConfiguration, StoredLifecycleRule, LifecycleSelection } from './lifecycle.ts';
export { lifecycleSelection } from './lifecycle.ts';

/** Response documents the S3 codec renders for this part (see RestXmlCodecHooks.outputDocuments). */
export const bucketsOutputDocuments: Record<string, (output: Record<string, unknown>) => string> = {
  GetBucketLocation: (output) => locationConstraintDocument(output as GetBucketLocationOutput),
};

export const bucketsPart: S3Part = {
  handlers: {
    CreateBucket: createBucket,
    HeadBucket: headBucket,
    GetBucketLocation: getBucketLocation,
    ListBuckets: listBuckets,
    DeleteBucket: deleteBucket,
    ...configurationHandlers,
  },
  notes: [
    'A request for a bucket in another region than the one it was signed for is answered as S3\'s regional endpoint of the signed region answers it: 301 PermanentRedirect (HeadBucket: a bare 301) with x-amz-bucket-region; 400 IllegalLocationConstraintException when either region is opt-in; 400 AuthorizationHeaderMalformed when the Host is the legacy global s3.amazonaws.com. An anonymous request\'s region is the one its Host names (<bucket>.s3.<region>.localhost, s3-<region>.…); a virtual-hosted Host without one reaches the bucket\'s own region, as DNS would route it; path style on a bare address is us-east-1\'s endpoint.',
  ],
  operationNotes: {
    CreateBucket:
      'The LocationConstraint must name the signed region (S3\'s global endpoint would accept any region). Re-creating your own us-east-1 bucket in us-east-1 returns 200 without resetting its ACL.',
    ListBuckets: 'Owner carries the canonical user ID only (no DisplayName); BucketArn is not returned.',
    PutBucketNotificationConfiguration: 'Destinations (SNS topics, SQS queues, Lambda functions) are stored as put without being validated, and no events are delivered yet.',
    PutBucketLifecycleConfiguration:
      'Validation covers rule IDs, filters, action presence, day counts, dates at midnight, the 30-day minimum for STANDARD_IA/ONEZONE_IA, duplicate transition classes and expiration after transition; it does not check the order of transitions between storage classes.',
    PutBucketVersioning: 'MFA Delete needs the x-amz-mfa header, whose code is not checked against a device.',
  },
};
