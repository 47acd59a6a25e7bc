/**
 * BatchGetItem (up to 100 keys, 16 MB of items per answer; keys beyond that come back as
 * UnprocessedKeys) and BatchWriteItem (up to 25 puts and deletes, written in one transaction).
 * Every table, key and item is checked before anything is read or written.
 */
import type { RequestContext } from '../../core/context.ts';
import type { BatchGetItemInput, BatchWriteItemInput, ConsumedCapacity, ItemCollectionMetrics, KeysAndAttributes } from '../../generated/dynamodb/types.ts';
import { canonicalMap, checkAttributeMap, checkItemSize, itemSize, type AttributeMap } from './attributes.ts';
import { consumed, readUnits, writeUnits } from './capacity.ts';
import { validation } from './errors.ts';
import { RequestExpressions } from './expr.ts';
import { asRecord, checkNoMixing, checkPlaceholdersNeedExpressions, readProjection } from './items.ts';
import { checkItemKey, checkKey, encodeKey, type EncodedKey } from './keys.ts';
import { readItem, removeItem, writeItem } from './item-store.ts';
import { locationOf, requireTable, tableKeySchema, type TableRecord } from './tables.ts';
import { recordItemChange } from './streams/store.ts';
import { itemCollectionMetrics } from './indexes.ts';

const MAX_GET_KEYS = 100;
const MAX_WRITES = 25;
const MAX_GET_BYTES = 16 * 1024 * 1024;

function duplicates(): Error {
  return validation('Provided list of item keys contains duplicates');
}

function keyId(key: EncodedKey): string {
  return `${key.hash}|${key.range}`;
}

export async function batchGetItem(ctx: RequestContext, input: BatchGetItemInput) {
  const requests = Object.entries(input.RequestItems);
  const total = requests.reduce((sum, [, r]) => sum + r.Keys.length, 0);
  if (total > MAX_GET_KEYS) throw validation('Too many items requested for the BatchGetItem call');

  // Check everything first: expressions, then tables and keys.
  const plans = [];
  for (const [tableName, request] of requests) {
    checkNoMixing(asRecord(request), ['AttributesToGet'], ['ProjectionExpression']);
    checkPlaceholdersNeedExpressions(asRecord(request), ['ProjectionExpression']);
    for (const key of request.Keys) checkAttributeMap(key);
    const expressions = new RequestExpressions(request);
    const projection = readProjection(request, expressions);
    expressions.checkAllUsed();
    plans.push({ tableName, request, projection });
  }
  const resolved = [];
  for (const plan of plans) {
    const table = await requireTable(ctx.store, ctx, plan.tableName);
    const schema = tableKeySchema(table);
    const seen = new Set<string>();
    const keys = plan.request.Keys.map((key) => {
      const encoded = encodeKey(schema, canonicalMap(checkKey(schema, key)));
      if (seen.has(keyId(encoded))) throw duplicates();
      seen.add(keyId(encoded));
      return { key, encoded };
    });
    resolved.push({ ...plan, keys });
  }

  const responses: Record<string, AttributeMap[]> = {};
  const unprocessed: Record<string, KeysAndAttributes> = {};
  const capacity: ConsumedCapacity[] = [];
  let bytes = 0;
  for (const { tableName, request, projection, keys } of resolved) {
    const loc = locationOf(ctx, tableName);
    const items: AttributeMap[] = [];
    const left: AttributeMap[] = [];
    let units = 0;
    for (const { key, encoded } of keys) {
      if (bytes >= MAX_GET_BYTES) {
        left.push(key);
        continue;
      }
      const stored = await readItem(ctx.store, loc, encoded);
      units += readUnits(stored?.size ?? 0, request.ConsistentRead === true);
      if (!stored) continue;
      bytes += stored.size;
      items.push(projection ? projection.apply(stored.item) : stored.item);
    }
    responses[tableName] = items;
    if (left.length) unprocessed[tableName] = { ...request, Keys: left };
    const used = consumed(tableName, units, input.ReturnConsumedCapacity);
    if (used) capacity.push(used);
  }
  const out: Record<string, unknown> = { Responses: responses, UnprocessedKeys: unprocessed };
  if (capacity.length) out.ConsumedCapacity = capacity;
  return out;
}

