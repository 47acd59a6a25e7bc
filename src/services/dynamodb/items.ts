/**
 * PutItem, GetItem, UpdateItem and DeleteItem. Each checks its input the way DynamoDB does
 * (values and expressions before the table is looked up, the key against the table's schema
 * after), then reads, decides and writes inside one store transaction so that a condition and the
 * write it guards are atomic.
 */
import type { RequestContext } from '../../core/context.ts';
import type { DocOps } from '../../store/types.ts';
import type {
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  ReturnValuesOnConditionCheckFailure,
  UpdateItemInput,
} from '../../generated/dynamodb/types.ts';
import { canonicalMap, checkAttributeMap, checkItemSize, itemSize, type AttributeMap } from './attributes.ts';
import { consumed, readUnits, writeUnits } from './capacity.ts';
import { conditionalCheckFailed, invalidParameter, validation } from './errors.ts';
import { attributesToGet, projectPaths, RequestExpressions, type CompiledCondition, type CompiledProjection } from './expr.ts';
import { checkItemKey, checkKey, encodeKey, keyAttributes } from './keys.ts';
import { readItem, removeItem, writeItem, type TableLocation } from './item-store.ts';
import { locationOf, requireTable, tableKeySchema } from './tables.ts';
import { enabledStreamOf, recordItemChange } from './streams/store.ts';
import { itemCollectionMetrics } from './indexes.ts';
import { attributeUpdates, checkExpressionMixing, expectedCondition } from './legacy.ts';
import { StoredItemJson } from './wire.ts';

// ---------------------------------------------------------------------------------------------
// Shared request checks

/** A request's members by name, for checks that look at several parameters at once. */
export function asRecord(input: object): Record<string, unknown> {
  return input as unknown as Record<string, unknown>;
}

