/**
 * Writing and removing object versions under a bucket's versioning state — the one place S3's
 * versioning rules live. Other parts use these too: multipart completion and POST uploads commit
 * through commitObjectVersion, the lifecycle sweeper walks forEachObjectVersion.
 *
 * Blobs of versions a write replaces (an unversioned overwrite, the null version of a suspended
 * bucket) are deleted only after the new metadata is committed: a crash in between leaves an
 * orphan blob, never an object whose bytes are gone. collectOrphanBlobs removes those at start-up.
 */
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../../core/context.ts';
import type { DocOps, Store } from '../../../store/types.ts';
import type { BlobStore } from '../blobs/types.ts';
import type { BucketRecord } from '../buckets/record.ts';
import { blobStoreOf } from './keys.ts';
import type { ObjectVersion } from './record.ts';
import { lastModifiedNow } from './http-dates.ts';
import {
  clearLatest, deleteVersionRow, fromRow, insertVersionRow, latestVersionRow, promoteNewest, replaceVersionRow, ROW_COLUMNS, updateVersionDoc, versionRowById,
  VERSIONS_TABLE, type StoredVersion, type VersionRow,
} from './table.ts';

export const NULL_VERSION = 'null';

const VERSION_ID_PATTERN = /^[A-Za-z0-9._]{32}$/;

/** A new version id: 32 URL-safe characters, as S3's look. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url').replace(/-/g, '.');
}

/** Whether a version id could have been issued here ('null' or one of newVersionId's). */
export function isWellFormedVersionId(versionId: string): boolean {
  return versionId === NULL_VERSION || VERSION_ID_PATTERN.test(versionId);
}

/** What a write of `bucket` gets as its version id: fresh when versioning is on, 'null' otherwise. */
function versionIdFor(bucket: BucketRecord): string {
  return bucket.versioning === 'Enabled' ? newVersionId() : NULL_VERSION;
}

export type VersionFields = Omit<ObjectVersion, 'versionId' | 'bucket' | 'key' | 'isDeleteMarker'>;

export interface CommitOptions {
  /**
   * Runs inside the committing transaction with the key's current object (undefined when there is
   * none or its latest version is a delete marker); throw an AwsError to refuse the write
   * (conditional writes: If-Match, If-None-Match).
   */
  precondition?: (current: ObjectVersion | undefined) => void;
}

/**
 * Inserts `version` as the key's latest. A 'null' version replaces any existing null version (the
 * only version of an unversioned key). Returns the versions it replaced, whose blobs the caller
 * deletes after commit.
 */
async function insertLatest(tx: DocOps, version: ObjectVersion, newestRow?: StoredVersion | null): Promise<ObjectVersion[]> {
  const newest = newestRow === undefined ? await latestVersionRow(tx, version.bucket, version.key) : (newestRow ?? undefined);
  const replaced: ObjectVersion[] = [];
  if (version.versionId === NULL_VERSION) {
    if (newest?.isLatest && newest.version.versionId === NULL_VERSION) {
      // The common overwrite of an unversioned key: the null version is the latest (the only row
      // marked latest), so it is rewritten in place as the new latest, one statement instead of
      // delete, clear and insert, with the same outcome.
      replaced.push(newest.version);
      await replaceVersionRow(tx, version, newest.seq + 1);
      return replaced;
    }
    const existing = await versionRowById(tx, version.bucket, version.key, NULL_VERSION);
    if (existing) {
      replaced.push(existing.version);
      await deleteVersionRow(tx, version.bucket, version.key, NULL_VERSION);
    }
  }
  await clearLatest(tx, version.bucket, version.key);
  await insertVersionRow(tx, version, (newest?.seq ?? 0) + 1);
  return replaced;
}

function currentObject(stored: StoredVersion | undefined): ObjectVersion | undefined {
  return stored && !stored.version.isDeleteMarker ? stored.version : undefined;
}

