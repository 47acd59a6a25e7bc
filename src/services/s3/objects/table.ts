/**
 * The SQL table object versions live in, owned by S3 through migrations 20–39: one row per version
 * (or delete marker) keyed by (bucket, key, seq). `seq` grows with every write of a key, so the
 * newest version is the highest seq and ListObjectVersions' order (key ascending, newest first) is
 * the primary key's order. Keys compare in UTF-8 byte order on both back ends (SQLite's BINARY
 * collation, PostgreSQL's COLLATE "C"), which is the order S3 lists in.
 *
 * A partial index holds only the current, visible objects (latest and not a delete marker), so a
 * ListObjectsV2 page is an index range scan however many versions and markers the bucket holds.
 * The version document itself is JSON in `doc`.
 */
import type { DocOps, Migration } from '../../../store/types.ts';
import type { ObjectVersion } from './record.ts';

export const VERSIONS_TABLE = 's3_object_versions';

/** Rows a listing may show: the predicate of the partial index, written the same way in queries. */
export const CURRENT_OBJECT = 'is_latest = 1 AND is_delete_marker = 0';

function createVersionsTable(text: string): string {
  return `CREATE TABLE ${VERSIONS_TABLE} (
  bucket ${text} NOT NULL,
  object_key ${text} NOT NULL,
  seq INTEGER NOT NULL,
  version_id ${text} NOT NULL,
  is_latest INTEGER NOT NULL,
  is_delete_marker INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (bucket, object_key, seq)
);
CREATE UNIQUE INDEX ${VERSIONS_TABLE}_by_id ON ${VERSIONS_TABLE} (bucket, object_key, version_id);
CREATE INDEX ${VERSIONS_TABLE}_current ON ${VERSIONS_TABLE} (bucket, object_key) WHERE ${CURRENT_OBJECT};`;
}

export const objectMigrations: Migration[] = [
  {
    id: 20,
    name: 's3 object versions',
    sql: { sqlite: createVersionsTable('TEXT'), postgres: createVersionsTable('TEXT COLLATE "C"') },
  },
];

export interface VersionRow {
  object_key: string;
  seq: number | string;
  version_id: string;
  is_latest: number | string | boolean;
  doc: string;
}

export const ROW_COLUMNS = 'object_key, seq, version_id, is_latest, doc';

/** A stored version with its place among the key's versions. */
export interface StoredVersion {
  version: ObjectVersion;
  seq: number;
  isLatest: boolean;
}

export function fromRow(row: VersionRow): StoredVersion {
  return { version: JSON.parse(row.doc) as ObjectVersion, seq: Number(row.seq), isLatest: Number(row.is_latest) === 1 || row.is_latest === true };
}

/** Every version of one key, newest first. */
export async function versionsOfKey(db: DocOps, bucket: string, key: string): Promise<StoredVersion[]> {
  const rows = await db.sql<VersionRow>(
    `SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND object_key = $2 ORDER BY seq DESC`,
    [bucket, key],
  );
  return rows.map(fromRow);
}

export async function latestVersionRow(db: DocOps, bucket: string, key: string): Promise<StoredVersion | undefined> {
  const rows = await db.sql<VersionRow>(
    `SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND object_key = $2 ORDER BY seq DESC LIMIT 1`,
    [bucket, key],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function versionRowById(db: DocOps, bucket: string, key: string, versionId: string): Promise<StoredVersion | undefined> {
  const rows = await db.sql<VersionRow>(
    `SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND object_key = $2 AND version_id = $3`,
    [bucket, key, versionId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function insertVersionRow(db: DocOps, version: ObjectVersion, seq: number): Promise<void> {
  await db.sql(
    `INSERT INTO ${VERSIONS_TABLE} (bucket, object_key, seq, version_id, is_latest, is_delete_marker, doc) VALUES ($1, $2, $3, $4, 1, $5, $6)`,
    [version.bucket, version.key, seq, version.versionId, version.isDeleteMarker ? 1 : 0, JSON.stringify(version)],
  );
}

/**
 * Puts `version` in the place of the row with its version id (the null version), as the key's
 * latest at `seq`: what deleting that row and inserting `version` would leave, in one statement.
 * The caller knows that row is the key's only latest one.
 */
export async function replaceVersionRow(db: DocOps, version: ObjectVersion, seq: number): Promise<void> {
  await db.sql(
    `UPDATE ${VERSIONS_TABLE} SET seq = $4, is_latest = 1, is_delete_marker = $5, doc = $6 WHERE bucket = $1 AND object_key = $2 AND version_id = $3`,
    [version.bucket, version.key, version.versionId, seq, version.isDeleteMarker ? 1 : 0, JSON.stringify(version)],
  );
}

/** Rewrites a version's document in place (tags, restore state); its place among versions is unchanged. */
export async function updateVersionDoc(db: DocOps, version: ObjectVersion): Promise<void> {
  await db.sql(`UPDATE ${VERSIONS_TABLE} SET doc = $4 WHERE bucket = $1 AND object_key = $2 AND version_id = $3`, [
    version.bucket,
    version.key,
    version.versionId,
    JSON.stringify(version),
  ]);
}

export async function deleteVersionRow(db: DocOps, bucket: string, key: string, versionId: string): Promise<void> {
  await db.sql(`DELETE FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND object_key = $2 AND version_id = $3`, [bucket, key, versionId]);
}

export async function clearLatest(db: DocOps, bucket: string, key: string): Promise<void> {
  await db.sql(`UPDATE ${VERSIONS_TABLE} SET is_latest = 0 WHERE bucket = $1 AND object_key = $2 AND is_latest = 1`, [bucket, key]);
}

/** Marks the newest remaining version of a key as the latest (after the latest one was removed). */
export async function promoteNewest(db: DocOps, bucket: string, key: string): Promise<void> {
  await db.sql(
    `UPDATE ${VERSIONS_TABLE} SET is_latest = 1 WHERE bucket = $1 AND object_key = $2
       AND seq = (SELECT MAX(seq) FROM ${VERSIONS_TABLE} WHERE bucket = $1 AND object_key = $2)`,
    [bucket, key],
  );
}
