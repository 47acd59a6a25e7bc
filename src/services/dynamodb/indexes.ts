/**
 * Secondary indexes over time: the GSI changes UpdateTable makes (Create, Update, Delete) and the
 * statuses they go through on Bonsai's clock, the statistics DescribeTable reports per index, and
 * the item collection metrics of tables with local secondary indexes.
 *
 * An index created by UpdateTable is CREATING with Backfilling false while DynamoDB allocates its
 * resources, CREATING with Backfilling true while it reads the table's items, then ACTIVE (the
 * Backfilling member is dropped again). Bonsai's indexes read the table's items at query time
 * (query.ts), so "backfilling" is only a status: once ACTIVE, every existing item that carries the
 * index's keys is in the index. A deleted index stays DELETING for a moment, listed apart from the
 * live ones so that queries no longer find it.
 *
 * Statuses are never stored: each record keeps the times its phases end and readers compute the
 * status from the clock (see tables.ts for the table's own status).
 */
import type { DocOps } from '../../store/types.ts';
import type {
  AttributeDefinition,
  CreateGlobalSecondaryIndexAction,
  GlobalSecondaryIndexUpdate,
  ItemCollectionMetrics,
  Projection,
  ReturnItemCollectionMetrics,
  UpdateTableInput,
} from '../../generated/dynamodb/types.ts';
import { LimitExceededException, ResourceInUseException, ResourceNotFoundException } from '../../generated/dynamodb/errors.ts';
import { itemSize, type AttributeMap } from './attributes.ts';
import { invalidParameter, validation } from './errors.ts';
import { encodeKeyValue, keyAttributes, keySchemaOf, type KeySchema } from './keys.ts';
import { readPartition, readTable, type TableLocation } from './item-store.ts';
import type { IndexRecord, LifecycleTimings, TableRecord } from './tables.ts';

/** DynamoDB's default quota of global secondary indexes per table. */
export const MAX_GLOBAL_INDEXES = 20;

export type IndexStatus = 'CREATING' | 'UPDATING' | 'DELETING' | 'ACTIVE';

/** A change in progress on an index, with the Bonsai-clock times (epoch ms) its phases end. */
export interface IndexTransition {
  kind: 'create' | 'update';
  /** create only: the resource allocation phase ends and backfilling starts. */
  backfillAt?: number;
  activeAt: number;
}

/** An index that UpdateTable deleted, reported DELETING until `goneAt`. */
export type DeletingIndexRecord = IndexRecord & { goneAt: number };

export interface IndexState {
  status: IndexStatus;
  /** Only for indexes being created by UpdateTable. */
  backfilling?: boolean;
}

export function globalIndexState(index: IndexRecord, nowMs: number): IndexState {
  const transition = index.Transition;
  if (!transition || nowMs >= transition.activeAt) return { status: 'ACTIVE' };
  if (transition.kind === 'update') return { status: 'UPDATING' };
  return { status: 'CREATING', backfilling: nowMs >= (transition.backfillAt ?? 0) };
}

/** Deleted indexes still in their DELETING period. */
export function deletingIndexes(table: TableRecord, nowMs: number): DeletingIndexRecord[] {
  return (table.DeletingGlobalSecondaryIndexes ?? []).filter((index) => nowMs < index.goneAt);
}

/** Names of the indexes being created, updated or deleted right now. */
export function indexesInTransition(table: TableRecord, nowMs: number): { creating: string[]; updating: string[]; deleting: string[] } {
  const creating: string[] = [];
  const updating: string[] = [];
  for (const index of table.GlobalSecondaryIndexes ?? []) {
    const { status } = globalIndexState(index, nowMs);
    if (status === 'CREATING') creating.push(index.IndexName);
    if (status === 'UPDATING') updating.push(index.IndexName);
  }
  return { creating, updating, deleting: deletingIndexes(table, nowMs).map((i) => i.IndexName) };
}

