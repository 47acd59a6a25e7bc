/**
 * S3 over the web: CORS preflights and CORS headers, the static website endpoint, browser POST
 * uploads (served through ServiceDefinition.serveOutsideApi: serveS3OutsideApi), and the
 * validation of notification configurations (validateNotificationConfiguration, called by the
 * buckets part). No API handlers of its own.
 */
import type { S3Part } from '../part.ts';

export { serveS3OutsideApi } from './outside-api.ts';
export { validateNotificationConfiguration } from './notifications.ts';

export const webPart: S3Part = {
  handlers: {},
  notes: [
    'CORS preflights (OPTIONS) and the Access-Control-* headers of actual requests follow the bucket\'s CORS rules; the static website endpoint answers on Host `<bucket>.s3-website-<region>.amazonaws.com`, `<bucket>.s3-website.<region>.amazonaws.com` and `<bucket>.s3-website.localhost`. The website endpoint does not check that the Host names the bucket\'s own region.',
    'Browser POST uploads (multipart/form-data with a SigV4-signed policy) are supported; the `acl` field is checked by the policy and the s3:x-amz-acl condition key but not applied to the object. Texts of InvalidPolicyDocument messages for malformed conditions are Bonsai\'s own after "Invalid Policy: ".',
  ],
  operationNotes: {
    PutBucketNotificationConfiguration:
      'Bonsai has no SNS topics, SQS queues or Lambda functions to deliver to yet, so any topic, queue or Lambda destination is refused with S3\'s InvalidArgument "Unable to validate the following destination configurations"; EventBridge-only configurations are stored. No events are delivered.',
  },
};
