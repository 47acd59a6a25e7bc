/**
 * One lifecycle pass over every bucket that has enabled rules: what rules.ts decides is due on
 * Bonsai's clock is carried out through the objects and multipart parts' own functions, so
 * versioning, blob deletion and crash ordering stay theirs:
 * - a current version expires as a DeleteObject would (a delete marker on a versioned or suspended
 *   bucket, removal on an unversioned one); an expired delete marker (no versions behind it) goes;
 * - noncurrent versions (and noncurrent delete markers) are removed for good;
 * - transitions rewrite the version's storage class in place (the bytes do not move);
 * - incomplete multipart uploads are aborted.
 *
 * S3 runs lifecycle asynchronously, about once a day, and every action falls due at a midnight
 * UTC; so a bucket is swept again only when Bonsai's clock reaches another UTC day or its rules
 * change (`SweepMemo`), which keeps a fast tick cheap however many objects a bucket holds.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.ts';
import type { RequestContext } from '../../../core/context.ts';
import type { Store } from '../../../store/types.ts';
import { BUCKET_KIND, type BucketRecord } from '../buckets/record.ts';
import type { ObjectVersion } from '../objects/record.ts';
import {
  deleteCurrentObject, deleteObjectVersionPermanently, forEachObjectVersion, loadStoredVersion, updateObjectVersion,
} from '../objects/versions.ts';
import { abortUpload, listUploadsInitiatedBefore } from '../multipart/abort.ts';
import { DAY_MS } from './dates.ts';
import { abortingRule, currentVersionAction, enabledRules, noncurrentVersionAction, shortestAbortDays, type LifecycleAction } from './rules.ts';

export interface SweepDeps {
  store: Store;
  clock: Clock;
  /** The data directory (object blobs live under it). */
  dataDir: string;
  log: Logger;
}

export interface SweepReport {
  /** Current versions expired (delete marker added, or removed on unversioned buckets). */
  expired: number;
  /** Versions moved to another storage class. */
  transitioned: number;
  /** Noncurrent versions and noncurrent delete markers removed. */
  noncurrentRemoved: number;
  /** Expired object delete markers removed. */
  deleteMarkersRemoved: number;
  uploadsAborted: number;
}

/** Per bucket, the (bucket incarnation, rules, UTC day) last swept: nothing new can be due until one changes. */
export type SweepMemo = Map<string, string>;

function emptyReport(): SweepReport {
  return { expired: 0, transitioned: 0, noncurrentRemoved: 0, deleteMarkersRemoved: 0, uploadsAborted: 0 };
}

function memoKey(bucket: BucketRecord, nowMs: number): string {
  return `${bucket.createdAt}|${Math.floor(nowMs / DAY_MS)}|${JSON.stringify(bucket.lifecycle)}`;
}

/**
 * The objects part's write functions take a RequestContext but read only the store, the clock,
 * the data directory, the logger and the account (the owner of a delete marker): lifecycle acts
 * as the bucket owner, outside any request.
 */
function ownerContext(deps: SweepDeps, bucket: BucketRecord): RequestContext {
  const partial: Partial<RequestContext> = {
    store: deps.store,
    clock: deps.clock,
    dataDir: deps.dataDir,
    log: deps.log,
    accountId: bucket.ownerAccountId,
    region: bucket.region,
    service: 's3',
    operation: 'Lifecycle',
  };
  return partial as RequestContext;
}

/**
 * One pass over every bucket with enabled rules. With a memo, buckets already swept this UTC day
 * under the same rules are skipped.
 */
export async function sweepLifecycle(deps: SweepDeps, memo?: SweepMemo): Promise<SweepReport> {
  const report = emptyReport();
  let after: string | undefined;
  for (;;) {
    const docs = await deps.store.list<BucketRecord>({ kind: BUCKET_KIND, account: '', region: '', after, limit: 500 });
    for (const doc of docs) {
      const bucket = doc.value;
      if (enabledRules(bucket.lifecycle).length === 0) {
        memo?.delete(bucket.name);
        continue;
      }
      const nowMs = deps.clock.nowMs();
      const key = memoKey(bucket, nowMs);
      if (memo?.get(bucket.name) === key) continue;
      await sweepBucket(deps, bucket, nowMs, report);
      memo?.set(bucket.name, key);
    }
    if (docs.length < 500) return report;
    after = docs[docs.length - 1]!.key.id;
  }
}

