/**
 * Multipart uploads in progress live in two service-owned tables: one row per upload (its settings as
 * JSON, plus the columns ListMultipartUploads orders and filters by) and one row per uploaded part
 * (which blob holds it, its size, MD5 and checksums). Parts' bytes are blobs (../blobs/), never rows.
 * Key columns compare in byte order on both back ends (SQLite BINARY, PostgreSQL COLLATE "C"), the
 * order S3 lists keys in.
 */
import type { DocOps, Migration } from '../../../store/types.ts';
import type { ObjectEncryption, ObjectVersion, S3ChecksumAlgorithm } from '../objects/record.ts';

export const UPLOADS_TABLE = 's3_multipart_uploads';
export const PARTS_TABLE = 's3_multipart_parts';

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

/** Everything CreateMultipartUpload fixes for the object CompleteMultipartUpload will make. */
export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  /** ISO-8601 with milliseconds, Bonsai's clock. */
  initiated: string;
  ownerAccountId: string;
  /** ListParts/ListMultipartUploads' Initiator: the canonical id for a root caller, else the caller's ARN. */
  initiator: { id: string; displayName?: string };
  storageClass: string;
  /** Absent when the upload was created without x-amz-checksum-algorithm. */
  checksum?: { algorithm: S3ChecksumAlgorithm; type: ChecksumType };
  encryption: ObjectEncryption;
  contentHeaders: ObjectVersion['contentHeaders'];
  metadata: Record<string, string>;
  tags?: Array<{ Key: string; Value: string }>;
  websiteRedirectLocation?: string;
  /** ACL grants from x-amz-acl / x-amz-grant-* headers, as the access part shaped them, for the object. */
  acl?: unknown;
}

export interface PartRecord {
  partNumber: number;
  blobId: string;
  size: number;
  /** MD5 hex, without quotes (the part's ETag). */
  md5: string;
  /** The upload algorithm's checksum (base64), when the upload has one. */
  checksum?: string;
  /** CRC-64/NVME (base64), always computed: the default full-object checksum of uploads without an algorithm. */
  crc64nvme: string;
  /** ISO-8601, Bonsai's clock. */
  lastModified: string;
}

function createTables(keyText: string): string {
  return `CREATE TABLE ${UPLOADS_TABLE} (
  upload_id ${keyText} PRIMARY KEY,
  bucket ${keyText} NOT NULL,
  object_key ${keyText} NOT NULL,
  initiated TEXT NOT NULL,
  upload TEXT NOT NULL
);
CREATE INDEX ${UPLOADS_TABLE}_by_key ON ${UPLOADS_TABLE} (bucket, object_key, initiated, upload_id);
CREATE TABLE ${PARTS_TABLE} (
  upload_id ${keyText} NOT NULL,
  part_number INTEGER NOT NULL,
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  md5 TEXT NOT NULL,
  checksum TEXT,
  crc64nvme TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
)`;
}

export const multipartMigrations: Migration[] = [
  {
    id: 40,
    name: 's3 multipart uploads and parts',
    sql: { sqlite: createTables('TEXT'), postgres: createTables('TEXT COLLATE "C"') },
  },
];

interface UploadRow {
  upload: string;
}

interface PartRow {
  part_number: number | string;
  blob_id: string;
  size: number | string;
  md5: string;
  checksum: string | null;
  crc64nvme: string;
  last_modified: string;
}

function toPart(row: PartRow): PartRecord {
  return {
    partNumber: Number(row.part_number),
    blobId: row.blob_id,
    size: Number(row.size),
    md5: row.md5,
    ...(row.checksum ? { checksum: row.checksum } : {}),
    crc64nvme: row.crc64nvme,
    lastModified: row.last_modified,
  };
}

export async function insertUpload(db: DocOps, upload: UploadRecord): Promise<void> {
  await db.sql(`INSERT INTO ${UPLOADS_TABLE} (upload_id, bucket, object_key, initiated, upload) VALUES ($1, $2, $3, $4, $5)`, [
    upload.uploadId,
    upload.bucket,
    upload.key,
    upload.initiated,
    JSON.stringify(upload),
  ]);
}

