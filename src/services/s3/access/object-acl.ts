/**
 * Object ACLs, kept beside the object in a document of their own (the objects part owns the
 * version record). A stored ACL names the version's lastModified: a later write of the same key
 * and version id (the 'null' version of an unversioned bucket) is a new object whose ACL is the
 * default again, so an old ACL never leaks onto it.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { Grant } from '../../../generated/s3/types.ts';
import type { DocKey } from '../../../store/types.ts';
import type { BucketRecord } from '../buckets/record.ts';
import type { ObjectVersion } from '../objects/record.ts';
import { isWellFormedVersionId, loadObjectVersion } from '../objects/versions.ts';
import { cannedAclGrants } from './acl.ts';

export const OBJECT_ACL_KIND = 's3.objectAcl';

interface StoredObjectAcl {
  lastModified: string;
  grants: Grant[];
}

function objectAclKey(bucket: string, key: string, versionId: string): DocKey {
  return { kind: OBJECT_ACL_KIND, account: '', region: '', id: `${bucket}/${versionId}/${key}` };
}

/** Records a version's ACL (PutObjectAcl, or an ACL sent with PutObject / CopyObject / CreateMultipartUpload). */
export async function storeObjectAcl(ctx: RequestContext, version: ObjectVersion, grants: Grant[]): Promise<void> {
  const value: StoredObjectAcl = { lastModified: version.lastModified, grants };
  await ctx.store.put(objectAclKey(version.bucket, version.key, version.versionId), value);
}

/** A version's ACL: what was stored for this very write, else the owner's FULL_CONTROL. */
export async function objectAclGrants(ctx: RequestContext, bucket: BucketRecord, version: ObjectVersion): Promise<Grant[]> {
  const stored = (await ctx.store.get<StoredObjectAcl>(objectAclKey(version.bucket, version.key, version.versionId)))?.value;
  if (stored && stored.lastModified === version.lastModified) return stored.grants;
  return cannedAclGrants('private', version.ownerAccountId, bucket.ownerAccountId);
}

/** The version a request names, or undefined when it does not exist (authorization then decides without its ACL). */
export async function findObjectVersion(ctx: RequestContext, bucket: BucketRecord, key: string, versionId?: string): Promise<ObjectVersion | undefined> {
  if (versionId !== undefined && !isWellFormedVersionId(versionId)) return undefined;
  const version = await loadObjectVersion(ctx, bucket.name, key, versionId);
  return version && !version.isDeleteMarker ? version : undefined;
}
