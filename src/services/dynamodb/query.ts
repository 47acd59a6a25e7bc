/**
 * Query and Scan. Both read items in key order, count what they read against Limit and the 1 MB
 * page size, apply the FilterExpression after that (so Count ≤ ScannedCount), and hand back a
 * LastEvaluatedKey when they stopped early.
 *
 * On the table, rows come from SQL in encoded-key order (keys.ts). On a secondary index, the
 * candidate items (the partition for an LSI, the table for a GSI) are read, kept when they have
 * the index's key attributes, projected as the index projects them, and ordered by the index key
 * then the table key, which is how DynamoDB orders an index's items with equal index keys.
 */
import { crc32 } from 'node:zlib';
import type { RequestContext } from '../../core/context.ts';
import type { QueryInput, ScanInput } from '../../generated/dynamodb/types.ts';
import { canonicalMap, checkAttributeMap, type AttributeMap, type AttributeValue } from './attributes.ts';
import { consumed, readUnits } from './capacity.ts';
import { validation } from './errors.ts';
import { RequestExpressions, type CompiledCondition, type CompiledProjection, type KeyConditionBounds } from './expr.ts';
import { asRecord, checkExpressionValues, checkPlaceholdersNeedExpressions, readProjection } from './items.ts';
import { checkExpressionMixing, checkKeyConditions, checkQueryFilterKeys, filterCondition, keyConditionBounds } from './legacy.ts';
import { decodeKeyValue, encodeKey, encodeKeyValue, keyAttributes, keySchemaOf, type EncodedKey, type KeySchema } from './keys.ts';
import { readItem, readPartition, readRun, readSizes, readTable, type ItemRun, type RangeBound, type RowRange, type StoredItem, type TableLocation } from './item-store.ts';
import { checkIndexReadable } from './indexes.ts';
import { StoredItemJson, StoredItemRuns } from './wire.ts';
import { locationOf, requireTable, tableKeySchema, type IndexRecord, type TableRecord } from './tables.ts';

/** DynamoDB stops a page once it has read 1 MB. */
const PAGE_BYTES = 1024 * 1024;
/** Rows fetched from the store per round trip. */
const BATCH = 200;

interface Target {
  table: TableRecord;
  tableSchema: KeySchema;
  /** The key the read is ordered by: the table's, or the index's. */
  schema: KeySchema;
  index?: IndexRecord & { kind: 'local' | 'global' };
}

function resolveTarget(table: TableRecord, indexName: string | undefined): Target {
  const tableSchema = tableKeySchema(table);
  if (indexName === undefined) return { table, tableSchema, schema: tableSchema };
  const local = table.LocalSecondaryIndexes?.find((i) => i.IndexName === indexName);
  const global = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
  const index = local ? { ...local, kind: 'local' as const } : global ? { ...global, kind: 'global' as const } : undefined;
  if (!index) {
    throw validation(`The table does not have the specified index: ${indexName}`);
  }
  return { table, tableSchema, schema: keySchemaOf(index.KeySchema, table.AttributeDefinitions), index };
}

/** The attributes a LastEvaluatedKey / ExclusiveStartKey carries: the table's key plus the index's. */
function cursorAttributes(target: Target): string[] {
  const names = keyAttributes(target.tableSchema).map((a) => a.name);
  if (target.index) for (const a of keyAttributes(target.schema)) if (!names.includes(a.name)) names.push(a.name);
  return names;
}

function checkStartKey(target: Target, start: AttributeMap | undefined): AttributeMap | undefined {
  if (!start) return undefined;
  checkAttributeMap(start, 'The provided starting key is invalid: ');
  const names = cursorAttributes(target);
  const types = new Map([...keyAttributes(target.tableSchema), ...keyAttributes(target.schema)].map((a) => [a.name, a.type]));
  const valid = Object.keys(start).length === names.length && names.every((n) => start[n] && (start[n] as Record<string, unknown>)[types.get(n)!] !== undefined);
  if (!valid) throw validation('The provided starting key is invalid: The provided key element does not match the schema');
  return canonicalMap(start);
}

