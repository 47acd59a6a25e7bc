/**
 * RestoreObject: a temporary, readable copy of a GLACIER or DEEP_ARCHIVE object. The restore
 * completes after the retrieval tier's documented time, measured on Bonsai's clock (so
 * `bonsai clock advance 5h` finishes a Standard restore), and the copy lasts `Days` days, the
 * expiry rounded to the next midnight UTC as S3 rounds it. The object version records both dates
 * (`restore`); GetObject/HeadObject (objects/read.ts) derive x-amz-restore and readability from
 * them, so nothing needs to run when a restore completes.
 *
 * Answers: 202 Accepted for a new restore, 200 OK when a restored copy exists (its expiry is
 * moved to now + Days), 409 RestoreAlreadyInProgress while one is under way, 403
 * InvalidObjectState for any other storage class.
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { RestoreObjectOutput, RestoreObjectRequest, RestoreRequest, Tier } from '../../../generated/s3/types.ts';
import { malformedXml } from '../../../protocols/rest-xml.ts';
import { requireBucket } from '../buckets/record.ts';
import { noSuchKey } from '../objects/errors.ts';
import { requireObjectVersion } from '../objects/lookup.ts';
import type { ObjectVersion } from '../objects/record.ts';
import { updateObjectVersion } from '../objects/versions.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, nextMidnightUtc } from './dates.ts';

/**
 * How long a restore takes, per storage class and tier: the upper bound of AWS's documented
 * ranges (GLACIER: Expedited 1–5 minutes, Standard 3–5 hours, Bulk 5–12 hours; DEEP_ARCHIVE:
 * Standard within 12 hours, Bulk within 48 hours; Expedited is not offered for DEEP_ARCHIVE).
 */
export const RESTORE_DURATION_MS: Readonly<Record<string, Partial<Record<Tier, number>>>> = {
  GLACIER: { Expedited: 5 * MINUTE_MS, Standard: 5 * HOUR_MS, Bulk: 12 * HOUR_MS },
  DEEP_ARCHIVE: { Standard: 12 * HOUR_MS, Bulk: 48 * HOUR_MS },
};

const DEFAULT_TIER: Tier = 'Standard';

export type RestoreState = 'none' | 'ongoing' | 'restored' | 'expired';

/** Where a version's restore stands at `nowMs`. */
export function restoreStateOf(version: Pick<ObjectVersion, 'restore'>, nowMs: number): RestoreState {
  if (!version.restore) return 'none';
  if (nowMs < new Date(version.restore.completesAt).getTime()) return 'ongoing';
  return nowMs < new Date(version.restore.expiresAt).getTime() ? 'restored' : 'expired';
}

/** The copy's expiry: `days` after `fromMs`, rounded up to the next midnight UTC. */
export function restoreExpiry(fromMs: number, days: number): number {
  return nextMidnightUtc(fromMs + days * DAY_MS);
}

/** The dates of a new restore requested at `nowMs`. */
export function plannedRestore(storageClass: string, tier: Tier, days: number, nowMs: number): NonNullable<ObjectVersion['restore']> {
  const duration = RESTORE_DURATION_MS[storageClass]?.[tier];
  if (duration === undefined) throw unsupportedTier(tier, storageClass);
  const completesAt = nowMs + duration;
  return { completesAt: new Date(completesAt).toISOString(), expiresAt: new Date(restoreExpiry(completesAt, days)).toISOString() };
}

function restoreNotAllowed(): AwsError {
  return new AwsError('InvalidObjectState', "Restore is not allowed for the object's current storage class", { status: 403 });
}

function restoreInProgress(): AwsError {
  return new AwsError('RestoreAlreadyInProgress', 'Object restore is already in progress', { status: 409 });
}

function unsupportedTier(tier: string, storageClass: string): AwsError {
  return new AwsError('InvalidArgument', `${tier} retrieval is not supported for the ${storageClass} storage class`, {
    status: 400,
    fields: { ArgumentName: 'Tier', ArgumentValue: tier },
  });
}

function selectNotSupported(): AwsError {
  return new AwsError('NotImplemented', 'A header you provided implies functionality that is not implemented', { status: 501 });
}

/** The request's tier: GlacierJobParameters.Tier, else the older top-level Tier, else Standard. */
function tierOf(request: RestoreRequest | undefined): Tier {
  return request?.GlacierJobParameters?.Tier ?? request?.Tier ?? DEFAULT_TIER;
}

/**
 * Days is required to restore an archived object; S3 refuses a request without it with its
 * schema error (MalformedXML), as it does a Days that is not a positive number.
 */
function daysOf(request: RestoreRequest | undefined): number {
  const days = request?.Days;
  if (days === undefined || !Number.isInteger(days) || days < 1) throw malformedXml();
  return days;
}

const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** The output's StatusCode member is bound to the HTTP status (models/patches/s3.json): 202 or 200. */
export async function restoreObject(input: RestoreObjectRequest, ctx: RequestContext): Promise<RestoreObjectOutput> {
  const bucket = await requireBucket(ctx, input.Bucket, { expectedBucketOwner: input.ExpectedBucketOwner });
  const request = input.RestoreRequest;
  if (request?.Type === 'SELECT' || request?.SelectParameters || request?.OutputLocation) throw selectNotSupported();
  const { version } = await requireObjectVersion(ctx, bucket.name, input.Key, input.VersionId, 'POST');
  if (!ARCHIVED.has(version.storageClass)) throw restoreNotAllowed();
  const days = daysOf(request);
  const tier = tierOf(request);

  let status = 202;
  const updated = await updateObjectVersion(ctx.store, bucket.name, version.key, version.versionId, (current) => {
    const nowMs = ctx.clock.nowMs();
    const state = restoreStateOf(current, nowMs);
    if (state === 'ongoing') throw restoreInProgress();
    if (state === 'restored') {
      // "You can extend the restoration period of a restored copy by reissuing the request";
      // the new period counts from now.
      status = 200;
      return { ...current, restore: { completesAt: current.restore!.completesAt, expiresAt: new Date(restoreExpiry(nowMs, days)).toISOString() } };
    }
    return { ...current, restore: plannedRestore(current.storageClass, tier, days, nowMs) };
  });
  if (!updated) throw noSuchKey(input.Key); // deleted meanwhile
  return { StatusCode: status };
}
