/**
 * The table DynamoDB items live in, owned by this service through its migrations: one row per item
 * keyed by (account, region, table, encoded hash key, encoded range key) — see keys.ts for the
 * encoding — holding the item as wire JSON and its DynamoDB size. The same SQL runs on SQLite and
 * PostgreSQL; key columns use byte order on both (SQLite's default BINARY collation, PostgreSQL's
 * COLLATE "C"), which is the order Query returns.
 */
import type { DialectName, DocOps, Migration } from '../../store/types.ts';
import { decodeItem, encodeItem, type AttributeMap } from './attributes.ts';
import type { EncodedKey } from './keys.ts';

export const ITEMS_TABLE = 'dynamodb_items';

function createItemsTable(keyText: string): string {
  return `CREATE TABLE ${ITEMS_TABLE} (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name ${keyText} NOT NULL,
  hash_key ${keyText} NOT NULL,
  range_key ${keyText} NOT NULL,
  item TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (account, region, table_name, hash_key, range_key)
)`;
}

export const dynamodbMigrations: Migration[] = [
  {
    id: 1,
    name: 'dynamodb items',
    sql: { sqlite: createItemsTable('TEXT'), postgres: createItemsTable('TEXT COLLATE "C"') },
  },
];

/** Which table's items: the store is shared by every account and region. */
export interface TableLocation {
  account: string;
  region: string;
  table: string;
}

export interface StoredItem {
  key: EncodedKey;
  /** The item, decoded from `json` on first use (a Query page may only need to pass the text on). */
  readonly item: AttributeMap;
  /** The item as stored: DynamoDB's wire JSON of it (encodeItem), which responses can carry as is. */
  json: string;
  size: number;
}

interface ItemRow {
  hash_key: string;
  range_key: string;
  item: string;
  size: number | string;
}

function toStored(row: ItemRow): StoredItem {
  let decoded: AttributeMap | undefined;
  return {
    key: { hash: row.hash_key, range: row.range_key },
    get item() {
      return (decoded ??= decodeItem(row.item));
    },
    json: row.item,
    size: Number(row.size),
  };
}

const WHERE_TABLE = 'account = $1 AND region = $2 AND table_name = $3';

function tableParams(loc: TableLocation): unknown[] {
  return [loc.account, loc.region, loc.table];
}

export async function readItem(db: DocOps, loc: TableLocation, key: EncodedKey): Promise<StoredItem | undefined> {
  const rows = await db.sql<ItemRow>(
    `SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${WHERE_TABLE} AND hash_key = $4 AND range_key = $5`,
    [...tableParams(loc), key.hash, key.range],
  );
  return rows[0] ? toStored(rows[0]) : undefined;
}

export async function writeItem(db: DocOps, loc: TableLocation, key: EncodedKey, item: AttributeMap, size: number): Promise<void> {
  await db.sql(
    `INSERT INTO ${ITEMS_TABLE} (account, region, table_name, hash_key, range_key, item, size) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (account, region, table_name, hash_key, range_key) DO UPDATE SET item = excluded.item, size = excluded.size`,
    [...tableParams(loc), key.hash, key.range, encodeItem(item), size],
  );
}

export async function removeItem(db: DocOps, loc: TableLocation, key: EncodedKey): Promise<void> {
  await db.sql(`DELETE FROM ${ITEMS_TABLE} WHERE ${WHERE_TABLE} AND hash_key = $4 AND range_key = $5`, [...tableParams(loc), key.hash, key.range]);
}

export async function removeAllItems(db: DocOps, loc: TableLocation): Promise<void> {
  await db.sql(`DELETE FROM ${ITEMS_TABLE} WHERE ${WHERE_TABLE}`, tableParams(loc));
}

export async function tableStatistics(db: DocOps, loc: TableLocation): Promise<{ itemCount: number; sizeBytes: number }> {
  const rows = await db.sql<{ n: number | string; bytes: number | string | null }>(
    `SELECT COUNT(*) AS n, SUM(size) AS bytes FROM ${ITEMS_TABLE} WHERE ${WHERE_TABLE}`,
    tableParams(loc),
  );
  return { itemCount: Number(rows[0]?.n ?? 0), sizeBytes: Number(rows[0]?.bytes ?? 0) };
}

/** A condition on the encoded range key, translated from a key condition. */
export type RangeBound =
  | { op: '=' | '<' | '<=' | '>' | '>='; value: string }
  | { op: 'between'; low: string; high: string }
  | { op: 'begins_with'; prefix: string };

export interface PartitionRead {
  hash: string;
  range?: RangeBound;
  forward: boolean;
  /** Continue strictly after (forward) or before (backward) this encoded range key. */
  after?: string;
  limit: number;
}

/** The WHERE clause and ORDER BY of a partition read; `params` gets the values it binds. */
function partitionClauses(loc: TableLocation, read: Omit<PartitionRead, 'limit'>, params: unknown[]): { where: string; order: string } {
  params.push(...tableParams(loc), read.hash);
  const where = [WHERE_TABLE, 'hash_key = $4'];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const bound = read.range;
  if (bound) {
    if (bound.op === 'between') where.push(`range_key >= ${param(bound.low)} AND range_key <= ${param(bound.high)}`);
    else if (bound.op === 'begins_with') where.push(`substr(range_key, 1, ${param(bound.prefix.length)}) = ${param(bound.prefix)}`);
    else where.push(`range_key ${bound.op} ${param(bound.value)}`);
  }
  if (read.after !== undefined) where.push(`range_key ${read.forward ? '>' : '<'} ${param(read.after)}`);
  return { where: where.join(' AND '), order: `range_key ${read.forward ? 'ASC' : 'DESC'}` };
}

