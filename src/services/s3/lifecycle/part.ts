/**
 * S3 storage classes in motion: RestoreObject for archived objects (restore.ts), the execution of
 * bucket lifecycle rules by a background sweeper on Bonsai's clock (rules.ts decides, sweep.ts
 * acts, sweeper.ts runs it and collects crash leftovers at start), and x-amz-expiration
 * (expiration.ts). The rules themselves are validated and stored by the buckets part
 * (buckets/lifecycle.ts); versions and uploads are changed only through the objects and multipart
 * parts' functions. No tables of its own (migration ids 60–79 are reserved for it).
 */
import type { S3Part } from '../part.ts';
import { restoreObject } from './restore.ts';

export { expirationHeader, expirationOutput } from './expiration.ts';
export { withLifecycleSweeper, ensureLifecycleSweeper, stopLifecycleSweeper, collectCrashLeftovers, SWEEP_INTERVAL_ENV } from './sweeper.ts';
export { sweepLifecycle, sweepBucket, type SweepReport } from './sweep.ts';

export const lifecyclePart: S3Part = {
  handlers: {
    RestoreObject: restoreObject,
  },
  notes: [
    'Lifecycle rules are executed by a background sweeper on Bonsai\'s clock (move it with `bonsai clock advance` or POST /_bonsai/clock): each action happens at the midnight UTC S3 rounds it to, at the first sweep after that (a sweep every 250 ms of wall time, BONSAI_S3_LIFECYCLE_INTERVAL_MS). A bucket is swept once per UTC day of Bonsai\'s clock and whenever its rules change, so an object written after a Date rule has passed is acted on at the next midnight, as with S3\'s daily lifecycle runs.',
    'Transitions change the storage class only; the bytes stay where they are. Objects under 128 KiB are not transitioned unless the rule filters on ObjectSizeGreaterThan or TransitionDefaultMinimumObjectSize is varies_by_storage_class (GLACIER and DEEP_ARCHIVE then take them), as on S3.',
  ],
  operationNotes: {
    RestoreObject:
      'Restores complete after the upper bound of the documented time for the tier on Bonsai\'s clock (GLACIER: Expedited 5 min, Standard 5 h, Bulk 12 h; DEEP_ARCHIVE: Standard 12 h, Bulk 48 h). SELECT restores (S3 Select) answer NotImplemented. INTELLIGENT_TIERING objects are never in an archive tier here, so they answer InvalidObjectState like other non-archived classes.',
  },
};
