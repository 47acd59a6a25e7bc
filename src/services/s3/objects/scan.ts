/**
 * The listing engine: pages of current objects (ListObjects, ListObjectsV2) or of all versions
 * (ListObjectVersions) read from SQL in key order, with a prefix as an index range and a delimiter
 * rolling keys up into common prefixes. A common prefix is skipped in SQL (the next query starts
 * past every key under it), so a folder of 10,000 keys costs one row, not 10,000.
 */
import type { DocOps } from '../../../store/types.ts';
import type { ObjectVersion } from './record.ts';
import { CURRENT_OBJECT, fromRow, ROW_COLUMNS, VERSIONS_TABLE, type VersionRow } from './table.ts';

/**
 * The smallest string greater than every string starting with `prefix`: the prefix with its last
 * code point incremented (UTF-8 byte order is code point order). Undefined when there is none.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length) {
    const last = points.pop()!.codePointAt(0)!;
    let next = last + 1;
    if (next === 0xd800) next = 0xe000; // skip the surrogate range, which UTF-8 cannot hold
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** Where a page starts: strictly after a key, at or after a bound, and for versions after a version. */
export type ScanStart = { key: string; inclusive: boolean; afterSeq?: number };

export interface ScanRequest {
  bucket: string;
  prefix: string;
  delimiter?: string;
  start?: ScanStart;
  maxKeys: number;
  /** false: current objects only (the partial index); true: every version and delete marker. */
  allVersions: boolean;
}

export type ScanEntry =
  | { kind: 'version'; version: ObjectVersion; isLatest: boolean; seq: number }
  | { kind: 'prefix'; prefix: string };

export interface ScanResult {
  entries: ScanEntry[];
  isTruncated: boolean;
}

async function readBatch(db: Pick<DocOps, 'sql'>, req: ScanRequest, start: ScanStart | undefined, upper: string | undefined, limit: number) {
  const params: unknown[] = [req.bucket];
  const where = ['bucket = $1'];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (!req.allVersions) where.push(CURRENT_OBJECT);
  if (start) {
    if (start.afterSeq !== undefined) {
      const k = param(start.key);
      where.push(`(object_key > ${k} OR (object_key = ${k} AND seq < ${param(start.afterSeq)}))`);
    } else where.push(`object_key ${start.inclusive ? '>=' : '>'} ${param(start.key)}`);
  }
  if (req.prefix) where.push(`object_key >= ${param(req.prefix)}`);
  if (upper !== undefined) where.push(`object_key < ${param(upper)}`);
  const order = req.allVersions ? 'object_key, seq DESC' : 'object_key';
  return db.sql<VersionRow>(`SELECT ${ROW_COLUMNS} FROM ${VERSIONS_TABLE} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${param(limit)}`, params);
}

/**
 * One page: up to maxKeys entries (versions and common prefixes count alike), and whether more
 * follow — decided by finding the next entry, so a listing that ends exactly at maxKeys is not
 * truncated.
 */
export async function scanObjects(db: Pick<DocOps, 'sql'>, req: ScanRequest): Promise<ScanResult> {
  const entries: ScanEntry[] = [];
  const upper = req.prefix ? prefixUpperBound(req.prefix) : undefined;
  const batchSize = Math.min(req.maxKeys + 1, 1000);
  let start = req.start;
  let skipUnder: string | undefined; // a common prefix whose keys could not be skipped in SQL
  for (;;) {
    const rows = await readBatch(db, req, start, upper, batchSize);
    let jumped = false;
    for (const row of rows) {
      const key = row.object_key;
      if (!key.startsWith(req.prefix)) {
        if (key > req.prefix) return { entries, isTruncated: false };
        continue;
      }
      if (skipUnder !== undefined && key.startsWith(skipUnder)) continue;
      const stored = fromRow(row);
      const cut = req.delimiter ? key.indexOf(req.delimiter, req.prefix.length) : -1;
      if (entries.length >= req.maxKeys) return { entries, isTruncated: true };
      if (cut >= 0) {
        const prefix = key.slice(0, cut + req.delimiter!.length);
        entries.push({ kind: 'prefix', prefix });
        const past = prefixUpperBound(prefix);
        if (past !== undefined) {
          start = { key: past, inclusive: true };
          skipUnder = undefined;
          jumped = true;
          break;
        }
        skipUnder = prefix;
        start = { key, inclusive: false, ...(req.allVersions ? { afterSeq: stored.seq } : {}) };
        continue;
      }
      entries.push({ kind: 'version', version: stored.version, isLatest: stored.isLatest, seq: stored.seq });
      start = { key, inclusive: false, ...(req.allVersions ? { afterSeq: stored.seq } : {}) };
    }
    if (!jumped && rows.length < batchSize) return { entries, isTruncated: false };
  }
}
