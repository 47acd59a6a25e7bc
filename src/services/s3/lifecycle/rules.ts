/**
 * What a bucket's lifecycle rules ask for, decided without touching the store: which rules select
 * an object (prefix, tags, size), when each action falls due (dates.ts), and which action wins
 * when several rules apply. S3's precedence ("Lifecycle configuration elements: how S3 resolves
 * conflicts"): permanent deletion beats transition, and among transitions the cheaper (colder)
 * storage class wins. Only rules with Status Enabled count.
 */
import type { Tag } from '../../../generated/s3/types.ts';
import { lifecycleSelection, type StoredLifecycleConfiguration, type StoredLifecycleRule } from '../buckets/lifecycle.ts';
import type { ObjectVersion } from '../objects/record.ts';
import { dateMs, dueAfterDays } from './dates.ts';

/**
 * S3's transition waterfall: an object only ever moves to a class further down this list
 * (STANDARD → STANDARD_IA → INTELLIGENT_TIERING → ONEZONE_IA → GLACIER_IR → GLACIER → DEEP_ARCHIVE).
 */
const TRANSITION_RANK: Record<string, number> = {
  STANDARD: 0,
  REDUCED_REDUNDANCY: 0,
  STANDARD_IA: 1,
  INTELLIGENT_TIERING: 2,
  ONEZONE_IA: 3,
  GLACIER_IR: 4,
  GLACIER: 5,
  DEEP_ARCHIVE: 6,
};

/** Objects under 128 KiB are not transitioned by default (TransitionDefaultMinimumObjectSize, since September 2024). */
export const DEFAULT_TRANSITION_MINIMUM_BYTES = 128 * 1024;
/** Under 'varies_by_storage_class', only these classes take objects smaller than 128 KiB. */
const SMALL_OBJECT_CLASSES = new Set(['GLACIER', 'DEEP_ARCHIVE']);

/** What a filter is matched against: the key, and for object versions their size and tags. */
export interface LifecycleTarget {
  key: string;
  size: number;
  tags: readonly Tag[];
}

export function targetOf(version: ObjectVersion): LifecycleTarget {
  return { key: version.key, size: version.isDeleteMarker ? 0 : version.size, tags: version.tags ?? [] };
}

export function enabledRules(config: StoredLifecycleConfiguration | undefined): StoredLifecycleRule[] {
  return (config?.Rules ?? []).filter((rule) => rule.Status === 'Enabled');
}

/** Whether the rule's filter selects the target: prefix, every tag (key and value), both size bounds (exclusive). */
export function ruleSelects(rule: StoredLifecycleRule, target: LifecycleTarget): boolean {
  const selection = lifecycleSelection(rule);
  if (!target.key.startsWith(selection.prefix)) return false;
  for (const wanted of selection.tags) {
    if (!target.tags.some((tag) => tag.Key === wanted.Key && tag.Value === wanted.Value)) return false;
  }
  if (selection.objectSizeGreaterThan !== undefined && !(target.size > selection.objectSizeGreaterThan)) return false;
  if (selection.objectSizeLessThan !== undefined && !(target.size < selection.objectSizeLessThan)) return false;
  return true;
}

/**
 * Whether an object of `size` bytes may move to `storageClass` under the bucket's minimum size
 * setting. A rule that filters on ObjectSizeGreaterThan sets its own minimum, which S3 honours
 * instead of the default.
 */
export function sizeAllowsTransition(config: StoredLifecycleConfiguration, rule: StoredLifecycleRule, storageClass: string, size: number): boolean {
  if (lifecycleSelection(rule).objectSizeGreaterThan !== undefined) return true;
  if (size >= DEFAULT_TRANSITION_MINIMUM_BYTES) return true;
  return config.TransitionDefaultMinimumObjectSize === 'varies_by_storage_class' && SMALL_OBJECT_CLASSES.has(storageClass);
}

function isColder(candidate: string, than: string): boolean {
  return (TRANSITION_RANK[candidate] ?? -1) > (TRANSITION_RANK[than] ?? Number.POSITIVE_INFINITY);
}

export type LifecycleAction =
  /** Current version: expire (a delete marker on a versioned bucket, removal otherwise). Noncurrent: remove for good. */
  | { kind: 'expire'; ruleId: string }
  | { kind: 'transition'; storageClass: string; ruleId: string }
  /** A current delete marker with no versions behind it: remove it. */
  | { kind: 'remove-delete-marker'; ruleId: string };

/** When the rule's Expiration (Days or Date) expires the current version, if it has one. */
function currentExpirationDue(rule: StoredLifecycleRule, version: ObjectVersion): number | undefined {
  const expiration = rule.Expiration;
  if (expiration?.Days !== undefined) return dueAfterDays(version.lastModified, expiration.Days);
  if (expiration?.Date !== undefined) return dateMs(expiration.Date);
  return undefined;
}

/**
 * The earliest scheduled expiration of a current object and the rule that sets it: what
 * x-amz-expiration reports.
 */
export function scheduledExpiration(config: StoredLifecycleConfiguration | undefined, version: ObjectVersion): { dueMs: number; ruleId: string } | undefined {
  if (version.isDeleteMarker) return undefined;
  let best: { dueMs: number; ruleId: string } | undefined;
  for (const rule of enabledRules(config)) {
    if (!ruleSelects(rule, targetOf(version))) continue;
    const due = currentExpirationDue(rule, version);
    if (due !== undefined && (!best || due < best.dueMs)) best = { dueMs: due, ruleId: rule.ID };
  }
  return best;
}

