/**
 * TransactWriteItems and TransactGetItems.
 *
 * Every action is checked the way its single-item twin checks it (values and expressions, then
 * tables and keys), and no item may be the target of two actions. A write transaction then runs
 * in ONE store transaction: it reads every item, evaluates every condition, and either writes
 * everything (with the stream records) or nothing, failing with TransactionCanceledException
 * whose CancellationReasons are in request order. Concurrent writers never see half of it
 * (SQLite serialises writers; PostgreSQL runs serializable transactions).
 *
 * ClientRequestToken makes a successful TransactWriteItems idempotent for 10 minutes of Bonsai's
 * clock: the same token with the same request answers as the first call did without writing
 * again; with a different request it fails with IdempotentParameterMismatchException. The token
 * is recorded in the same store transaction as the writes.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import { AwsError } from '../../core/errors.ts';
import type { DocOps } from '../../store/types.ts';
import {
  IdempotentParameterMismatchException,
  TransactionCanceledException,
} from '../../generated/dynamodb/errors.ts';
import type {
  CancellationReason,
  ConsumedCapacity,
  ReturnConsumedCapacity,
  ReturnValuesOnConditionCheckFailure,
  TransactGetItemsInput,
  TransactWriteItem,
  TransactWriteItemsInput,
} from '../../generated/dynamodb/types.ts';
import { canonicalMap, checkAttributeMap, checkItemSize, itemSize, MAX_ITEM_BYTES, type AttributeMap } from './attributes.ts';
import { readUnits, writeUnits } from './capacity.ts';
import { invalidParameter, validation } from './errors.ts';
import { RequestExpressions, type CompiledCondition, type CompiledProjection, type CompiledUpdate } from './expr.ts';
import { asRecord, checkExpressionValues, checkPlaceholdersNeedExpressions } from './items.ts';
import { checkItemKey, checkKey, encodeKey, keyAttributes, type EncodedKey } from './keys.ts';
import { readItem, removeItem, writeItem, type StoredItem, type TableLocation } from './item-store.ts';
import { locationOf, requireTable, tableKeySchema, type TableRecord } from './tables.ts';
import { recordItemChange } from './streams/store.ts';

/** ClientRequestToken is valid for 10 minutes after the first request that uses it completes. */
export const IDEMPOTENCY_WINDOW_MS = 10 * 60 * 1000;
const TOKEN_KIND = 'dynamodb:transaction-token';

export const MULTIPLE_OPERATIONS_MESSAGE = 'Transaction request cannot include multiple operations on one item';

type WriteKind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';

/** One checked action of a write transaction. */
interface PlannedWrite {
  kind: WriteKind;
  tableName: string;
  table: TableRecord;
  loc: TableLocation;
  key: EncodedKey;
  /** The key attributes (Update starts a new item from them). */
  keyItem: AttributeMap;
  put?: AttributeMap;
  update?: CompiledUpdate;
  condition?: CompiledCondition;
  onFailure?: ReturnValuesOnConditionCheckFailure;
}

/** What one action found and will do, decided before anything is written. */
interface Outcome {
  plan: PlannedWrite;
  stored?: StoredItem;
  /** The item to write; undefined for ConditionCheck and Delete. */
  after?: AttributeMap;
  reason: CancellationReason;
}

// ---------------------------------------------------------------------------------------------
// Checks shared by both operations

function itemId(tableName: string, key: EncodedKey): string {
  return `${tableName}\u0000${key.hash}\u0000${key.range}`;
}

/** "Transaction request cannot include multiple operations on one item". */
function checkDistinctItems(targets: Array<{ tableName: string; key: EncodedKey }>): void {
  const seen = new Set<string>();
  for (const { tableName, key } of targets) {
    const id = itemId(tableName, key);
    if (seen.has(id)) throw validation(MULTIPLE_OPERATIONS_MESSAGE);
    seen.add(id);
  }
}

function kindOf(item: TransactWriteItem): WriteKind {
  const kinds = (['ConditionCheck', 'Put', 'Delete', 'Update'] as const).filter((k) => item[k] !== undefined);
  if (kinds.length !== 1) throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
  return kinds[0]!;
}

/** Per-table consumed capacity in transaction form (transactions report Read/WriteCapacityUnits too). */
function transactionCapacity(perTable: Map<string, number>, mode: ReturnConsumedCapacity | undefined, member: 'ReadCapacityUnits' | 'WriteCapacityUnits'): ConsumedCapacity[] | undefined {
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return undefined;
  return [...perTable].map(([TableName, units]) => {
    const capacity: ConsumedCapacity = { TableName, CapacityUnits: units, [member]: units };
    if (mode === 'INDEXES') capacity.Table = { CapacityUnits: units, [member]: units };
    return capacity;
  });
}

