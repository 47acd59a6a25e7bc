/**
 * DynamoDB Streams storage, owned by the dynamodb service's migrations:
 * - `dynamodb_streams`: one row per stream (a table's stream label), holding what DescribeStream
 *   needs once the table has moved on (view type, key schema) and the per-stream counter that
 *   numbers its records. Incrementing the counter in the writer's transaction serialises writers
 *   of one stream, so sequence numbers increase in commit order and a reader never sees record
 *   n+1 before record n.
 * - `dynamodb_stream_records`: the records, appended in the same store transaction as the item
 *   write they describe (a rolled-back write leaves no record). Records older than 24 hours are
 *   trimmed from view, as on AWS.
 */
import type { DocOps, Migration } from '../../../store/types.ts';
import type { KeySchemaElement } from '../../../generated/dynamodb/types.ts';
import { decodeItem, encodeItem, type AttributeMap } from '../attributes.ts';
import type { TableRecord } from '../tables.ts';
import { tableKeySchema } from '../tables.ts';
import { pendingRecord, type ChangeOrigin, type PendingRecord, type StreamViewType } from './records.ts';

export const STREAMS_TABLE = 'dynamodb_streams';
export const RECORDS_TABLE = 'dynamodb_stream_records';
/** Stream records are readable for 24 hours. */
export const RETENTION_MS = 24 * 60 * 60 * 1000;

function createStreamsTable(text: string, bigint: string): string {
  return `CREATE TABLE ${STREAMS_TABLE} (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name ${text} NOT NULL,
  label ${text} NOT NULL,
  table_id TEXT NOT NULL,
  view_type TEXT NOT NULL,
  key_schema TEXT NOT NULL,
  created_ms ${bigint} NOT NULL,
  last_seq ${bigint} NOT NULL,
  disabled_ms ${bigint},
  PRIMARY KEY (account, region, table_name, label)
);
CREATE TABLE ${RECORDS_TABLE} (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name ${text} NOT NULL,
  label ${text} NOT NULL,
  seq ${bigint} NOT NULL,
  created_ms ${bigint} NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (account, region, table_name, label, seq)
)`;
}

/** Ids 20+ so they cannot collide with the item store's own migrations (1, 2, …). */
export const streamMigrations: Migration[] = [
  {
    id: 20,
    name: 'dynamodb streams',
    sql: { sqlite: createStreamsTable('TEXT', 'INTEGER'), postgres: createStreamsTable('TEXT COLLATE "C"', 'BIGINT') },
  },
];

/** Where a stream lives: the table's account, region and name, and the stream's label. */
export interface StreamLocation {
  account: string;
  region: string;
  table: string;
  label: string;
}

export interface StreamRow {
  loc: StreamLocation;
  tableId: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  createdMs: number;
  lastSeq: number;
  disabledMs?: number;
}

interface StreamDbRow {
  account: string;
  region: string;
  table_name: string;
  label: string;
  table_id: string;
  view_type: string;
  key_schema: string;
  created_ms: number | string;
  last_seq: number | string;
  disabled_ms: number | string | null;
}

function toStreamRow(row: StreamDbRow): StreamRow {
  return {
    loc: { account: row.account, region: row.region, table: row.table_name, label: row.label },
    tableId: row.table_id,
    viewType: row.view_type as StreamViewType,
    keySchema: JSON.parse(row.key_schema) as KeySchemaElement[],
    createdMs: Number(row.created_ms),
    lastSeq: Number(row.last_seq),
    disabledMs: row.disabled_ms === null ? undefined : Number(row.disabled_ms),
  };
}

const WHERE_STREAM = 'account = $1 AND region = $2 AND table_name = $3 AND label = $4';

function streamParams(loc: StreamLocation): unknown[] {
  return [loc.account, loc.region, loc.table, loc.label];
}

/** The table's current stream, when it has an enabled one. */
export function enabledStreamOf(table: TableRecord): { label: string; viewType: StreamViewType } | undefined {
  const spec = table.StreamSpecification;
  if (!spec?.StreamEnabled || !table.LatestStreamLabel || !spec.StreamViewType) return undefined;
  return { label: table.LatestStreamLabel, viewType: spec.StreamViewType as StreamViewType };
}

/** Records the stream of a stream-enabled table (idempotent); the label's time is the stream's creation time. */
export async function ensureStream(db: DocOps, account: string, region: string, table: TableRecord): Promise<void> {
  const stream = enabledStreamOf(table);
  if (!stream) return;
  const createdMs = Date.parse(`${stream.label}Z`);
  await db.sql(
    `INSERT INTO ${STREAMS_TABLE} (account, region, table_name, label, table_id, view_type, key_schema, created_ms, last_seq)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0) ON CONFLICT (account, region, table_name, label) DO NOTHING`,
    [account, region, table.TableName, stream.label, table.TableId, stream.viewType, JSON.stringify(table.KeySchema), Number.isNaN(createdMs) ? 0 : createdMs],
  );
}

export async function findStream(db: DocOps, loc: StreamLocation): Promise<StreamRow | undefined> {
  const rows = await db.sql<StreamDbRow>(`SELECT * FROM ${STREAMS_TABLE} WHERE ${WHERE_STREAM}`, streamParams(loc));
  return rows[0] ? toStreamRow(rows[0]) : undefined;
}