function hasKeyAttributes(schema: KeySchema, item: AttributeMap): boolean {
  return keyAttributes(schema).every((a) => item[a.name] && (item[a.name] as Record<string, unknown>)[a.type] !== undefined);
}

/** What an index holds of an item, by its Projection. */
function projectIntoIndex(target: Target, item: AttributeMap): AttributeMap {
  const projection = target.index!.Projection;
  if (projection.ProjectionType === 'ALL' || projection.ProjectionType === undefined) return item;
  const keep = new Set([...keyAttributes(target.tableSchema), ...keyAttributes(target.schema)].map((a) => a.name));
  if (projection.ProjectionType === 'INCLUDE') for (const n of projection.NonKeyAttributes ?? []) keep.add(n);
  return Object.fromEntries(Object.entries(item).filter(([n]) => keep.has(n)));
}

/** A sortable string for an item's position in the index: index key, then table key. */
function indexPosition(target: Target, item: AttributeMap): string {
  const index = encodeKey(target.schema, item);
  const table = encodeKey(target.tableSchema, item);
  return [index.hash, index.range, table.hash, table.range].join('|');
}

// ---------------------------------------------------------------------------------------------
// Reading in order

interface Row {
  item: AttributeMap;
  size: number;
  /** The item's stored text, when `item` is the whole stored item (table reads, not index projections). */
  json?: string;
}

/** Yields the rows a read may return, in order, after the start key. */
type RowSource = AsyncGenerator<Row, void, void>;

function matchesBound(encoded: string, bound: RangeBound | undefined): boolean {
  if (!bound) return true;
  switch (bound.op) {
    case '=': return encoded === bound.value;
    case '<': return encoded < bound.value;
    case '<=': return encoded <= bound.value;
    case '>': return encoded > bound.value;
    case '>=': return encoded >= bound.value;
    case 'between': return encoded >= bound.low && encoded <= bound.high;
    case 'begins_with': return encoded.startsWith(bound.prefix);
  }
}

async function* tablePartition(ctx: RequestContext, loc: TableLocation, hash: string, bound: RangeBound | undefined, forward: boolean, after: string | undefined): RowSource {
  let cursor = after;
  for (;;) {
    const rows = await readPartition(ctx.store, loc, { hash, range: bound, forward, after: cursor, limit: BATCH });
    for (const row of rows) yield row;
    if (rows.length < BATCH) return;
    cursor = rows[rows.length - 1]!.key.range;
  }
}

async function* wholeTable(ctx: RequestContext, loc: TableLocation, after: StoredItem['key'] | undefined, segment?: { segment: number; total: number }): RowSource {
  let cursor = after;
  for (;;) {
    const rows = await readTable(ctx.store, loc, cursor, BATCH);
    for (const row of rows) {
      if (!segment || crc32(row.key.hash) % segment.total === segment.segment) yield row;
    }
    if (rows.length < BATCH) return;
    cursor = rows[rows.length - 1]!.key;
  }
}

/** Every item of an index (optionally one partition of it), projected and ordered. */
async function indexRows(ctx: RequestContext, target: Target, loc: TableLocation, hash: string | undefined, bound: RangeBound | undefined): Promise<Array<Row & { position: string }>> {
  const rows: Array<Row & { position: string }> = [];
  const source = target.index!.kind === 'local' && hash !== undefined ? tablePartition(ctx, loc, hash, undefined, true, undefined) : wholeTable(ctx, loc, undefined);
  for await (const row of source) {
    if (!hasKeyAttributes(target.schema, row.item)) continue;
    const key = encodeKey(target.schema, row.item);
    if (hash !== undefined && key.hash !== hash) continue;
    if (!matchesBound(key.range, bound)) continue;
    const item = projectIntoIndex(target, row.item);
    rows.push({ item, size: row.size, position: indexPosition(target, row.item) });
  }
  return rows.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
}

async function* fromIndex(rows: Array<Row & { position: string }>, forward: boolean, afterPosition: string | undefined): RowSource {
  const ordered = forward ? rows : [...rows].reverse();
  for (const row of ordered) {
    if (afterPosition !== undefined && (forward ? row.position <= afterPosition : row.position >= afterPosition)) continue;
    yield row;
  }
}

// ---------------------------------------------------------------------------------------------
// Pages

