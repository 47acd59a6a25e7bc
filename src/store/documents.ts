/**
 * The versioned JSON documents, written once over an Executor in SQL that both back ends accept
 * (INSERT ... ON CONFLICT, RETURNING). Timestamps are epoch milliseconds from the store's clock,
 * so they follow Bonsai's controllable clock and mean the same on both back ends.
 */
import { StoreConflictError } from './errors.ts';
import type { Dialect, Executor, Row } from './driver.ts';
import type { DeleteOptions, DocKey, DocOps, ListQuery, PutOptions, StoredDoc } from './types.ts';

export const DOCUMENTS_TABLE = 'bonsai_documents';

const KEY_MATCH = 'kind = $1 AND account = $2 AND region = $3 AND id = $4';
const COLUMNS = 'kind, account, region, id, version, value, created_at, updated_at';

export interface DocumentContext {
  dialect: Dialect;
  now: () => Date;
}

/** DocOps over one executor; `sql()` passes straight through. */
export function documentOps(ex: Executor, ctx: DocumentContext): DocOps {
  return {
    get: (key) => getDocument(ex, ctx, key),
    put: (key, value, opts) => putDocument(ex, ctx, key, value, opts),
    delete: (key, opts) => deleteDocument(ex, key, opts),
    list: (q) => listDocuments(ex, ctx, q),
    sql: async <R>(text: string, params: unknown[] = []) => (await ex.query(text, params)) as R[],
  };
}

async function getDocument<T>(ex: Executor, ctx: DocumentContext, key: DocKey): Promise<StoredDoc<T> | undefined> {
  checkKey(key);
  const rows = await ex.query(`SELECT ${COLUMNS} FROM ${DOCUMENTS_TABLE} WHERE ${KEY_MATCH}`, keyParams(key));
  return rows.length === 0 ? undefined : rowToDoc<T>(rows[0]!, ctx);
}

