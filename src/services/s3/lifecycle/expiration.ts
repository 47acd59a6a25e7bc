/**
 * The x-amz-expiration response header of PutObject, GetObject and HeadObject: when the bucket's
 * lifecycle rules will expire the object, and which rule does it, e.g.
 * `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"`.
 * The date is the one the sweeper acts on (rules.ts, rounded to midnight UTC as S3 rounds it).
 */
import type { BucketRecord } from '../buckets/record.ts';
import type { ObjectVersion } from '../objects/record.ts';
import { scheduledExpiration } from './rules.ts';

/** The header's value for a current object version, or undefined when no enabled rule expires it. */
export function expirationHeader(bucket: Pick<BucketRecord, 'lifecycle'>, version: ObjectVersion): string | undefined {
  const scheduled = scheduledExpiration(bucket.lifecycle, version);
  if (!scheduled) return undefined;
  return `expiry-date="${new Date(scheduled.dueMs).toUTCString()}", rule-id="${scheduled.ruleId}"`;
}

/** The same as the output member handlers spread into their result: `{ Expiration }` or nothing. */
export function expirationOutput(bucket: Pick<BucketRecord, 'lifecycle'>, version: ObjectVersion): { Expiration?: string } {
  const header = expirationHeader(bucket, version);
  return header === undefined ? {} : { Expiration: header };
}
