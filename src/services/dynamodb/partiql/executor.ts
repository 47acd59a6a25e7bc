/**
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction. A parsed statement runs against
 * the same item store as the item operations: SELECT reads a partition when its WHERE clause fixes
 * the partition key (otherwise the whole table) and filters with the condition evaluator; INSERT
 * refuses an existing key; UPDATE and DELETE need the full key and treat the rest of the WHERE
 * clause as a condition (UPDATE also requires the item to exist, as DynamoDB does).
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { DocOps } from '../../../store/types.ts';
import type {
  BatchExecuteStatementInput,
  BatchStatementResponse,
  ExecuteStatementInput,
  ExecuteTransactionInput,
  ReturnValuesOnConditionCheckFailure,
} from '../../../generated/dynamodb/types.ts';
import { DuplicateItemException, TransactionCanceledException } from '../../../generated/dynamodb/errors.ts';
import * as expressions from '../expressions/index.ts';
import type { Condition, Path } from '../expressions/index.ts';
import { canonicalMap, checkAttributeMap, checkItemSize, itemSize, type AttributeMap, type AttributeValue } from '../attributes.ts';
import { consumed, readUnits, writeUnits } from '../capacity.ts';
import { conditionalCheckFailed, validation } from '../errors.ts';
import { checkItemKey, encodeKey, encodeKeyValue, keyAttributes, keySchemaOf, type EncodedKey, type KeySchema } from '../keys.ts';
import { readItem, readPartition, readTable, removeItem, writeItem, type StoredItem, type TableLocation } from '../item-store.ts';
import { recordItemChange } from '../streams/store.ts';
import { locationOf, requireTable, tableKeySchema, type TableRecord } from '../tables.ts';
import { parseStatement, type Statement } from './parser.ts';

const PAGE_BYTES = 1024 * 1024;
const BATCH = 200;

interface Outcome {
  items?: AttributeMap[];
  nextToken?: string;
  lastEvaluatedKey?: AttributeMap;
  table: string;
  units: number;
}

interface RunOptions {
  limit?: number;
  nextToken?: string;
  consistent?: boolean;
  onFailure?: ReturnValuesOnConditionCheckFailure;
}

// ---------------------------------------------------------------------------------------------
// WHERE clauses

/** The top-level AND terms of a condition. */
function conjuncts(condition: Condition | undefined): Condition[] {
  if (!condition) return [];
  if (condition.kind === 'and') return [...conjuncts(condition.left), ...conjuncts(condition.right)];
  return [condition];
}

/** The value a top-level `attribute = value` term gives the attribute, if any. */
function equalityOn(where: Condition | undefined, attribute: string): AttributeValue | undefined {
  for (const term of conjuncts(where)) {
    if (term.kind !== 'compare' || term.op !== '=') continue;
    const [path, value] = term.left.kind === 'path' ? [term.left, term.right] : [term.right, term.left];
    if (path.kind === 'path' && value.kind === 'value' && path.path.length === 1 && path.path[0]!.kind === 'name' && path.path[0]!.name === attribute) {
      return value.value;
    }
  }
  return undefined;
}

/** UPDATE and DELETE name exactly one item: an equality on every key attribute. */
function fullKey(schema: KeySchema, where: Condition | undefined): AttributeMap {
  const key: AttributeMap = {};
  for (const attribute of keyAttributes(schema)) {
    const value = equalityOn(where, attribute.name);
    if (!value || (value as Record<string, unknown>)[attribute.type] === undefined) {
      throw validation('Where clause does not contain a mandatory equality on all key attributes');
    }
    key[attribute.name] = value;
  }
  return canonicalMap(key);
}

function holds(where: Condition | undefined, item: AttributeMap | undefined): boolean {
  return !where || expressions.evaluateCondition(where, item as expressions.Item | undefined);
}

// ---------------------------------------------------------------------------------------------
// SELECT

function decodeToken(token: string | undefined): EncodedKey | undefined {
  if (token === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as EncodedKey;
    if (typeof key.hash === 'string' && typeof key.range === 'string') return key;
  } catch {
    // fall through
  }
  throw validation('Invalid NextToken');
}

function encodeToken(key: EncodedKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64');
}