async function putDocument<T>(ex: Executor, ctx: DocumentContext, key: DocKey, value: T, opts: PutOptions = {}): Promise<StoredDoc<T>> {
  checkKey(key);
  const json = encodeJson(value);
  const now = ctx.now().getTime();
  const expected = opts.expectVersion;
  let rows: Row[];
  if (expected === undefined) {
    rows = await ex.query(
      `INSERT INTO ${DOCUMENTS_TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, 1, $5, $6, $6)
       ON CONFLICT (kind, account, region, id) DO UPDATE
         SET version = ${DOCUMENTS_TABLE}.version + 1, value = excluded.value, updated_at = excluded.updated_at
       RETURNING version, created_at, updated_at`,
      [...keyParams(key), json, now],
    );
  } else if (expected === 'absent') {
    rows = await ex.query(
      `INSERT INTO ${DOCUMENTS_TABLE} (${COLUMNS}) VALUES ($1, $2, $3, $4, 1, $5, $6, $6)
       ON CONFLICT (kind, account, region, id) DO NOTHING
       RETURNING version, created_at, updated_at`,
      [...keyParams(key), json, now],
    );
  } else {
    checkVersion(expected);
    rows = await ex.query(
      `UPDATE ${DOCUMENTS_TABLE} SET version = version + 1, value = $5, updated_at = $6
       WHERE ${KEY_MATCH} AND version = $7
       RETURNING version, created_at, updated_at`,
      [...keyParams(key), json, now, expected],
    );
  }
  if (rows.length === 0) throw await conflict(ex, key, expected ?? 'absent');
  const row = rows[0]!;
  return {
    key: { ...key },
    version: Number(row.version),
    // Parsed from the text we stored, so the caller gets what a later get() returns.
    value: JSON.parse(json) as T,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

async function deleteDocument(ex: Executor, key: DocKey, opts: DeleteOptions = {}): Promise<boolean> {
  checkKey(key);
  const expected = opts.expectVersion;
  if (expected === undefined) {
    const rows = await ex.query(`DELETE FROM ${DOCUMENTS_TABLE} WHERE ${KEY_MATCH} RETURNING version`, keyParams(key));
    return rows.length > 0;
  }
  checkVersion(expected);
  const rows = await ex.query(`DELETE FROM ${DOCUMENTS_TABLE} WHERE ${KEY_MATCH} AND version = $5 RETURNING version`, [
    ...keyParams(key),
    expected,
  ]);
  if (rows.length === 0) throw await conflict(ex, key, expected);
  return true;
}

async function listDocuments<T>(ex: Executor, ctx: DocumentContext, q: ListQuery): Promise<StoredDoc<T>[]> {
  for (const part of ['kind', 'account', 'region'] as const) {
    if (typeof q[part] !== 'string') throw new TypeError(`list: ${part} must be a string`);
  }
  if (q.limit !== undefined && !(Number.isInteger(q.limit) && q.limit >= 0)) {
    throw new RangeError(`list: limit must be a non-negative integer, got ${q.limit}`);
  }
  if (q.limit === 0) return [];
  const params: unknown[] = [q.kind, q.account, q.region];
  const where = ['kind = $1', 'account = $2', 'region = $3'];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (q.prefix) {
    // A range instead of LIKE: LIKE has wildcards and is case-insensitive on SQLite.
    where.push(`id >= ${param(q.prefix)}`);
    const upper = prefixUpperBound(q.prefix);
    if (upper !== undefined) where.push(`id < ${param(upper)}`);
  }
  if (q.after !== undefined) where.push(`id > ${param(q.after)}`);
  const limit = q.limit === undefined ? '' : ` LIMIT ${param(q.limit)}`;
  const rows = await ex.query(`SELECT ${COLUMNS} FROM ${DOCUMENTS_TABLE} WHERE ${where.join(' AND ')} ORDER BY id${limit}`, params);
  return rows.map((row) => rowToDoc<T>(row, ctx));
}

/**
 * The smallest string greater than every string that starts with `prefix`, in UTF-8 byte order
 * (the order of both back ends): the prefix with its last code point incremented. UTF-8 keeps code
 * point order, so this holds even when the incremented code point needs more bytes.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const codePoints = Array.from(prefix);
  while (codePoints.length > 0) {
    let next = codePoints.pop()!.codePointAt(0)! + 1;
    if (next === 0xd800) next = 0xe000; // surrogates are not characters; UTF-8 cannot encode them
    if (next <= 0x10ffff) return codePoints.join('') + String.fromCodePoint(next);
  }
  return undefined; // the prefix is all U+10FFFF: no upper bound needed
}

async function conflict(ex: Executor, key: DocKey, expected: number | 'absent'): Promise<StoreConflictError> {
  const rows = await ex.query(`SELECT version FROM ${DOCUMENTS_TABLE} WHERE ${KEY_MATCH}`, keyParams(key));
  const actual = rows.length === 0 ? 'absent' : Number(rows[0]!.version);
  return StoreConflictError.versionMismatch({ ...key }, expected, actual);
}

function rowToDoc<T>(row: Row, ctx: DocumentContext): StoredDoc<T> {
  return {
    key: { kind: String(row.kind), account: String(row.account), region: String(row.region), id: String(row.id) },
    version: Number(row.version),
    value: ctx.dialect.decodeJson(row.value) as T,
    // BIGINT arrives as a string from pg and as a number from SQLite.
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function keyParams(key: DocKey): unknown[] {
  return [key.kind, key.account, key.region, key.id];
}

function checkKey(key: DocKey): void {
  if (key === null || typeof key !== 'object') throw new TypeError('document key must be an object');
  for (const part of ['kind', 'account', 'region', 'id'] as const) {
    if (typeof key[part] !== 'string') throw new TypeError(`document key ${part} must be a string`);
  }
  if (key.kind === '' || key.id === '') throw new TypeError('document key kind and id must not be empty');
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1) throw new RangeError(`expectVersion must be a positive integer or 'absent', got ${version}`);
}

function encodeJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('document value must be JSON-serializable (got undefined or a function)');
  return json;
}