/** The coldest transition due for an object, among the rules' candidate transitions. */
function pickTransition(candidates: Array<{ storageClass: string; ruleId: string }>, currentClass: string): LifecycleAction | undefined {
  let best: { storageClass: string; ruleId: string } | undefined;
  for (const c of candidates) {
    if (!isColder(c.storageClass, currentClass)) continue;
    if (!best || isColder(c.storageClass, best.storageClass)) best = c;
  }
  return best && { kind: 'transition', storageClass: best.storageClass, ruleId: best.ruleId };
}

/**
 * What the rules do now to a key's current version. `soleVersion`: no other version of the key
 * exists (a delete marker is then "expired"). S3: "When specifying the Days tag, Amazon S3
 * automatically performs ExpiredObjectDeleteMarker cleanup when the delete markers are old enough
 * to satisfy the age criteria."
 */
export function currentVersionAction(
  config: StoredLifecycleConfiguration | undefined,
  version: ObjectVersion,
  soleVersion: boolean,
  nowMs: number,
): LifecycleAction | undefined {
  const rules = enabledRules(config).filter((rule) => ruleSelects(rule, targetOf(version)));
  if (version.isDeleteMarker) {
    if (!soleVersion) return undefined;
    for (const rule of rules) {
      const expiration = rule.Expiration;
      if (expiration?.ExpiredObjectDeleteMarker === true) return { kind: 'remove-delete-marker', ruleId: rule.ID };
      if (expiration?.Days !== undefined && dueAfterDays(version.lastModified, expiration.Days) <= nowMs) {
        return { kind: 'remove-delete-marker', ruleId: rule.ID };
      }
    }
    return undefined;
  }
  for (const rule of rules) {
    const due = currentExpirationDue(rule, version);
    if (due !== undefined && due <= nowMs) return { kind: 'expire', ruleId: rule.ID };
  }
  const candidates: Array<{ storageClass: string; ruleId: string }> = [];
  for (const rule of rules) {
    for (const t of rule.Transitions ?? []) {
      if (t.StorageClass === undefined) continue;
      const due = t.Days !== undefined ? dueAfterDays(version.lastModified, t.Days) : t.Date !== undefined ? dateMs(t.Date) : undefined;
      if (due === undefined || due > nowMs) continue;
      if (!config || !sizeAllowsTransition(config, rule, t.StorageClass, version.size)) continue;
      candidates.push({ storageClass: t.StorageClass, ruleId: rule.ID });
    }
  }
  return pickTransition(candidates, version.storageClass);
}

/**
 * What the rules do now to a noncurrent version. `becameNoncurrent`: when its successor was
 * written (ISO); `newerNoncurrent`: how many noncurrent versions of the key are newer than it
 * (NewerNoncurrentVersions keeps that many). Noncurrent delete markers are expired too, never
 * transitioned.
 */
export function noncurrentVersionAction(
  config: StoredLifecycleConfiguration | undefined,
  version: ObjectVersion,
  becameNoncurrent: string,
  newerNoncurrent: number,
  nowMs: number,
): LifecycleAction | undefined {
  const rules = enabledRules(config).filter((rule) => ruleSelects(rule, targetOf(version)));
  const retained = (newer: number | undefined) => newer !== undefined && newerNoncurrent < newer;
  for (const rule of rules) {
    const expiration = rule.NoncurrentVersionExpiration;
    if (expiration?.NoncurrentDays === undefined || retained(expiration.NewerNoncurrentVersions)) continue;
    if (dueAfterDays(becameNoncurrent, expiration.NoncurrentDays) <= nowMs) return { kind: 'expire', ruleId: rule.ID };
  }
  if (version.isDeleteMarker) return undefined;
  const candidates: Array<{ storageClass: string; ruleId: string }> = [];
  for (const rule of rules) {
    for (const t of rule.NoncurrentVersionTransitions ?? []) {
      if (t.StorageClass === undefined || t.NoncurrentDays === undefined || retained(t.NewerNoncurrentVersions)) continue;
      if (dueAfterDays(becameNoncurrent, t.NoncurrentDays) > nowMs) continue;
      if (!config || !sizeAllowsTransition(config, rule, t.StorageClass, version.size)) continue;
      candidates.push({ storageClass: t.StorageClass, ruleId: rule.ID });
    }
  }
  return pickTransition(candidates, version.storageClass);
}

/** The AbortIncompleteMultipartUpload rule that makes an upload due for abort now, if any (prefix filters only). */
export function abortingRule(config: StoredLifecycleConfiguration | undefined, upload: { key: string; initiated: string }, nowMs: number): string | undefined {
  for (const rule of enabledRules(config)) {
    const days = rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (days === undefined || !upload.key.startsWith(lifecycleSelection(rule).prefix)) continue;
    if (dueAfterDays(upload.initiated, days) <= nowMs) return rule.ID;
  }
  return undefined;
}

/** The smallest DaysAfterInitiation among enabled rules: uploads younger than that need no look. */
export function shortestAbortDays(config: StoredLifecycleConfiguration | undefined): number | undefined {
  const days = enabledRules(config)
    .map((rule) => rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation)
    .filter((d): d is number => d !== undefined);
  return days.length ? Math.min(...days) : undefined;
}