/** Removes the blobs of versions that are no longer referenced; failures only leave orphans. */
export async function deleteBlobsOf(ctx: RequestContext, versions: readonly ObjectVersion[]): Promise<void> {
  const blobs = blobStoreOf(ctx);
  for (const v of versions) {
    for (const b of v.blobs ?? []) {
      try {
        await blobs.delete(b.blobId);
      } catch (err) {
        ctx.log.warn({ err, blobId: b.blobId }, 'could not delete a replaced blob; collectOrphanBlobs will');
      }
    }
  }
}

/**
 * Commits a new object version under the bucket's versioning state: a fresh version id when
 * versioning is enabled (earlier versions stay), 'null' otherwise (replacing the null version).
 */
export async function commitObjectVersion(
  ctx: RequestContext,
  bucket: BucketRecord,
  key: string,
  fields: VersionFields,
  options: CommitOptions = {},
): Promise<ObjectVersion> {
  const version: ObjectVersion = { ...fields, bucket: bucket.name, key, versionId: versionIdFor(bucket), isDeleteMarker: false };
  const replaced = await ctx.store.transaction(async (tx) => {
    if (!options.precondition) return insertLatest(tx, version);
    const newest = await latestVersionRow(tx, bucket.name, key);
    options.precondition(currentObject(newest));
    return insertLatest(tx, version, newest ?? null);
  });
  await deleteBlobsOf(ctx, replaced);
  return version;
}

function deleteMarkerFor(bucket: BucketRecord, key: string, ctx: RequestContext): ObjectVersion {
  return {
    bucket: bucket.name,
    key,
    versionId: versionIdFor(bucket),
    isDeleteMarker: true,
    // Whole seconds, like every S3 LastModified (ListObjectVersions prints ".000Z").
    lastModified: lastModifiedNow(ctx.clock.now()),
    ownerAccountId: ctx.accountId,
    size: 0,
    etag: '',
    storageClass: 'STANDARD',
    blobs: [],
    encryption: { kind: 'SSE-S3' },
    contentHeaders: {},
    metadata: {},
  };
}

/**
 * DeleteObject without a version id: an unversioned bucket removes the object; a versioned one
 * gets a new delete marker; a suspended one replaces its null version with a null delete marker.
 * Returns the marker written, if any.
 */
export async function deleteCurrentObject(ctx: RequestContext, bucket: BucketRecord, key: string): Promise<ObjectVersion | undefined> {
  if (bucket.versioning === 'Unversioned') {
    await deleteObjectVersionPermanently(ctx, bucket.name, key, NULL_VERSION);
    return undefined;
  }
  const marker = deleteMarkerFor(bucket, key, ctx);
  const replaced = await ctx.store.transaction((tx) => insertLatest(tx, marker));
  await deleteBlobsOf(ctx, replaced);
  return marker;
}

/**
 * Removes one version for good. When it was the latest, the next newest becomes the latest — so
 * deleting a delete marker that is latest brings the object back. Returns the removed version.
 */
export async function deleteObjectVersionPermanently(
  ctx: RequestContext,
  bucketName: string,
  key: string,
  versionId: string,
): Promise<ObjectVersion | undefined> {
  const removed = await ctx.store.transaction(async (tx) => {
    const stored = await versionRowById(tx, bucketName, key, versionId);
    if (!stored) return undefined;
    await deleteVersionRow(tx, bucketName, key, versionId);
    if (stored.isLatest) await promoteNewest(tx, bucketName, key);
    return stored.version;
  });
  if (removed) await deleteBlobsOf(ctx, [removed]);
  return removed;
}

/**
 * Rewrites one version's document in place (the lifecycle part: a transition's storage class, a
 * restore's dates), inside a transaction that re-reads it. `change` gets the stored version and
 * returns the new one, or undefined to leave it; the result is undefined when the version is gone.
 */