function addUnits(perTable: Map<string, number>, tableName: string, units: number): void {
  perTable.set(tableName, (perTable.get(tableName) ?? 0) + units);
}

// ---------------------------------------------------------------------------------------------
// TransactWriteItems

interface CheckedAction {
  kind: WriteKind;
  tableName: string;
  keyOrItem: AttributeMap;
  update?: CompiledUpdate;
  condition?: CompiledCondition;
  onFailure?: ReturnValuesOnConditionCheckFailure;
}

/** The checks that need no table: values, item size and expressions. */
function checkAction(item: TransactWriteItem): CheckedAction {
  const kind = kindOf(item);
  const action = item[kind]!;
  const record = asRecord(action);
  const expressionMembers = kind === 'Update' ? ['UpdateExpression', 'ConditionExpression'] : ['ConditionExpression'];
  checkPlaceholdersNeedExpressions(record, expressionMembers);
  const keyOrItem = kind === 'Put' ? item.Put!.Item : (action as { Key: AttributeMap }).Key;
  checkAttributeMap(keyOrItem);
  checkExpressionValues(action);
  if (kind === 'Put') checkItemSize(keyOrItem);
  const expressions = new RequestExpressions(action);
  const update = kind === 'Update' ? expressions.update(item.Update!.UpdateExpression) : undefined;
  const condition = expressions.condition('ConditionExpression', action.ConditionExpression);
  expressions.checkAllUsed();
  return { kind, tableName: action.TableName, keyOrItem, update, condition, onFailure: action.ReturnValuesOnConditionCheckFailure };
}

async function planAction(ctx: RequestContext, action: CheckedAction): Promise<PlannedWrite> {
  const table = await requireTable(ctx.store, ctx, action.tableName);
  const schema = tableKeySchema(table);
  let keyItem: AttributeMap;
  let put: AttributeMap | undefined;
  if (action.kind === 'Put') {
    checkItemKey(schema, action.keyOrItem);
    put = canonicalMap(action.keyOrItem);
    keyItem = canonicalMap(checkItemKey(schema, put));
  } else {
    keyItem = canonicalMap(checkKey(schema, action.keyOrItem));
  }
  if (action.update) {
    const keyNames = new Set(keyAttributes(schema).map((a) => a.name));
    for (const path of action.update.paths) {
      const top = path[0];
      if (top?.kind === 'name' && keyNames.has(top.name)) throw invalidParameter(`Cannot update attribute ${top.name}. This attribute is part of the key`);
    }
  }
  return {
    kind: action.kind,
    tableName: action.tableName,
    table,
    loc: locationOf(ctx, action.tableName),
    key: encodeKey(schema, keyItem),
    keyItem,
    put,
    update: action.update,
    condition: action.condition,
    onFailure: action.onFailure,
  };
}

function none(): CancellationReason {
  return { Code: 'None' };
}

/** Reads one action's item and decides what it will do, or why the transaction must be cancelled. */
async function decide(tx: DocOps, plan: PlannedWrite): Promise<Outcome> {
  const stored = await readItem(tx, plan.loc, plan.key);
  if (plan.condition && !plan.condition.test(stored?.item)) {
    const reason: CancellationReason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
    if (plan.onFailure === 'ALL_OLD' && stored) reason.Item = stored.item;
    return { plan, stored, reason };
  }
  if (plan.kind === 'Put') return { plan, stored, after: plan.put, reason: none() };
  if (plan.kind !== 'Update') return { plan, stored, reason: none() };
  const keyNames = Object.keys(plan.keyItem);
  const before = stored?.item ?? plan.keyItem;
  let after: AttributeMap;
  try {
    after = canonicalMap({ ...(plan.update ? plan.update.apply(before, keyNames) : before), ...plan.keyItem });
  } catch (err) {
    // An update that cannot apply to this item (wrong operand type, …) cancels the transaction.
    if (err instanceof AwsError && err.code === 'ValidationException') return { plan, stored, reason: { Code: 'ValidationError', Message: err.message } };
    throw err;
  }
  if (itemSize(after) > MAX_ITEM_BYTES) {
    return { plan, stored, reason: { Code: 'ValidationError', Message: 'Item size to update has exceeded the maximum allowed size' } };
  }
  return { plan, stored, after, reason: none() };
}

function cancelled(reasons: CancellationReason[]): AwsError {
  const codes = reasons.map((r) => r.Code).join(', ');
  return new TransactionCanceledException(`Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`, {
    CancellationReasons: reasons,
  });
}