/** Query and Scan cannot read an index that is still being built. */
export function checkIndexReadable(table: TableRecord, indexName: string | undefined, nowMs: number): void {
  if (indexName === undefined) return;
  const index = table.GlobalSecondaryIndexes?.find((i) => i.IndexName === indexName);
  if (index && globalIndexState(index, nowMs).status === 'CREATING') {
    throw validation(`Cannot read from backfilling global secondary index: ${indexName}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics

export interface IndexStatistics {
  itemCount: number;
  sizeBytes: number;
}

/** What an index holds of an item, by its projection: always the table's and the index's keys. */
export function projectIntoIndex(tableSchema: KeySchema, indexSchema: KeySchema, projection: Projection, item: AttributeMap): AttributeMap {
  if (projection.ProjectionType === 'ALL' || projection.ProjectionType === undefined) return item;
  const keep = new Set([...keyAttributes(tableSchema), ...keyAttributes(indexSchema)].map((a) => a.name));
  if (projection.ProjectionType === 'INCLUDE') for (const name of projection.NonKeyAttributes ?? []) keep.add(name);
  return Object.fromEntries(Object.entries(item).filter(([name]) => keep.has(name)));
}

/** An item is in an index when it has every index key attribute with the declared type (sparse indexes). */
export function carriesKeys(schema: KeySchema, item: AttributeMap): boolean {
  return keyAttributes(schema).every((a) => item[a.name] !== undefined && (item[a.name] as Record<string, unknown>)[a.type] !== undefined);
}

interface IndexShape {
  name: string;
  schema: KeySchema;
  projection: Projection;
}

function indexShapes(table: TableRecord): IndexShape[] {
  return [...(table.LocalSecondaryIndexes ?? []), ...(table.GlobalSecondaryIndexes ?? [])].map((index) => ({
    name: index.IndexName,
    schema: keySchemaOf(index.KeySchema, table.AttributeDefinitions),
    projection: index.Projection,
  }));
}

/** Rows read per round trip when walking a table. */
const PAGE = 500;

/**
 * ItemCount and IndexSizeBytes of every secondary index, from the items that carry its keys; the
 * size is that of the projected items, counted as TableSizeBytes counts items (no per-item
 * overhead). AWS refreshes these about every six hours; Bonsai computes them on each call, which
 * reads the whole table: DescribeTable on a large table with indexes is correspondingly slower.
 */
export async function indexStatistics(db: DocOps, loc: TableLocation, table: TableRecord, tableSchema: KeySchema): Promise<Map<string, IndexStatistics>> {
  const shapes = indexShapes(table);
  const stats = new Map(shapes.map((s) => [s.name, { itemCount: 0, sizeBytes: 0 }]));
  if (shapes.length === 0) return stats;
  let after: { hash: string; range: string } | undefined;
  for (;;) {
    const rows = await readTable(db, loc, after, PAGE);
    for (const row of rows) {
      for (const shape of shapes) {
        if (!carriesKeys(shape.schema, row.item)) continue;
        const entry = stats.get(shape.name)!;
        entry.itemCount++;
        entry.sizeBytes += itemSize(projectIntoIndex(tableSchema, shape.schema, shape.projection, row.item));
      }
    }
    if (rows.length < PAGE) return stats;
    after = rows[rows.length - 1]!.key;
  }
}

// ---------------------------------------------------------------------------------------------
// Item collection metrics

const BYTES_PER_GB = 1024 ** 3;

/**
 * ItemCollectionMetrics for a write to a table with local secondary indexes, when the caller asked
 * for SIZE: the item collection (every item with this partition key, and their LSI entries) and an
 * estimate of its size as a one-gigabyte range [lower, upper]. Undefined otherwise, as DynamoDB
 * leaves the member out for tables without LSIs.
 */
export async function itemCollectionMetrics(
  db: DocOps,
  loc: TableLocation,
  table: TableRecord,
  tableSchema: KeySchema,
  item: AttributeMap,
  mode: ReturnItemCollectionMetrics | undefined,
): Promise<ItemCollectionMetrics | undefined> {
  if (mode !== 'SIZE' || !table.LocalSecondaryIndexes?.length) return undefined;
  const hashName = tableSchema.hash.name;
  const hashValue = item[hashName]!;
  const hash = encodeKeyValue(tableSchema.hash.type, hashValue);
  const locals = indexShapes({ ...table, GlobalSecondaryIndexes: undefined });
  let bytes = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await readPartition(db, loc, { hash, forward: true, after, limit: PAGE });
    for (const row of rows) {
      bytes += row.size;
      for (const local of locals) {
        if (carriesKeys(local.schema, row.item)) bytes += itemSize(projectIntoIndex(tableSchema, local.schema, local.projection, row.item));
      }
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.key.range;
  }
  const lower = Math.floor(bytes / BYTES_PER_GB);
  return { ItemCollectionKey: { [hashName]: hashValue }, SizeEstimateRangeGB: [lower, lower + 1] };
}

// ---------------------------------------------------------------------------------------------
// GlobalSecondaryIndexUpdates

function actionsOf(update: GlobalSecondaryIndexUpdate): Array<'Create' | 'Update' | 'Delete'> {
  return (['Create', 'Update', 'Delete'] as const).filter((a) => update[a] !== undefined);
}

function indexNameOf(update: GlobalSecondaryIndexUpdate): string {
  return (update.Create ?? update.Update ?? update.Delete)!.IndexName;
}

/** How many index creations and deletions a request asks for (DynamoDB allows one at a time). */
export function onlineIndexChanges(input: UpdateTableInput): number {
  return (input.GlobalSecondaryIndexUpdates ?? []).filter((u) => u.Create || u.Delete).length;
}

export function onlineIndexLimit(): Error {
  return new LimitExceededException('Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table');
}

/** Checks that need only the request, made before the table is read. */
export function checkGlobalIndexUpdatesShape(input: UpdateTableInput): void {
  const updates = input.GlobalSecondaryIndexUpdates;
  if (!updates) return;
  if (updates.length === 0) throw invalidParameter('List of GlobalSecondaryIndexUpdates is empty');
  const seen = new Set<string>();
  for (const update of updates) {
    const actions = actionsOf(update);
    if (actions.length === 0) {
      throw invalidParameter('One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null');
    }
    if (actions.length > 1) throw invalidParameter('Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object');
    const name = indexNameOf(update);
    if (seen.has(name)) throw invalidParameter(`Only one global secondary index update per index is allowed simultaneously. Index: ${name}`);
    seen.add(name);
  }
  if (onlineIndexChanges(input) === 0) return;
  // An index creation or deletion must not share its UpdateTable with these changes.
  if (input.ProvisionedThroughput) throw invalidParameter('You cannot create or delete index while updating table IOPS');
  if (input.StreamSpecification) throw invalidParameter('You cannot create or delete index while changing stream status');
  if (onlineIndexChanges(input) > 1) throw onlineIndexLimit();
}

function inUse(detail: string): Error {
  return new ResourceInUseException(`Attempt to change a resource which is still in use: ${detail}`);
}

/** Checks shared with CreateTable's, passed in so this module does not depend on tables.ts at load time. */
export interface IndexSchemaChecks {
  keySchema(keySchema: CreateGlobalSecondaryIndexAction['KeySchema'], definitions: string[]): void;
  projection(projection: Projection): void;
}

interface UpdateContext {
  nowMs: number;
  timings: LifecycleTimings;
  checks: IndexSchemaChecks;
}

/**
 * Applies the request's GlobalSecondaryIndexUpdates to `table` (a copy being prepared for
 * storage), in DynamoDB's wording for each refusal. Returns what happened, so the caller can set
 * the table's own UPDATING period.
 */
export function applyGlobalIndexUpdates(table: TableRecord, input: UpdateTableInput, context: UpdateContext): { created: boolean; deleted: boolean; updated: boolean } {
  const result = { created: false, deleted: false, updated: false };
  table.GlobalSecondaryIndexes = (table.GlobalSecondaryIndexes ?? []).map((i) => ({ ...i }));
  table.DeletingGlobalSecondaryIndexes = deletingIndexes(table, context.nowMs);
  for (const update of input.GlobalSecondaryIndexUpdates ?? []) {
    if (update.Create) {
      createIndex(table, input, update.Create, context);
      result.created = true;
    } else if (update.Delete) {
      deleteIndex(table, update.Delete.IndexName, context);
      result.deleted = true;
    } else if (update.Update) {
      updateIndex(table, update.Update, context);
      result.updated = true;
    }
  }
  if (table.GlobalSecondaryIndexes.length === 0) table.GlobalSecondaryIndexes = undefined;
  if (table.DeletingGlobalSecondaryIndexes.length === 0) table.DeletingGlobalSecondaryIndexes = undefined;
  return result;
}

/** Another index is being created or deleted (the index `except` may be the one being acted on). */
function checkNoOnlineChange(table: TableRecord, nowMs: number, except?: string): void {
  const busy = indexesInTransition(table, nowMs);
  if ([...busy.creating, ...busy.deleting].some((name) => name !== except)) throw onlineIndexLimit();
}

function mergedDefinitions(table: TableRecord, requested: AttributeDefinition[]): AttributeDefinition[] {
  const merged = [...table.AttributeDefinitions];
  for (const definition of requested) {
    if (!merged.some((d) => d.AttributeName === definition.AttributeName)) merged.push(definition);
  }
  return merged;
}

function createIndex(table: TableRecord, input: UpdateTableInput, create: CreateGlobalSecondaryIndexAction, context: UpdateContext): void {
  const name = create.IndexName;
  checkNoOnlineChange(table, context.nowMs);
  const exists = [...table.GlobalSecondaryIndexes!, ...table.DeletingGlobalSecondaryIndexes!, ...(table.LocalSecondaryIndexes ?? [])].some((i) => i.IndexName === name);
  if (exists) throw validation('Attempting to create an index which already exists');
  if (!input.AttributeDefinitions) throw invalidParameter(`AttributeDefinitions is not specified for index: ${name}`);
  const definitions = mergedDefinitions(table, input.AttributeDefinitions);
  context.checks.keySchema(create.KeySchema, definitions.map((d) => d.AttributeName));
  context.checks.projection(create.Projection);
  if (table.BillingMode === 'PAY_PER_REQUEST' && create.ProvisionedThroughput) {
    throw invalidParameter(`ProvisionedThroughput should not be specified for index: ${name} when BillingMode is PAY_PER_REQUEST`);
  }
  if (table.BillingMode === 'PROVISIONED' && !create.ProvisionedThroughput) {
    throw invalidParameter(`ProvisionedThroughput must be specified for index: ${name}`);
  }
  if (table.GlobalSecondaryIndexes!.length + 1 > MAX_GLOBAL_INDEXES) {
    throw new LimitExceededException(`Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of ${MAX_GLOBAL_INDEXES}`);
  }
  const backfillAt = context.nowMs + context.timings.indexAllocationMs;
  const record: IndexRecord = {
    IndexName: name,
    KeySchema: create.KeySchema,
    Projection: create.Projection,
    Transition: { kind: 'create', backfillAt, activeAt: backfillAt + context.timings.indexBackfillMs },
  };
  if (create.ProvisionedThroughput) {
    record.ProvisionedThroughput = {
      ReadCapacityUnits: create.ProvisionedThroughput.ReadCapacityUnits,
      WriteCapacityUnits: create.ProvisionedThroughput.WriteCapacityUnits,
    };
  }
  table.AttributeDefinitions = definitions;
  table.GlobalSecondaryIndexes!.push(record);
}

function notAGlobalIndex(table: TableRecord, name: string, verb: 'delete' | 'update'): Error {
  if (table.LocalSecondaryIndexes?.some((i) => i.IndexName === name)) {
    return validation(`Cannot ${verb} an index that is not a GlobalSecondaryIndex: ${name}`);
  }
  return new ResourceNotFoundException(`Requested resource not found: Index: ${name} not found`);
}

function deleteIndex(table: TableRecord, name: string, context: UpdateContext): void {
  if (table.DeletingGlobalSecondaryIndexes!.some((i) => i.IndexName === name)) {
    throw inUse(`Index is being deleted. Table: ${table.TableName} Index: ${name}`);
  }
  const index = table.GlobalSecondaryIndexes!.find((i) => i.IndexName === name);
  if (!index) throw notAGlobalIndex(table, name, 'delete');
  const state = globalIndexState(index, context.nowMs);
  // An index being created can be dropped once it backfills, not while its resources are allocated.
  if (state.status === 'CREATING' && !state.backfilling) {
    throw inUse(
      `Index creation is in resource allocation phase. Retry deletion during backfilling phase or when the index is active. Table: ${table.TableName} Index: ${name}`,
    );
  }
  if (state.status === 'UPDATING') throw inUse(`Index is being updated. Table: ${table.TableName} Index: ${name}`);
  checkNoOnlineChange(table, context.nowMs, name);
  table.GlobalSecondaryIndexes = table.GlobalSecondaryIndexes!.filter((i) => i.IndexName !== name);
  const { Transition: _transition, ...rest } = index;
  table.DeletingGlobalSecondaryIndexes!.push({ ...rest, goneAt: context.nowMs + context.timings.indexDeletingMs });
}

function updateIndex(table: TableRecord, update: NonNullable<GlobalSecondaryIndexUpdate['Update']>, context: UpdateContext): void {
  const name = update.IndexName;
  if (table.DeletingGlobalSecondaryIndexes!.some((i) => i.IndexName === name)) {
    throw inUse(`Index is being deleted. Table: ${table.TableName} Index: ${name}`);
  }
  const index = table.GlobalSecondaryIndexes!.find((i) => i.IndexName === name);
  if (!index) throw notAGlobalIndex(table, name, 'update');
  const state = globalIndexState(index, context.nowMs);
  if (state.status === 'CREATING' && !state.backfilling) {
    throw inUse(`Index is being created but is not backfilling yet.  Table: ${table.TableName} Index: ${name}`);
  }
  if (state.status === 'UPDATING') throw inUse(`Index is being updated. Table: ${table.TableName} Index: ${name}`);
  const throughput = update.ProvisionedThroughput;
  if (!throughput) return;
  if (table.BillingMode === 'PAY_PER_REQUEST') {
    throw invalidParameter(`Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${name} when BillingMode is PAY_PER_REQUEST`);
  }
  const current = index.ProvisionedThroughput ?? { ReadCapacityUnits: 0, WriteCapacityUnits: 0 };
  if (throughput.ReadCapacityUnits === current.ReadCapacityUnits && throughput.WriteCapacityUnits === current.WriteCapacityUnits) {
    throw validation(
      `The provisioned throughput for the index ${name} will not change. The requested value equals the current value. ` +
        `Current ReadCapacityUnits provisioned for the index: ${current.ReadCapacityUnits}. Requested ReadCapacityUnits: ${throughput.ReadCapacityUnits}. ` +
        `Current WriteCapacityUnits provisioned for the index: ${current.WriteCapacityUnits}. Requested WriteCapacityUnits: ${throughput.WriteCapacityUnits}. ` +
        'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
    );
  }
  index.ProvisionedThroughput = { ReadCapacityUnits: throughput.ReadCapacityUnits, WriteCapacityUnits: throughput.WriteCapacityUnits };
  // A throughput change on an index that is still backfilling keeps it CREATING.
  if (state.status === 'ACTIVE') index.Transition = { kind: 'update', activeAt: context.nowMs + context.timings.indexUpdatingMs };
}