export async function batchWriteItem(ctx: RequestContext, input: BatchWriteItemInput) {
  const requests = Object.entries(input.RequestItems);
  const total = requests.reduce((sum, [, writes]) => sum + writes.length, 0);
  if (total > MAX_WRITES) throw validation('Too many items requested for the BatchWriteItem call');
  for (const [, writes] of requests) {
    for (const write of writes) {
      if (!!write.PutRequest === !!write.DeleteRequest) {
        throw validation('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
      }
      if (write.PutRequest) {
        checkAttributeMap(write.PutRequest.Item);
        checkItemSize(write.PutRequest.Item);
      } else checkAttributeMap(write.DeleteRequest!.Key);
    }
  }

  const plans: Array<{ tableName: string; table: TableRecord; operations: Array<{ put?: AttributeMap; encoded: EncodedKey; key: AttributeMap }> }> = [];
  for (const [tableName, writes] of requests) {
    const table = await requireTable(ctx.store, ctx, tableName);
    const schema = tableKeySchema(table);
    const seen = new Set<string>();
    const operations = writes.map((write) => {
      const put = write.PutRequest ? canonicalMap(write.PutRequest.Item) : undefined;
      if (put) checkItemKey(schema, put);
      const key = put ?? canonicalMap(checkKey(schema, write.DeleteRequest!.Key));
      const encoded = encodeKey(schema, key);
      if (seen.has(keyId(encoded))) throw duplicates();
      seen.add(keyId(encoded));
      return { put, encoded, key };
    });
    plans.push({ tableName, table, operations });
  }

  const units = await ctx.store.transaction(async (tx) => {
    const perTable: Array<[string, number]> = [];
    for (const { tableName, table, operations } of plans) {
      const loc = locationOf(ctx, tableName);
      let used = 0;
      for (const { put, encoded } of operations) {
        const old = await readItem(tx, loc, encoded);
        if (put) {
          const size = itemSize(put);
          await writeItem(tx, loc, encoded, put, size);
          await recordItemChange(tx, ctx, table, old?.item, put);
          used += writeUnits(size, old?.size ?? 0);
        } else {
          if (old) await removeItem(tx, loc, encoded);
          if (old) await recordItemChange(tx, ctx, table, old.item, undefined);
          used += writeUnits(old?.size ?? 0);
        }
      }
      perTable.push([tableName, used]);
    }
    return perTable;
  });
  const out: Record<string, unknown> = { UnprocessedItems: {} };
  const metrics = await batchItemCollectionMetrics(ctx, plans, input.ReturnItemCollectionMetrics);
  if (metrics) out.ItemCollectionMetrics = metrics;
  const capacity = units.map(([name, used]) => consumed(name, used, input.ReturnConsumedCapacity)).filter((c) => c !== undefined);
  if (capacity.length) out.ConsumedCapacity = capacity;
  return out;
}

/** One ItemCollectionMetrics per item collection written, per table with local secondary indexes. */
async function batchItemCollectionMetrics(
  ctx: RequestContext,
  plans: Array<{ tableName: string; table: TableRecord; operations: Array<{ put?: AttributeMap; key: AttributeMap }> }>,
  mode: BatchWriteItemInput['ReturnItemCollectionMetrics'],
): Promise<Record<string, ItemCollectionMetrics[]> | undefined> {
  if (mode !== 'SIZE') return undefined;
  const out: Record<string, ItemCollectionMetrics[]> = {};
  for (const { tableName, table, operations } of plans) {
    const schema = tableKeySchema(table);
    const seen = new Set<string>();
    for (const { key } of operations) {
      const hash = encodeKey(schema, key).hash;
      if (seen.has(hash)) continue;
      seen.add(hash);
      const metrics = await itemCollectionMetrics(ctx.store, locationOf(ctx, tableName), table, schema, key, mode);
      if (metrics) (out[tableName] ??= []).push(metrics);
    }
  }
  return Object.keys(out).length ? out : undefined;
}