/** Applies every outcome (writes, deletes, stream records); returns write units per table. */
async function apply(tx: DocOps, ctx: RequestContext, outcomes: Outcome[]): Promise<Map<string, number>> {
  const units = new Map<string, number>();
  for (const { plan, stored, after } of outcomes) {
    let size = stored?.size ?? 0;
    if (after) {
      size = itemSize(after);
      await writeItem(tx, plan.loc, plan.key, after, size);
      await recordItemChange(tx, ctx, plan.table, stored?.item, after);
    } else if (plan.kind === 'Delete' && stored) {
      await removeItem(tx, plan.loc, plan.key);
      await recordItemChange(tx, ctx, plan.table, stored.item, undefined);
    }
    // Transactional writes cost two write units per KB.
    addUnits(units, plan.tableName, 2 * writeUnits(size, stored?.size ?? 0));
  }
  return units;
}

// Idempotency ------------------------------------------------------------------------------------

interface TokenRecord {
  requestHash: string;
  expiresMs: number;
  response: Record<string, unknown>;
}

/** A digest of everything in the request but the token, so a retry is recognised as the same request. */
export function requestHash(input: TransactWriteItemsInput): string {
  const { ClientRequestToken: _token, ...rest } = input;
  const json = JSON.stringify(rest, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
  return createHash('sha256').update(json).digest('hex');
}

function tokenKey(ctx: RequestContext, token: string) {
  return { kind: TOKEN_KIND, account: ctx.accountId, region: ctx.region, id: token };
}

/** The answer of an earlier identical request with this token, if it is still within its window. */
async function earlierAnswer(tx: DocOps, ctx: RequestContext, token: string, hash: string): Promise<Record<string, unknown> | undefined> {
  const doc = await tx.get<TokenRecord>(tokenKey(ctx, token));
  if (!doc || doc.value.expiresMs <= ctx.clock.nowMs()) return undefined;
  if (doc.value.requestHash !== hash) {
    throw new IdempotentParameterMismatchException('The request uses the same client token as a previous, but non-identical request.');
  }
  return doc.value.response;
}

export async function transactWriteItems(ctx: RequestContext, input: TransactWriteItemsInput) {
  const actions = input.TransactItems.map(checkAction);
  const plans: PlannedWrite[] = [];
  for (const action of actions) plans.push(await planAction(ctx, action));
  checkDistinctItems(plans);

  const token = input.ClientRequestToken;
  const hash = token === undefined ? '' : requestHash(input);
  return ctx.store.transaction(async (tx) => {
    if (token !== undefined) {
      const earlier = await earlierAnswer(tx, ctx, token, hash);
      if (earlier) return earlier;
    }
    const outcomes: Outcome[] = [];
    for (const plan of plans) outcomes.push(await decide(tx, plan));
    if (outcomes.some((o) => o.reason.Code !== 'None')) throw cancelled(outcomes.map((o) => o.reason));

    const units = await apply(tx, ctx, outcomes);
    const out: Record<string, unknown> = {};
    const capacity = transactionCapacity(units, input.ReturnConsumedCapacity, 'WriteCapacityUnits');
    if (capacity) out.ConsumedCapacity = capacity;
    if (token !== undefined) {
      const record: TokenRecord = { requestHash: hash, expiresMs: ctx.clock.nowMs() + IDEMPOTENCY_WINDOW_MS, response: out };
      await tx.put(tokenKey(ctx, token), record);
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// TransactGetItems

interface PlannedGet {
  tableName: string;
  loc: TableLocation;
  key: EncodedKey;
  projection?: CompiledProjection;
}

export async function transactGetItems(ctx: RequestContext, input: TransactGetItemsInput) {
  const checked = input.TransactItems.map(({ Get: get }) => {
    checkAttributeMap(get.Key);
    const expressions = new RequestExpressions(get);
    const projection = expressions.projection(get.ProjectionExpression);
    expressions.checkAllUsed();
    return { get, projection };
  });
  const plans: PlannedGet[] = [];
  for (const { get, projection } of checked) {
    const table = await requireTable(ctx.store, ctx, get.TableName);
    const schema = tableKeySchema(table);
    plans.push({ tableName: get.TableName, loc: locationOf(ctx, get.TableName), key: encodeKey(schema, canonicalMap(checkKey(schema, get.Key))), projection });
  }
  checkDistinctItems(plans);

  // One store transaction: every item is read from the same committed state.
  const found = await ctx.store.transaction(async (tx) => {
    const items: Array<StoredItem | undefined> = [];
    for (const plan of plans) items.push(await readItem(tx, plan.loc, plan.key));
    return items;
  });
  const units = new Map<string, number>();
  const responses = plans.map((plan, i) => {
    const stored = found[i];
    // Transactional reads cost two read units per 4 KB.
    addUnits(units, plan.tableName, 2 * readUnits(stored?.size ?? 0, true));
    if (!stored) return {};
    return { Item: plan.projection ? plan.projection.apply(stored.item) : stored.item };
  });
  const out: Record<string, unknown> = {};
  const capacity = transactionCapacity(units, input.ReturnConsumedCapacity, 'ReadCapacityUnits');
  if (capacity) out.ConsumedCapacity = capacity;
  out.Responses = responses;
  return out;
}