/** Rows after the cursor: one partition when the WHERE clause fixes the partition key, else the table. */
async function* candidateRows(db: DocOps, loc: TableLocation, schema: KeySchema, where: Condition | undefined, after: EncodedKey | undefined): AsyncGenerator<StoredItem> {
  const hashValue = equalityOn(where, schema.hash.name);
  if (hashValue && (hashValue as Record<string, unknown>)[schema.hash.type] !== undefined) {
    const hash = encodeKeyValue(schema.hash.type, canonicalMap({ h: hashValue }).h!);
    let cursor = after && after.hash === hash ? after.range : undefined;
    for (;;) {
      const rows = await readPartition(db, loc, { hash, forward: true, after: cursor, limit: BATCH });
      yield* rows;
      if (rows.length < BATCH) return;
      cursor = rows.at(-1)!.key.range;
    }
  }
  let cursor = after;
  for (;;) {
    const rows = await readTable(db, loc, cursor, BATCH);
    yield* rows;
    if (rows.length < BATCH) return;
    cursor = rows.at(-1)!.key;
  }
}

function project(item: AttributeMap, projection: Path[] | undefined): AttributeMap {
  return projection ? (expressions.project({ paths: projection }, item as expressions.Item) as AttributeMap) : item;
}

async function select(db: DocOps, ctx: RequestContext, table: TableRecord, statement: Extract<Statement, { kind: 'select' }>, options: RunOptions): Promise<Outcome> {
  const tableSchema = tableKeySchema(table);
  let indexSchema: KeySchema | undefined;
  if (statement.index !== undefined) {
    const index = [...(table.LocalSecondaryIndexes ?? []), ...(table.GlobalSecondaryIndexes ?? [])].find((i) => i.IndexName === statement.index);
    if (!index) throw validation(`The table does not have the specified index: ${statement.index}`);
    indexSchema = keySchemaOf(index.KeySchema, table.AttributeDefinitions);
  }
  const loc = locationOf(ctx, table.TableName);
  const items: AttributeMap[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: StoredItem | undefined;
  let truncated = false;
  for await (const row of candidateRows(db, loc, tableSchema, statement.where, decodeToken(options.nextToken))) {
    scanned++;
    bytes += row.size;
    last = row;
    // An index holds only the items that carry its key attributes.
    const inIndex = !indexSchema || keyAttributes(indexSchema).every((a) => (row.item[a.name] as Record<string, unknown> | undefined)?.[a.type] !== undefined);
    if (inIndex && holds(statement.where, row.item)) items.push(project(row.item, statement.projection));
    if ((options.limit !== undefined && scanned >= options.limit) || bytes >= PAGE_BYTES) {
      truncated = true;
      break;
    }
  }
  const outcome: Outcome = { items, table: table.TableName, units: readUnits(bytes, options.consistent === true) };
  if (truncated && last) {
    outcome.nextToken = encodeToken(last.key);
    outcome.lastEvaluatedKey = Object.fromEntries(keyAttributes(tableSchema).map((a) => [a.name, last!.item[a.name]!]));
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// Writes

function failCondition(old: AttributeMap | undefined, onFailure: ReturnValuesOnConditionCheckFailure | undefined): never {
  throw conditionalCheckFailed(onFailure === 'ALL_OLD' ? old : undefined);
}

async function insert(db: DocOps, ctx: RequestContext, table: TableRecord, statement: Extract<Statement, { kind: 'insert' }>): Promise<Outcome> {
  const item = statement.item.M! as AttributeMap;
  checkAttributeMap(item);
  checkItemSize(item);
  const schema = tableKeySchema(table);
  checkItemKey(schema, item);
  const canonical = canonicalMap(item);
  const key = encodeKey(schema, canonical);
  const loc = locationOf(ctx, table.TableName);
  if (await readItem(db, loc, key)) throw new DuplicateItemException('Duplicate primary key exists in table');
  const size = itemSize(canonical);
  await writeItem(db, loc, key, canonical, size);
  await recordItemChange(db, ctx, table, undefined, canonical);
  return { table: table.TableName, units: writeUnits(size) };
}

function modified(item: AttributeMap, paths: Path[]): AttributeMap[] {
  const projected = expressions.project({ paths }, item as expressions.Item) as AttributeMap;
  return Object.keys(projected).length ? [projected] : [];
}

async function update(db: DocOps, ctx: RequestContext, table: TableRecord, statement: Extract<Statement, { kind: 'update' }>, options: RunOptions): Promise<Outcome> {
  const schema = tableKeySchema(table);
  const keyItem = fullKey(schema, statement.where);
  const key = encodeKey(schema, keyItem);
  const loc = locationOf(ctx, table.TableName);
  const stored = await readItem(db, loc, key);
  // PartiQL UPDATE is not an upsert: the item must exist and satisfy the whole WHERE clause.
  if (!stored || !holds(statement.where, stored.item)) failCondition(stored?.item, options.onFailure);
  const keyNames = keyAttributes(schema).map((a) => a.name);
  const after = canonicalMap(expressions.applyUpdate({ actions: statement.actions }, stored.item as expressions.Item, keyNames) as AttributeMap);
  checkAttributeMap(after);
  const size = itemSize(after);
  if (size > 400 * 1024) throw validation('Item size to update has exceeded the maximum allowed size');
  await writeItem(db, loc, key, after, size);
  await recordItemChange(db, ctx, table, stored.item, after);
  const paths = statement.actions.map((a) => a.path);
  const returned: Record<string, AttributeMap[]> = {
    'ALL OLD': [stored.item],
    'ALL NEW': [after],
    'MODIFIED OLD': modified(stored.item, paths),
    'MODIFIED NEW': modified(after, paths),
  };
  return { table: table.TableName, units: writeUnits(size, stored.size), items: statement.returning ? returned[statement.returning] : undefined };
}

async function remove(db: DocOps, ctx: RequestContext, table: TableRecord, statement: Extract<Statement, { kind: 'delete' }>, options: RunOptions): Promise<Outcome> {
  if (statement.returning && statement.returning !== 'ALL OLD') {
    throw validation(`Invalid returning clause: RETURNING ${statement.returning} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`);
  }
  const schema = tableKeySchema(table);
  const key = encodeKey(schema, fullKey(schema, statement.where));
  const loc = locationOf(ctx, table.TableName);
  const stored = await readItem(db, loc, key);
  if (stored && !holds(statement.where, stored.item)) failCondition(stored.item, options.onFailure);
  if (stored) {
    await removeItem(db, loc, key);
    await recordItemChange(db, ctx, table, stored.item, undefined);
  }
  const items = statement.returning ? (stored ? [stored.item] : []) : undefined;
  return { table: table.TableName, units: writeUnits(stored?.size ?? 0), items };
}

/** Runs one parsed statement against `db` (the store, or a transaction). */
export async function runStatement(db: DocOps, ctx: RequestContext, statement: Statement, options: RunOptions = {}): Promise<Outcome> {
  const table = await requireTable(db, ctx, statement.table);
  switch (statement.kind) {
    case 'select':
      return select(db, ctx, table, statement, options);
    case 'insert':
      return insert(db, ctx, table, statement);
    case 'update':
      return update(db, ctx, table, statement, options);
    case 'delete':
      return remove(db, ctx, table, statement, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Operations

export async function executeStatement(ctx: RequestContext, input: ExecuteStatementInput) {
  if (input.Parameters) checkAttributeMap(Object.fromEntries(input.Parameters.map((p, i) => [String(i), p])));
  const statement = parseStatement(input.Statement, input.Parameters ?? []);
  const options = { limit: input.Limit, nextToken: input.NextToken, consistent: input.ConsistentRead, onFailure: input.ReturnValuesOnConditionCheckFailure };
  const outcome = statement.kind === 'select'
    ? await runStatement(ctx.store, ctx, statement, options)
    : await ctx.store.transaction((tx) => runStatement(tx, ctx, statement, options));
  const out: Record<string, unknown> = { Items: outcome.items ?? [] };
  if (outcome.nextToken) out.NextToken = outcome.nextToken;
  if (outcome.lastEvaluatedKey) out.LastEvaluatedKey = outcome.lastEvaluatedKey;
  const capacity = consumed(outcome.table, outcome.units, input.ReturnConsumedCapacity);
  if (capacity) out.ConsumedCapacity = capacity;
  return out;
}

/** The BatchStatementError code for an error DynamoDB raises for one statement. */
const BATCH_ERROR_CODES: Record<string, string> = {
  ConditionalCheckFailedException: 'ConditionalCheckFailed',
  DuplicateItemException: 'DuplicateItem',
  ValidationException: 'ValidationError',
  ResourceNotFoundException: 'ResourceNotFound',
  ItemCollectionSizeLimitExceededException: 'ItemCollectionSizeLimitExceeded',
  ProvisionedThroughputExceededException: 'ProvisionedThroughputExceeded',
  TransactionConflictException: 'TransactionConflict',
  RequestLimitExceeded: 'RequestLimitExceeded',
  ThrottlingException: 'ThrottlingError',
};

function statementError(error: unknown): BatchStatementResponse['Error'] {
  if (!(error instanceof AwsError)) throw error;
  const out: Record<string, unknown> = { Code: BATCH_ERROR_CODES[error.code] ?? 'InternalServerError', Message: error.message };
  const item = (error.fields as { Item?: AttributeMap } | undefined)?.Item;
  if (item) out.Item = item;
  return out as BatchStatementResponse['Error'];
}

export async function batchExecuteStatement(ctx: RequestContext, input: BatchExecuteStatementInput) {
  const responses: BatchStatementResponse[] = [];
  const units = new Map<string, number>();
  for (const request of input.Statements) {
    let tableName: string | undefined;
    try {
      const statement = parseStatement(request.Statement, request.Parameters ?? []);
      tableName = statement.table;
      const options = { consistent: request.ConsistentRead, onFailure: request.ReturnValuesOnConditionCheckFailure };
      const outcome = statement.kind === 'select'
        ? await runStatement(ctx.store, ctx, statement, options)
        : await ctx.store.transaction((tx) => runStatement(tx, ctx, statement, options));
      units.set(outcome.table, (units.get(outcome.table) ?? 0) + outcome.units);
      const response: BatchStatementResponse = { TableName: outcome.table };
      if (statement.kind === 'select' && outcome.items?.length) response.Item = outcome.items[0];
      responses.push(response);
    } catch (error) {
      const response: BatchStatementResponse = { Error: statementError(error) };
      if (tableName !== undefined) response.TableName = tableName;
      responses.push(response);
    }
  }
  const out: Record<string, unknown> = { Responses: responses };
  const capacity = [...units].map(([name, used]) => consumed(name, used, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  if (capacity.length) out.ConsumedCapacity = capacity;
  return out;
}

/** A transaction's statements: all reads or all writes, and no item twice. */
async function planTransaction(ctx: RequestContext, input: ExecuteTransactionInput): Promise<Statement[]> {
  const statements = input.TransactStatements.map((s) => parseStatement(s.Statement, s.Parameters ?? []));
  const reads = statements.filter((s) => s.kind === 'select').length;
  if (reads && reads !== statements.length) throw validation('Transactions must contain either all read or all write statements');
  const seen = new Set<string>();
  for (const statement of statements) {
    if (statement.kind === 'select') continue;
    const table = await requireTable(ctx.store, ctx, statement.table);
    const schema = tableKeySchema(table);
    const keyItem = statement.kind === 'insert' ? canonicalMap(checkItemKey(schema, statement.item.M as AttributeMap)) : fullKey(schema, statement.where);
    const encoded = encodeKey(schema, keyItem);
    const id = `${statement.table}|${encoded.hash}|${encoded.range}`;
    if (seen.has(id)) throw validation('Transaction request cannot include multiple operations on one item');
    seen.add(id);
  }
  return statements;
}

const CANCELLATION_CODES: Record<string, string> = {
  ConditionalCheckFailedException: 'ConditionalCheckFailed',
  DuplicateItemException: 'DuplicateItem',
  ValidationException: 'ValidationError',
};

export async function executeTransaction(ctx: RequestContext, input: ExecuteTransactionInput) {
  const statements = await planTransaction(ctx, input);
  const units = new Map<string, number>();
  const count = (outcome: Outcome) => units.set(outcome.table, (units.get(outcome.table) ?? 0) + outcome.units * 2);
  const out: Record<string, unknown> = {};
  if (statements.every((s) => s.kind === 'select')) {
    const responses = [];
    for (const statement of statements) {
      const outcome = await runStatement(ctx.store, ctx, statement, { consistent: true });
      count(outcome);
      responses.push(outcome.items?.length ? { Item: outcome.items[0] } : {});
    }
    out.Responses = responses;
  } else {
    await ctx.store.transaction(async (tx) => {
      const reasons: Array<Record<string, unknown>> = [];
      let failed = false;
      for (const [i, statement] of statements.entries()) {
        try {
          count(await runStatement(tx, ctx, statement, { onFailure: input.TransactStatements[i]!.ReturnValuesOnConditionCheckFailure }));
          reasons.push({ Code: 'None' });
        } catch (error) {
          if (!(error instanceof AwsError) || !CANCELLATION_CODES[error.code]) throw error;
          failed = true;
          const reason: Record<string, unknown> = { Code: CANCELLATION_CODES[error.code], Message: error.message };
          const item = (error.fields as { Item?: AttributeMap } | undefined)?.Item;
          if (item) reason.Item = item;
          reasons.push(reason);
        }
      }
      // Throwing inside the store transaction rolls back every write made so far.
      if (failed) {
        throw new TransactionCanceledException(
          `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          { CancellationReasons: reasons as never },
        );
      }
    });
  }
  const capacity = [...units].map(([name, used]) => consumed(name, used, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  if (capacity.length) out.ConsumedCapacity = capacity;
  return out;
}