export async function updateObjectVersion(
  store: Pick<Store, 'transaction'>,
  bucketName: string,
  key: string,
  versionId: string,
  change: (version: ObjectVersion) => ObjectVersion | undefined,
): Promise<ObjectVersion | undefined> {
  return store.transaction(async (tx) => {
    const stored = await versionRowById(tx, bucketName, key, versionId);
    if (!stored) return undefined;
    const next = change(stored.version);
    if (next === undefined) return stored.version;
    await updateVersionDoc(tx, { ...next, bucket: bucketName, key, versionId });
    return next;
  });
}

/** A version with whether it is the key's latest. */
export interface LoadedVersion {
  version: ObjectVersion;
  isLatest: boolean;
}

export async function loadStoredVersion(db: DocOps, bucketName: string, key: string, versionId?: string): Promise<LoadedVersion | undefined> {
  const stored = versionId === undefined ? await latestVersionRow(db, bucketName, key) : await versionRowById(db, bucketName, key, versionId);
  return stored ? { version: stored.version, isLatest: stored.isLatest } : undefined;
}

/** The latest version of a key (possibly a delete marker), or the named version; undefined when absent. */
export async function loadObjectVersion(ctx: RequestContext, bucketName: string, key: string, versionId?: string): Promise<ObjectVersion | undefined> {
  return (await loadStoredVersion(ctx.store, bucketName, key, versionId))?.version;
}

const SWEEP_PAGE = 500;

/**
 * Calls `fn` for every version in a bucket, key ascending and newest first within a key, reading
 * a page at a time (for the lifecycle sweeper). `fn` may delete the version it is given.
 */
export async function forEachObjectVersion(
  store: DocOps,
  bucketName: string,
  fn: (version: ObjectVersion, place: { isLatest: boolean }) => Promise<void> | void,
): Promise<void> {
  let after: { key: string; seq: number } | undefined;
  for (;;) {
    const rows = after
      ? await store.sql<VersionRow>(
          `SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND (object_key > $2 OR (object_key = $2 AND seq < $3))
           ORDER BY object_key, seq DESC LIMIT ${SWEEP_PAGE}`,
          [bucketName, after.key, after.seq],
        )
      : await store.sql<VersionRow>(`SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE bucket = $1 ORDER BY object_key, seq DESC LIMIT ${SWEEP_PAGE}`, [bucketName]);
    for (const row of rows) {
      const stored = fromRow(row);
      await fn(stored.version, { isLatest: stored.isLatest });
      after = { key: row.object_key, seq: stored.seq };
    }
    if (rows.length < SWEEP_PAGE) return;
  }
}

/**
 * Deletes blobs on disk that no object version refers to: what a crash left between writing a blob
 * and committing its metadata. For start-up, before requests are served (a blob being written
 * now has no metadata yet). Other parts' references (multipart uploads' parts) come through
 * `alsoReferenced`. Returns how many blobs were removed.
 */
export async function collectOrphanBlobs(store: Store, blobs: BlobStore, alsoReferenced: Iterable<string> = []): Promise<number> {
  const referenced = new Set<string>(alsoReferenced);
  let after: { bucket: string; key: string; seq: number } | undefined;
  for (;;) {
    const rows = await store.sql<VersionRow & { bucket: string }>(
      after
        ? `SELECT bucket, ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE (bucket > $1 OR (bucket = $1 AND (object_key > $2 OR (object_key = $2 AND seq > $3))))
           ORDER BY bucket, object_key, seq LIMIT ${SWEEP_PAGE}`
        : `SELECT bucket, ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} ORDER BY bucket, object_key, seq LIMIT ${SWEEP_PAGE}`,
      after ? [after.bucket, after.key, after.seq] : [],
    );
    for (const row of rows) {
      const { version, seq } = fromRow(row);
      for (const b of version.blobs ?? []) referenced.add(b.blobId);
      after = { bucket: row.bucket, key: row.object_key, seq };
    }
    if (rows.length < SWEEP_PAGE) break;
  }
  let removed = 0;
  for await (const blobId of blobs.list()) {
    if (referenced.has(blobId)) continue;
    await blobs.delete(blobId);
    removed++;
  }
  return removed;
}
