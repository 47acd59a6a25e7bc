/**
 * Questions other parts ask about a bucket's objects, answered in SQL without loading versions.
 */
import type { DocOps } from '../../../store/types.ts';
import { VERSIONS_TABLE } from './table.ts';

/** True when the bucket holds no object versions and no delete markers (DeleteBucket's BucketNotEmpty check). */
export async function bucketIsEmpty(store: Pick<DocOps, 'sql'>, bucketName: string): Promise<boolean> {
  const rows = await store.sql(`SELECT 1 AS present FROM ${VERSIONS_TABLE} WHERE bucket = $1 LIMIT 1`, [bucketName]);
  return rows.length === 0;
}
