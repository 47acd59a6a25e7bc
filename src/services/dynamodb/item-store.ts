/**
 * The table DynamoDB items live in, owned by this service through its migrations: one row per item
 * keyed by (account, region, table, encoded hash key, encoded range key) — see keys.ts for the
 * encoding — holding the item as wire JSON and its DynamoDB size. The same SQL runs on SQLite and
 * PostgreSQL; key columns use byte order on both (SQLite's default BINARY collation, PostgreSQL's
 * COLLATE "C"), which is the order Query returns.
 */
import type { DocOps, Migration } from '../../store/types.ts';
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

/** One page of a partition in range-key order. */
export async function readPartition(db: DocOps, loc: TableLocation, read: PartitionRead): Promise<StoredItem[]> {
  const params: unknown[] = [...tableParams(loc), read.hash];
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
  const rows = await db.sql<ItemRow>(
    `SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where.join(' AND ')}
     ORDER BY range_key ${read.forward ? 'ASC' : 'DESC'} LIMIT ${param(read.limit)}`,
    params,
  );
  return rows.map(toStored);
}

/** One page of the whole table in (hash, range) order, strictly after `after`. */
export async function readTable(db: DocOps, loc: TableLocation, after: EncodedKey | undefined, limit: number): Promise<StoredItem[]> {
  const params: unknown[] = tableParams(loc);
  let where = WHERE_TABLE;
  if (after) {
    params.push(after.hash, after.range);
    where += ' AND (hash_key > $4 OR (hash_key = $4 AND range_key > $5))';
  }
  params.push(limit);
  const rows = await db.sql<ItemRow>(
    `SELECT hash_key, range_key, item, size FROM ${ITEMS_TABLE} WHERE ${where} ORDER BY hash_key, range_key LIMIT $${params.length}`,
    params,
  );
  return rows.map(toStored);
}