/** The WHERE clause and ORDER BY of a whole-table read strictly after `after`. */
function tableClauses(loc: TableLocation, after: EncodedKey | undefined, params: unknown[]): { where: string; order: string } {
  params.push(...tableParams(loc));
  let where = WHERE_TABLE;
  if (after) {
    params.push(after.hash, after.range);
    where += ' AND (hash_key > $4 OR (hash_key = $4 AND range_key > $5))';
  }
  return { where, order: 'hash_key, range_key' };
}

/** One page of a partition in range-key order. */
export async function readPartition(db: DocOps, loc: TableLocation, read: PartitionRead): Promise<StoredItem[]> {
  const params: unknown[] = [];
  const { where, order } = partitionClauses(loc, read, params);
  params.push(read.limit);
  const rows = await db.sql<ItemRow>(`SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
  return rows.map(toStored);
}

/** One page of the whole table in (hash, range) order, strictly after `after`. */
export async function readTable(db: DocOps, loc: TableLocation, after: EncodedKey | undefined, limit: number): Promise<StoredItem[]> {
  const params: unknown[] = [];
  const { where, order } = tableClauses(loc, after, params);
  params.push(limit);
  const rows = await db.sql<ItemRow>(`SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
  return rows.map(toStored);
}

// ---------------------------------------------------------------------------------------------
// Runs: many items read as one piece of text
//
// A Query or Scan page without a filter or projection answers whole stored items, up to 1 MB of
// them. Fetching them row by row costs a JS string and object per item, then a join and a UTF-8
// encoding of the page; asking the database to concatenate them costs one buffer per run.

/** Which rows a run reads: a partition (Query) or the whole table (Scan), after a cursor. */
export type RowRange = { kind: 'partition'; read: Omit<PartitionRead, 'limit'> } | { kind: 'table'; after: EncodedKey | undefined };

/** Consecutive items, in read order, as their stored JSON texts joined by commas (UTF-8). */
export interface ItemRun {
  json: Buffer;
  count: number;
  /** The sum of the items' DynamoDB sizes. */
  bytes: number;
  /** The key of the run's last item. */
  last: EncodedKey;
}

function rangeClauses(loc: TableLocation, range: RowRange, params: unknown[]): { where: string; order: string } {
  return range.kind === 'partition' ? partitionClauses(loc, range.read, params) : tableClauses(loc, range.after, params);
}

/**
 * The first `limit` items of `range` as one run (undefined when there are none). Hex keys hold only
 * [0-9a-f], so '.' (below every hex digit) joins hash and range into one text that sorts as the
 * pair does, and the pair of the last row is the largest (forward) or smallest (backward) of them.
 *
 * SQLite concatenates in the order the subquery yields its rows (a LIMIT subquery runs as a
 * co-routine, in its ORDER BY order); an ORDER BY inside group_concat would sort the items again,
 * which costs more than the whole read. PostgreSQL is told the order explicitly.
 */
export async function readRun(db: DocOps, dialect: DialectName, loc: TableLocation, range: RowRange, limit: number): Promise<ItemRun | undefined> {
  const params: unknown[] = [];
  const { where, order } = rangeClauses(loc, range, params);
  params.push(limit);
  const backward = range.kind === 'partition' && !range.read.forward;
  const lastOf = backward ? 'MIN' : 'MAX';
  const rows = dialect === 'sqlite'
    ? await db.sql<RunRow>(
      `SELECT CAST(group_concat(item, ',') AS BLOB) AS json, COUNT(*) AS n, SUM(size) AS bytes, ${lastOf}(hash_key || '.' || range_key) AS last
       FROM (SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY ${order} LIMIT $${params.length})`,
      params,
    )
    : await db.sql<RunRow>(
      `SELECT string_agg(item, ',' ORDER BY ${order}) AS json, COUNT(*) AS n, SUM(size) AS bytes, ${lastOf}((hash_key || '.' || range_key) COLLATE "C") AS last
       FROM (SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY ${order} LIMIT $${params.length}) AS run`,
      params,
    );
  const row = rows[0];
  const count = Number(row?.n ?? 0);
  if (!row || count === 0 || row.json === null || row.last === null) return undefined;
  const dot = row.last.indexOf('.');
  return {
    json: typeof row.json === 'string' ? Buffer.from(row.json, 'utf8') : row.json,
    count,
    bytes: Number(row.bytes),
    last: { hash: row.last.slice(0, dot), range: row.last.slice(dot + 1) },
  };
}

interface RunRow {
  json: Buffer | string | null;
  n: number | string;
  bytes: number | string | null;
  last: string | null;
}

/** The keys and sizes of the first `limit` items of `range`, in read order (to find where a page ends). */
export async function readSizes(db: DocOps, loc: TableLocation, range: RowRange, limit: number): Promise<Array<{ key: EncodedKey; size: number }>> {
  const params: unknown[] = [];
  const { where, order } = rangeClauses(loc, range, params);
  params.push(limit);
  const rows = await db.sql<Omit<ItemRow, 'item'>>(`SELECT hash_key, range_key, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY ${order} LIMIT $${params.length}`, params);
  return rows.map((r) => ({ key: { hash: r.hash_key, range: r.range_key }, size: Number(r.size) }));
}