interface PageOptions {
  target: Target;
  limit?: number;
  filter?: CompiledCondition;
  projection?: CompiledProjection;
  select?: string;
  consistent: boolean;
  returnConsumedCapacity?: string;
}

/** A whole stored item goes out as its stored text (wire.ts); anything else as the item. */
function answerItem(row: Row): AttributeMap | StoredItemJson {
  return row.json !== undefined ? new StoredItemJson(row.json) : row.item;
}

async function readPage(source: RowSource, options: PageOptions) {
  const rows: Row[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: Row | undefined;
  let truncated = false;
  for await (const row of source) {
    scanned++;
    bytes += row.size;
    last = row;
    // Without a filter, rows are not decoded here: only the last one is, for LastEvaluatedKey.
    if (!options.filter || options.filter.test(row.item)) rows.push(row);
    if ((options.limit !== undefined && scanned >= options.limit) || bytes >= PAGE_BYTES) {
      truncated = true;
      break;
    }
  }
  const out: Record<string, unknown> = {};
  if (options.select !== 'COUNT') out.Items = options.projection ? rows.map((r) => options.projection!.apply(r.item)) : rows.map(answerItem);
  out.Count = rows.length;
  out.ScannedCount = scanned;
  if (truncated && last) {
    const lastItem = last.item;
    out.LastEvaluatedKey = Object.fromEntries(cursorAttributes(options.target).map((n) => [n, lastItem[n]!]));
  }
  const capacity = consumed(options.target.table.TableName, readUnits(bytes, options.consistent), options.returnConsumedCapacity as 'TOTAL' | undefined);
  if (capacity) out.ConsumedCapacity = capacity;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pages of whole items
//
// A read of the table itself with no filter, no projection and no Select COUNT answers whole
// stored items: the page is read as runs of stored text concatenated by the database
// (item-store.ts readRun) and never decoded, which is most of what a 1 MB page cost. The rules
// are readPage's, item for item: stop after Limit items or after the item that brings the page to
// 1 MB, and hand back the last item's key when the page stopped there.

/** The first run's rows: small, since nothing is known yet about the items' sizes. */
const FIRST_RUN_ROWS = 16;
/** The most rows one run reads (small items: a 1 MB page can hold many thousands). */
const MAX_RUN_ROWS = 5000;

function answersWholeItems(target: Target, options: PageOptions, segment?: unknown): boolean {
  return !target.index && !options.filter && !options.projection && options.select !== 'COUNT' && segment === undefined;
}

/** The rows after a run's last item. */
function afterRun(range: RowRange, last: EncodedKey): RowRange {
  return range.kind === 'partition' ? { kind: 'partition', read: { ...range.read, after: last.range } } : { kind: 'table', after: last };
}

/** How many rows the next run should read: about what fits in the rest of the page, by the average item so far. */
function nextRunRows(bytes: number, count: number): number {
  const remaining = PAGE_BYTES - bytes;
  const rows = Math.floor(remaining / Math.max(1, bytes / count));
  return Math.min(MAX_RUN_ROWS, Math.max(1, rows));
}

/**
 * `run` reaches 1 MB (with the `bytes` before it): the run up to and including the item that
 * does. A concurrent write may change the rows between the reads; the run is then kept as read
 * (its text and its last key come from one statement, so they always agree).
 */
async function cutAtPageSize(ctx: RequestContext, loc: TableLocation, range: RowRange, run: ItemRun, bytes: number): Promise<ItemRun> {
  const sizes = await readSizes(ctx.store, loc, range, run.count);
  let total = bytes;
  const end = sizes.findIndex((row) => (total += row.size) >= PAGE_BYTES) + 1;
  if (end === 0 || end >= run.count) return run;
  return (await readRun(ctx.store, ctx.store.dialect, loc, range, end)) ?? run;
}

/** LastEvaluatedKey from the last item's encoded key; read from the item when a key does not decode back. */
async function lastEvaluatedKey(ctx: RequestContext, loc: TableLocation, schema: KeySchema, last: EncodedKey): Promise<AttributeMap> {
  const key: AttributeMap = {};
  for (const [attribute, encoded] of [[schema.hash, last.hash], [schema.range, last.range]] as const) {
    if (!attribute) continue;
    const value = decodeKeyValue(attribute.type, encoded);
    if (value === undefined) {
      const stored = await readItem(ctx.store, loc, last);
      if (stored) return Object.fromEntries(keyAttributes(schema).map((a) => [a.name, stored.item[a.name]!]));
      key[attribute.name] = { S: Buffer.from(encoded, 'hex').toString('utf8') };
    } else {
      key[attribute.name] = value;
    }
  }
  return key;
}

async function readWholeItemPage(ctx: RequestContext, loc: TableLocation, range: RowRange, options: PageOptions) {
  const runs: Buffer[] = [];
  let count = 0;
  let bytes = 0;
  let last: EncodedKey | undefined;
  let truncated = false;
  let rows = FIRST_RUN_ROWS;
  for (;;) {
    const want = options.limit === undefined ? rows : Math.min(rows, options.limit - count);
    let run = await readRun(ctx.store, ctx.store.dialect, loc, range, want);
    if (!run) break;
    if (bytes + run.bytes >= PAGE_BYTES) {
      run = await cutAtPageSize(ctx, loc, range, run, bytes);
      truncated = true;
    }
    runs.push(run.json);
    count += run.count;
    bytes += run.bytes;
    last = run.last;
    if (options.limit !== undefined && count >= options.limit) truncated = true;
    if (truncated || run.count < want) break;
    range = afterRun(range, run.last);
    rows = nextRunRows(bytes, count);
  }
  const out: Record<string, unknown> = { Items: runs.length ? new StoredItemRuns(runs) : [], Count: count, ScannedCount: count };
  if (truncated && last) out.LastEvaluatedKey = await lastEvaluatedKey(ctx, loc, options.target.tableSchema, last);
  const capacity = consumed(options.target.table.TableName, readUnits(bytes, options.consistent), options.returnConsumedCapacity as 'TOTAL' | undefined);
  if (capacity) out.ConsumedCapacity = capacity;
  return out;
}

function checkConsistentReadOnIndex(target: Target, consistent: boolean | undefined): void {
  if (consistent && target.index?.kind === 'global') throw validation('Consistent reads are not supported on global secondary indexes');
}

// ---------------------------------------------------------------------------------------------
// Query

/** Turns the key condition's range part into a bound on the encoded range key. */
function rangeBound(schema: KeySchema, range: KeyConditionBounds['range']): RangeBound | undefined {
  if (!range || !schema.range) return undefined;
  const encode = (v: AttributeValue) => encodeKeyValue(schema.range!.type, canonicalMap({ v }).v!);
  switch (range.op) {
    case 'BETWEEN': {
      const [low, high] = range.values.map(encode) as [string, string];
      if (low > high) {
        throw validation(`Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {${schema.range.type}:${Object.values(range.values[0]!)[0]}}, upper bound operand: AttributeValue: {${schema.range.type}:${Object.values(range.values[1]!)[0]}}`);
      }
      return { op: 'between', low, high };
    }
    case 'begins_with':
      return { op: 'begins_with', prefix: encode(range.values[0]!) };
    default:
      return { op: range.op, value: encode(range.values[0]!) };
  }
}

export async function query(ctx: RequestContext, input: QueryInput) {
  checkExpressionMixing(asRecord(input), ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'], ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['KeyConditionExpression', 'FilterExpression', 'ProjectionExpression']);
  const legacyFilter = filterCondition(input.QueryFilter, input.ConditionalOperator);
  if (input.KeyConditionExpression === undefined && input.KeyConditions === undefined) {
    throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  }
  if (input.KeyConditions !== undefined && input.KeyConditionExpression === undefined) checkKeyConditions(input.KeyConditions);
  checkExpressionValues(input);
  const expressions = new RequestExpressions(input);
  const table = await requireTable(ctx.store, ctx, input.TableName);
  const target = resolveTarget(table, input.IndexName);
  checkIndexReadable(table, input.IndexName, ctx.clock.nowMs());
  checkConsistentReadOnIndex(target, input.ConsistentRead);
  const keyCondition = input.KeyConditionExpression !== undefined
    ? expressions.keyCondition(input.KeyConditionExpression, target.schema)
    : keyConditionBounds(input.KeyConditions!, target.schema);
  checkQueryFilterKeys(input.QueryFilter, target.schema);
  const filter = expressions.condition('FilterExpression', input.FilterExpression) ?? legacyFilter;
  const projection = readProjection(input, expressions);
  expressions.checkAllUsed();
  const start = checkStartKey(target, input.ExclusiveStartKey);

  const hash = encodeKeyValue(target.schema.hash.type, canonicalMap({ h: keyCondition.hash }).h!);
  const bound = rangeBound(target.schema, keyCondition.range);
  const forward = input.ScanIndexForward !== false;
  const loc = locationOf(ctx, input.TableName);
  const options = pageOptions(target, input, filter, projection);
  const after = start && !target.index ? encodeKey(target.schema, start).range : undefined;
  if (answersWholeItems(target, options)) return readWholeItemPage(ctx, loc, { kind: 'partition', read: { hash, range: bound, forward, after } }, options);
  let source: RowSource;
  if (!target.index) {
    source = tablePartition(ctx, loc, hash, bound, forward, after);
  } else {
    const rows = await indexRows(ctx, target, loc, hash, bound);
    source = fromIndex(rows, forward, start ? indexPosition(target, start) : undefined);
  }
  return readPage(source, options);
}

/** What Query and Scan share about the page they read. */
function pageOptions(
  target: PageOptions['target'],
  input: QueryInput | ScanInput,
  filter: PageOptions['filter'],
  projection: PageOptions['projection'],
): PageOptions {
  return {
    target,
    limit: input.Limit,
    filter,
    projection,
    select: input.Select,
    consistent: input.ConsistentRead === true,
    returnConsumedCapacity: input.ReturnConsumedCapacity,
  };
}

// ---------------------------------------------------------------------------------------------
// Scan

function checkSegments(input: ScanInput): { segment: number; total: number } | undefined {
  if (input.Segment !== undefined && input.TotalSegments === undefined) {
    throw validation('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
  }
  if (input.TotalSegments !== undefined && input.Segment === undefined) {
    throw validation('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
  }
  if (input.Segment === undefined || input.TotalSegments === undefined) return undefined;
  if (input.Segment >= input.TotalSegments) {
    throw validation(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${input.Segment} is not less than TotalSegments: ${input.TotalSegments}`);
  }
  return { segment: input.Segment, total: input.TotalSegments };
}

export async function scan(ctx: RequestContext, input: ScanInput) {
  checkExpressionMixing(asRecord(input), ['AttributesToGet', 'ScanFilter', 'ConditionalOperator'], ['ProjectionExpression', 'FilterExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['FilterExpression', 'ProjectionExpression']);
  const legacyFilter = filterCondition(input.ScanFilter, input.ConditionalOperator);
  const segment = checkSegments(input);
  checkExpressionValues(input);
  const expressions = new RequestExpressions(input);
  const filter = expressions.condition('FilterExpression', input.FilterExpression) ?? legacyFilter;
  const projection = readProjection(input, expressions);
  expressions.checkAllUsed();
  const table = await requireTable(ctx.store, ctx, input.TableName);
  const target = resolveTarget(table, input.IndexName);
  checkIndexReadable(table, input.IndexName, ctx.clock.nowMs());
  checkConsistentReadOnIndex(target, input.ConsistentRead);
  const start = checkStartKey(target, input.ExclusiveStartKey);
  const loc = locationOf(ctx, input.TableName);
  const options = pageOptions(target, input, filter, projection);
  const after = start && !target.index ? encodeKey(target.tableSchema, start) : undefined;
  if (answersWholeItems(target, options, segment)) return readWholeItemPage(ctx, loc, { kind: 'table', after }, options);

  let source: RowSource;
  if (!target.index) {
    source = wholeTable(ctx, loc, after, segment);
  } else {
    const rows = (await indexRows(ctx, target, loc, undefined, undefined)).filter(
      (r) => !segment || crc32(encodeKey(target.tableSchema, r.item).hash) % segment.total === segment.segment,
    );
    source = fromIndex(rows, true, start ? indexPosition(target, start) : undefined);
  }
  return readPage(source, options);
}