/** "Can not use both expression and non-expression parameters in the same request: …". */
export function checkNoMixing(input: Record<string, unknown>, legacy: string[], expression: string[]): void {
  const usedLegacy = legacy.filter((n) => input[n] !== undefined);
  const usedExpression = expression.filter((n) => input[n] !== undefined);
  if (usedLegacy.length && usedExpression.length) {
    throw validation(
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${usedLegacy.join(', ')}} Expression parameters: {${usedExpression.join(', ')}}`,
    );
  }
}

/** Placeholders are only allowed alongside an expression. */
export function checkPlaceholdersNeedExpressions(input: Record<string, unknown>, expression: string[]): void {
  if (expression.some((n) => input[n] !== undefined)) return;
  if (input.ExpressionAttributeNames !== undefined) throw validation('ExpressionAttributeNames can only be specified when using expressions');
  if (input.ExpressionAttributeValues !== undefined) throw validation('ExpressionAttributeValues can only be specified when using expressions');
}

export function checkExpressionValues(input: { ExpressionAttributeValues?: AttributeMap }): void {
  if (input.ExpressionAttributeValues) checkAttributeMap(input.ExpressionAttributeValues, 'ExpressionAttributeValues contains invalid value: ');
}

function checkReturnValuesAllOldOrNone(returnValues: string | undefined): void {
  if (returnValues && returnValues !== 'ALL_OLD' && returnValues !== 'NONE') throw validation('ReturnValues can only be ALL_OLD or NONE');
}

function failCondition(old: AttributeMap | undefined, onFailure: ReturnValuesOnConditionCheckFailure | undefined): never {
  throw conditionalCheckFailed(onFailure === 'ALL_OLD' ? old : undefined);
}

function nonEmpty(map: AttributeMap | undefined): AttributeMap | undefined {
  return map && Object.keys(map).length ? map : undefined;
}

function withCapacity<T extends Record<string, unknown>>(out: T, tableName: string, units: number, mode: string | undefined): T {
  const capacity = consumed(tableName, units, mode as 'TOTAL' | 'INDEXES' | 'NONE' | undefined);
  return capacity ? { ...out, ConsumedCapacity: capacity } : out;
}

/** Reads the item, checks the condition against it and returns it: the start of every conditional write. */
async function readChecked(
  tx: DocOps,
  loc: TableLocation,
  key: ReturnType<typeof encodeKey>,
  condition: CompiledCondition | undefined,
  onFailure: ReturnValuesOnConditionCheckFailure | undefined,
) {
  const stored = await readItem(tx, loc, key);
  if (condition && !condition.test(stored?.item)) failCondition(stored?.item, onFailure);
  return stored;
}

// ---------------------------------------------------------------------------------------------
// PutItem

export async function putItem(ctx: RequestContext, input: PutItemInput) {
  checkExpressionMixing(asRecord(input), ['Expected', 'ConditionalOperator'], ['ConditionExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['ConditionExpression']);
  checkAttributeMap(input.Item);
  checkExpressionValues(input);
  checkReturnValuesAllOldOrNone(input.ReturnValues);
  const size = checkItemSize(input.Item);
  const legacyCondition = expectedCondition(input.Expected, input.ConditionalOperator);
  const expressions = new RequestExpressions(input);
  const condition = expressions.condition('ConditionExpression', input.ConditionExpression) ?? legacyCondition;
  expressions.checkAllUsed();

  const table = await requireTable(ctx.store, ctx, input.TableName);
  const schema = tableKeySchema(table);
  checkItemKey(schema, input.Item);
  const item = canonicalMap(input.Item);
  const key = encodeKey(schema, item);
  const loc = locationOf(ctx, input.TableName);

  const old = await ctx.store.transaction(async (tx) => {
    const stored = await readChecked(tx, loc, key, condition, input.ReturnValuesOnConditionCheckFailure);
    await writeItem(tx, loc, key, item, size);
    // The old item is decoded only when something needs it (a stream here, ReturnValues below).
    if (enabledStreamOf(table)) await recordItemChange(tx, ctx, table, stored?.item, item);
    return stored;
  });
  const out: Record<string, unknown> = {};
  if (input.ReturnValues === 'ALL_OLD' && old) out.Attributes = old.item;
  const metrics = await itemCollectionMetrics(ctx.store, loc, table, schema, item, input.ReturnItemCollectionMetrics);
  if (metrics) out.ItemCollectionMetrics = metrics;
  return withCapacity(out, input.TableName, writeUnits(size, old?.size ?? 0), input.ReturnConsumedCapacity);
}

// ---------------------------------------------------------------------------------------------
// GetItem

/** The projection a read asks for (ProjectionExpression or AttributesToGet), if any. */
export function readProjection(
  input: { ProjectionExpression?: string; AttributesToGet?: string[] },
  expressions: RequestExpressions,
): CompiledProjection | undefined {
  if (input.AttributesToGet) return attributesToGet(input.AttributesToGet);
  return expressions.projection(input.ProjectionExpression);
}

export async function getItem(ctx: RequestContext, input: GetItemInput) {
  checkNoMixing(asRecord(input), ['AttributesToGet'], ['ProjectionExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['ProjectionExpression']);
  checkAttributeMap(input.Key);
  const expressions = new RequestExpressions(input);
  const projection = readProjection(input, expressions);
  expressions.checkAllUsed();

  const table = await requireTable(ctx.store, ctx, input.TableName);
  const schema = tableKeySchema(table);
  const keyItem = checkKey(schema, input.Key);
  const stored = await readItem(ctx.store, locationOf(ctx, input.TableName), encodeKey(schema, canonicalMap(keyItem)));
  const out: Record<string, unknown> = {};
  // A whole item goes out as its stored text, undecoded (wire.ts).
  if (stored) out.Item = projection ? projection.apply(stored.item) : new StoredItemJson(stored.json);
  return withCapacity(out, input.TableName, readUnits(stored?.size ?? 0, input.ConsistentRead === true), input.ReturnConsumedCapacity);
}

// ---------------------------------------------------------------------------------------------
// DeleteItem

export async function deleteItem(ctx: RequestContext, input: DeleteItemInput) {
  checkExpressionMixing(asRecord(input), ['Expected', 'ConditionalOperator'], ['ConditionExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['ConditionExpression']);
  checkAttributeMap(input.Key);
  checkExpressionValues(input);
  checkReturnValuesAllOldOrNone(input.ReturnValues);
  const legacyCondition = expectedCondition(input.Expected, input.ConditionalOperator);
  const expressions = new RequestExpressions(input);
  const condition = expressions.condition('ConditionExpression', input.ConditionExpression) ?? legacyCondition;
  expressions.checkAllUsed();

  const table = await requireTable(ctx.store, ctx, input.TableName);
  const schema = tableKeySchema(table);
  const key = encodeKey(schema, canonicalMap(checkKey(schema, input.Key)));
  const loc = locationOf(ctx, input.TableName);
  const old = await ctx.store.transaction(async (tx) => {
    const stored = await readChecked(tx, loc, key, condition, input.ReturnValuesOnConditionCheckFailure);
    if (stored) await removeItem(tx, loc, key);
    if (stored) await recordItemChange(tx, ctx, table, stored.item, undefined);
    return stored;
  });
  const out: Record<string, unknown> = {};
  if (input.ReturnValues === 'ALL_OLD' && old) out.Attributes = old.item;
  const metrics = await itemCollectionMetrics(ctx.store, loc, table, schema, input.Key, input.ReturnItemCollectionMetrics);
  if (metrics) out.ItemCollectionMetrics = metrics;
  return withCapacity(out, input.TableName, writeUnits(old?.size ?? 0), input.ReturnConsumedCapacity);
}

// ---------------------------------------------------------------------------------------------
// UpdateItem

export async function updateItem(ctx: RequestContext, input: UpdateItemInput) {
  checkExpressionMixing(asRecord(input), ['AttributeUpdates', 'Expected', 'ConditionalOperator'], ['UpdateExpression', 'ConditionExpression']);
  checkPlaceholdersNeedExpressions(asRecord(input), ['UpdateExpression', 'ConditionExpression']);
  checkAttributeMap(input.Key);
  checkExpressionValues(input);
  const legacyUpdate = attributeUpdates(input.AttributeUpdates);
  const legacyCondition = expectedCondition(input.Expected, input.ConditionalOperator);
  const expressions = new RequestExpressions(input);
  const update = expressions.update(input.UpdateExpression) ?? legacyUpdate;
  const condition = expressions.condition('ConditionExpression', input.ConditionExpression) ?? legacyCondition;
  expressions.checkAllUsed();

  const table = await requireTable(ctx.store, ctx, input.TableName);
  const schema = tableKeySchema(table);
  const keyItem = canonicalMap(checkKey(schema, input.Key));
  const keyNames = new Set(keyAttributes(schema).map((a) => a.name));
  for (const path of update?.paths ?? []) {
    const top = path[0];
    if (top?.kind === 'name' && keyNames.has(top.name)) {
      throw invalidParameter(`Cannot update attribute ${top.name}. This attribute is part of the key`);
    }
  }
  const key = encodeKey(schema, keyItem);
  const loc = locationOf(ctx, input.TableName);

  const { old, updated, size } = await ctx.store.transaction(async (tx) => {
    const stored = await readChecked(tx, loc, key, condition, input.ReturnValuesOnConditionCheckFailure);
    const before = stored?.item ?? keyItem;
    const after = canonicalMap({ ...(update ? update.apply(before, [...keyNames]) : before), ...keyItem });
    if (itemSize(after) > 400 * 1024) throw validation('Item size to update has exceeded the maximum allowed size');
    const newSize = itemSize(after);
    await writeItem(tx, loc, key, after, newSize);
    await recordItemChange(tx, ctx, table, stored?.item, after);
    return { old: stored, updated: after, size: newSize };
  });

  const out: Record<string, unknown> = {};
  const paths = update?.paths ?? [];
  switch (input.ReturnValues) {
    case 'ALL_OLD':
      if (old) out.Attributes = old.item;
      break;
    case 'UPDATED_OLD':
      if (old) out.Attributes = nonEmpty(projectPaths(old.item, paths));
      break;
    case 'ALL_NEW':
      out.Attributes = updated;
      break;
    case 'UPDATED_NEW':
      out.Attributes = nonEmpty(projectPaths(updated, paths));
      break;
  }
  const metrics = await itemCollectionMetrics(ctx.store, loc, table, schema, keyItem, input.ReturnItemCollectionMetrics);
  if (metrics) out.ItemCollectionMetrics = metrics;
  return withCapacity(out, input.TableName, writeUnits(size, old?.size ?? 0), input.ReturnConsumedCapacity);
}
