/**
 * What each S3 operation needs from IAM: actions, bucket/object ARNs, S3's condition keys, and the
 * bucket policy as the resource policy (owned by the access part).
 */
import type { ServiceAuthz } from '../../../iam/authz/types.ts';

export const s3Authz: ServiceAuthz = {
  prefix: 's3',
  operations: {},
};