/** Applies the bucket's rules to every key's versions, then to its incomplete uploads. */
export async function sweepBucket(deps: SweepDeps, bucket: BucketRecord, nowMs: number, report: SweepReport = emptyReport()): Promise<SweepReport> {
  const ctx = ownerContext(deps, bucket);
  let group: ObjectVersion[] = [];
  await forEachObjectVersion(deps.store, bucket.name, async (version) => {
    if (group.length > 0 && group[0]!.key !== version.key) {
      await sweepKey(ctx, bucket, group, nowMs, report);
      group = [];
    }
    group.push(version);
  });
  if (group.length > 0) await sweepKey(ctx, bucket, group, nowMs, report);
  await abortDueUploads(ctx, bucket, nowMs, report);
  return report;
}

/** One key's versions, newest first (the first is the current version). */
async function sweepKey(ctx: RequestContext, bucket: BucketRecord, versions: ObjectVersion[], nowMs: number, report: SweepReport): Promise<void> {
  const [current, ...older] = versions;
  if (!current) return;
  let remaining = versions.length;
  let successor = current;
  for (let i = 0; i < older.length; i++) {
    const version = older[i]!;
    // A noncurrent version's age counts from when its successor was written.
    const action = noncurrentVersionAction(bucket.lifecycle, version, successor.lastModified, i, nowMs);
    if (action?.kind === 'expire') {
      if (await deleteObjectVersionPermanently(ctx, bucket.name, version.key, version.versionId)) {
        report.noncurrentRemoved++;
        remaining--;
      }
    } else if (action?.kind === 'transition') {
      if (await transition(ctx, version, action)) report.transitioned++;
    }
    successor = version;
  }
  await applyToCurrent(ctx, bucket, current, remaining === 1, nowMs, report);
}

async function applyToCurrent(ctx: RequestContext, bucket: BucketRecord, current: ObjectVersion, soleVersion: boolean, nowMs: number, report: SweepReport): Promise<void> {
  const action = currentVersionAction(bucket.lifecycle, current, soleVersion, nowMs);
  if (!action) return;
  // Act only on the version judged: a client may have written the key since it was read.
  if (!(await stillCurrent(ctx, current))) return;
  if (action.kind === 'expire') {
    await deleteCurrentObject(ctx, bucket, current.key);
    report.expired++;
  } else if (action.kind === 'remove-delete-marker') {
    if (await deleteObjectVersionPermanently(ctx, bucket.name, current.key, current.versionId)) report.deleteMarkersRemoved++;
  } else if (await transition(ctx, current, action)) {
    report.transitioned++;
  }
}

async function stillCurrent(ctx: RequestContext, version: ObjectVersion): Promise<boolean> {
  const latest = await loadStoredVersion(ctx.store, version.bucket, version.key);
  return latest !== undefined && latest.version.versionId === version.versionId && latest.version.lastModified === version.lastModified;
}

/** Moves a version to the action's storage class; a restore of the old class no longer applies. */
async function transition(ctx: RequestContext, version: ObjectVersion, action: Extract<LifecycleAction, { kind: 'transition' }>): Promise<boolean> {
  let changed = false;
  await updateObjectVersion(ctx.store, version.bucket, version.key, version.versionId, (stored) => {
    if (stored.lastModified !== version.lastModified || stored.storageClass !== version.storageClass) return undefined;
    changed = true;
    const { restore: _restore, ...rest } = stored;
    void _restore;
    return { ...rest, storageClass: action.storageClass };
  });
  return changed;
}

async function abortDueUploads(ctx: RequestContext, bucket: BucketRecord, nowMs: number, report: SweepReport): Promise<void> {
  const days = shortestAbortDays(bucket.lifecycle);
  if (days === undefined) return;
  // Due means next-midnight(initiated + days) <= now, so every due upload started before now - days.
  const startedBefore = new Date(nowMs - days * DAY_MS).toISOString();
  for (const upload of await listUploadsInitiatedBefore(ctx.store, bucket.name, startedBefore)) {
    if (abortingRule(bucket.lifecycle, upload, nowMs) === undefined) continue;
    if (await abortUpload(ctx, bucket.name, upload.uploadId)) report.uploadsAborted++;
  }
}