export async function readUpload(db: DocOps, uploadId: string): Promise<UploadRecord | undefined> {
  const rows = await db.sql<UploadRow>(`SELECT upload FROM ${UPLOADS_TABLE} WHERE upload_id = $1`, [uploadId]);
  return rows[0] ? (JSON.parse(rows[0].upload) as UploadRecord) : undefined;
}

/** Removes the upload and its part rows; returns the removed parts (their blobs are the caller's to delete). */
export async function deleteUpload(db: DocOps, uploadId: string): Promise<PartRecord[]> {
  const parts = await readParts(db, uploadId);
  await db.sql(`DELETE FROM ${PARTS_TABLE} WHERE upload_id = $1`, [uploadId]);
  await db.sql(`DELETE FROM ${UPLOADS_TABLE} WHERE upload_id = $1`, [uploadId]);
  return parts;
}

/** Every part of the upload, by part number. */
export async function readParts(db: DocOps, uploadId: string, after = 0, limit?: number): Promise<PartRecord[]> {
  const params: unknown[] = [uploadId, after];
  let sql = `SELECT part_number, blob_id, size, md5, checksum, crc64nvme, last_modified FROM ${PARTS_TABLE}
     WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number`;
  if (limit !== undefined) {
    sql += ' LIMIT $3';
    params.push(limit);
  }
  return (await db.sql<PartRow>(sql, params)).map(toPart);
}

export async function readPart(db: DocOps, uploadId: string, partNumber: number): Promise<PartRecord | undefined> {
  const rows = await db.sql<PartRow>(
    `SELECT part_number, blob_id, size, md5, checksum, crc64nvme, last_modified FROM ${PARTS_TABLE} WHERE upload_id = $1 AND part_number = $2`,
    [uploadId, partNumber],
  );
  return rows[0] ? toPart(rows[0]) : undefined;
}

/** Records a part, replacing any earlier part with its number. */
export async function upsertPart(db: DocOps, uploadId: string, part: PartRecord): Promise<void> {
  await db.sql(
    `INSERT INTO ${PARTS_TABLE} (upload_id, part_number, blob_id, size, md5, checksum, crc64nvme, last_modified)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (upload_id, part_number) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size, md5 = excluded.md5,
       checksum = excluded.checksum, crc64nvme = excluded.crc64nvme, last_modified = excluded.last_modified`,
    [uploadId, part.partNumber, part.blobId, part.size, part.md5, part.checksum ?? null, part.crc64nvme, part.lastModified],
  );
}

/**
 * A bucket's uploads whose key starts with `prefix`, ordered by key, then initiation time, then id.
 * The prefix is matched here rather than in SQL, where substr() counts characters differently on
 * each back end (and differently from JavaScript for keys outside the BMP).
 */
export async function listBucketUploads(db: DocOps, bucket: string, prefix = ''): Promise<UploadRecord[]> {
  const rows = await db.sql<UploadRow>(`SELECT upload FROM ${UPLOADS_TABLE} WHERE bucket = $1 ORDER BY object_key, initiated, upload_id`, [
    bucket,
  ]);
  return rows.map((row) => JSON.parse(row.upload) as UploadRecord).filter((upload) => upload.key.startsWith(prefix));
}

/** A bucket's uploads initiated strictly before `isoTime`. */
export async function listUploadsBefore(db: DocOps, bucket: string, isoTime: string): Promise<UploadRecord[]> {
  const rows = await db.sql<UploadRow>(
    `SELECT upload FROM ${UPLOADS_TABLE} WHERE bucket = $1 AND initiated < $2 ORDER BY object_key, initiated, upload_id`,
    [bucket, isoTime],
  );
  return rows.map((row) => JSON.parse(row.upload) as UploadRecord);
}
