/**
 * Finding the version a request addresses, with S3's answers when there is none: NoSuchKey (with
 * x-amz-delete-marker when the latest version is a delete marker), NoSuchVersion, a malformed
 * version id, and 405 for a version id that names a delete marker.
 */
import type { RequestContext } from '../../../core/context.ts';
import { httpDate } from './http-dates.ts';
import { deleteMarkerMethodNotAllowed, invalidVersionId, noSuchKey, noSuchVersion } from './errors.ts';
import type { ObjectVersion } from './record.ts';
import { isWellFormedVersionId, loadStoredVersion, type LoadedVersion } from './versions.ts';

function deleteMarkerHeaders(marker: ObjectVersion): Record<string, string> {
  return { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId, 'Last-Modified': httpDate(marker.lastModified) };
}

/** Rejects a version id that cannot be one (before any lookup, as S3 does). */
export function checkVersionId(versionId: string | undefined): void {
  if (versionId !== undefined && !isWellFormedVersionId(versionId)) throw invalidVersionId(versionId);
}

/**
 * The object version a read (GET, HEAD, tagging, attributes, copy source) addresses. `method` is
 * what 405 names when the version is a delete marker.
 */
export async function requireObjectVersion(
  ctx: RequestContext,
  bucketName: string,
  key: string,
  versionId: string | undefined,
  method: string,
): Promise<LoadedVersion> {
  checkVersionId(versionId);
  const loaded = await loadStoredVersion(ctx.store, bucketName, key, versionId);
  if (!loaded) throw versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
  if (loaded.version.isDeleteMarker) {
    if (versionId !== undefined) throw deleteMarkerMethodNotAllowed(method, deleteMarkerHeaders(loaded.version));
    const { 'Last-Modified': _lm, ...headers } = deleteMarkerHeaders(loaded.version);
    void _lm;
    throw noSuchKey(key, headers);
  }
  return loaded;
}