/** Every stream of an account and region (optionally of one table), in (table, label) order. */
export async function listStreamRows(db: DocOps, account: string, region: string, tableName?: string): Promise<StreamRow[]> {
  const params: unknown[] = [account, region];
  let where = 'account = $1 AND region = $2';
  if (tableName !== undefined) {
    params.push(tableName);
    where += ' AND table_name = $3';
  }
  const rows = await db.sql<StreamDbRow>(`SELECT * FROM ${STREAMS_TABLE} WHERE ${where} ORDER BY table_name, label`, params);
  return rows.map(toStreamRow);
}

export async function markStreamDisabled(db: DocOps, loc: StreamLocation, atMs: number): Promise<void> {
  await db.sql(`UPDATE ${STREAMS_TABLE} SET disabled_ms = $5 WHERE ${WHERE_STREAM} AND disabled_ms IS NULL`, [...streamParams(loc), atMs]);
}

// ---------------------------------------------------------------------------------------------
// Records

/** A record as kept in the store: images as wire JSON text so binaries survive. */
interface StoredRecord {
  eventID: string;
  eventName: PendingRecord['eventName'];
  seconds: number;
  keys: string;
  newImage?: string;
  oldImage?: string;
  sizeBytes: number;
  viewType: StreamViewType;
  origin: ChangeOrigin;
}

export interface StreamRecordRow {
  seq: number;
  createdMs: number;
  eventID: string;
  eventName: PendingRecord['eventName'];
  approximateCreationSeconds: number;
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
  sizeBytes: number;
  viewType: StreamViewType;
  origin: ChangeOrigin;
}

async function appendRecord(db: DocOps, loc: StreamLocation, record: PendingRecord, nowMs: number): Promise<number> {
  const counted = await db.sql<{ last_seq: number | string }>(
    `UPDATE ${STREAMS_TABLE} SET last_seq = last_seq + 1 WHERE ${WHERE_STREAM} RETURNING last_seq`,
    streamParams(loc),
  );
  const seq = Number(counted[0]!.last_seq);
  const stored: StoredRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    seconds: record.approximateCreationSeconds,
    keys: encodeItem(record.keys),
    newImage: record.newImage ? encodeItem(record.newImage) : undefined,
    oldImage: record.oldImage ? encodeItem(record.oldImage) : undefined,
    sizeBytes: record.sizeBytes,
    viewType: record.viewType,
    origin: record.origin,
  };
  await db.sql(
    `INSERT INTO ${RECORDS_TABLE} (account, region, table_name, label, seq, created_ms, record) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [...streamParams(loc), seq, nowMs, JSON.stringify(stored)],
  );
  return seq;
}

/** Who is writing, where and when: a request context or the TTL sweeper's stand-in. */
export interface ChangeContext {
  accountId: string;
  region: string;
  clock: { nowMs(): number };
}

/**
 * Appends the stream record for one item change, inside the writer's transaction `tx`. Does
 * nothing when the table has no enabled stream or when the item did not change.
 */
export async function recordItemChange(
  tx: DocOps,
  ctx: ChangeContext,
  table: TableRecord,
  before: AttributeMap | undefined,
  after: AttributeMap | undefined,
  origin: ChangeOrigin = 'request',
): Promise<void> {
  const stream = enabledStreamOf(table);
  if (!stream) return;
  const nowMs = ctx.clock.nowMs();
  const record = pendingRecord(tableKeySchema(table), stream.viewType, before, after, nowMs, origin);
  if (!record) return;
  await ensureStream(tx, ctx.accountId, ctx.region, table);
  await appendRecord(tx, { account: ctx.accountId, region: ctx.region, table: table.TableName, label: stream.label }, record, nowMs);
}

/** Records with sequence counter above `afterSeq`, oldest first, no older than the retention period. */
export async function readRecords(db: DocOps, loc: StreamLocation, afterSeq: number, limit: number, nowMs: number): Promise<StreamRecordRow[]> {
  const rows = await db.sql<{ seq: number | string; created_ms: number | string; record: string }>(
    `SELECT seq, created_ms, record FROM ${RECORDS_TABLE} WHERE ${WHERE_STREAM} AND seq > $5 AND created_ms >= $6 ORDER BY seq LIMIT $7`,
    [...streamParams(loc), afterSeq, nowMs - RETENTION_MS, limit],
  );
  return rows.map((row) => {
    const r = JSON.parse(row.record) as StoredRecord;
    return {
      seq: Number(row.seq),
      createdMs: Number(row.created_ms),
      eventID: r.eventID,
      eventName: r.eventName,
      approximateCreationSeconds: r.seconds,
      keys: decodeItem(r.keys),
      newImage: r.newImage ? decodeItem(r.newImage) : undefined,
      oldImage: r.oldImage ? decodeItem(r.oldImage) : undefined,
      sizeBytes: r.sizeBytes,
      viewType: r.viewType,
      origin: r.origin,
    };
  });
}

/** The counter of the oldest record still retained, or undefined when none is. */
export async function oldestRetainedSeq(db: DocOps, loc: StreamLocation, nowMs: number): Promise<number | undefined> {
  const rows = await db.sql<{ seq: number | string | null }>(
    `SELECT MIN(seq) AS seq FROM ${RECORDS_TABLE} WHERE ${WHERE_STREAM} AND created_ms >= $5`,
    [...streamParams(loc), nowMs - RETENTION_MS],
  );
  const seq = rows[0]?.seq;
  return seq === null || seq === undefined ? undefined : Number(seq);
}
