/**
 * Tables: their definitions as store documents (kind 'dynamodb:table', id = table name) and the
 * control-plane operations.
 *
 * A table's status follows Bonsai's clock and is computed on every read from the times stored on
 * its record, never stored itself: CreateTable leaves it CREATING until `Transition.until`,
 * UpdateTable leaves it UPDATING the same way, and DeleteTable leaves it DELETING until `GoneAt`,
 * after which the table no longer exists. The periods are short or zero (see LIFECYCLE_TIMINGS)
 * so that waiters return on their first poll; tests lengthen them with setLifecycleTimings() and
 * move the clock. Secondary index statuses are computed the same way (indexes.ts).
 *
 * ItemCount and TableSizeBytes are live (AWS refreshes them about every six hours).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type { Clock } from '../../core/clock.ts';
import type { DocOps, Store } from '../../store/types.ts';
import { cachedTable, forgetTable } from './table-cache.ts';
import type {
  AttributeDefinition,
  CreateTableInput,
  DeleteTableInput,
  DescribeTableInput,
  GlobalSecondaryIndex,
  GlobalSecondaryIndexDescription,
  KeySchemaElement,
  ListTablesInput,
  LocalSecondaryIndex,
  Projection,
  TableDescription,
  Tag,
  UpdateTableInput,
} from '../../generated/dynamodb/types.ts';
import { ResourceInUseException } from '../../generated/dynamodb/errors.ts';
import { invalidParameter, namedTableNotFound, tableAlreadyExists, tableNotFound, validation } from './errors.ts';
import { keySchemaOf, type KeySchema } from './keys.ts';
import { removeAllItems, tableStatistics, type TableLocation } from './item-store.ts';
import {
  applyGlobalIndexUpdates,
  checkGlobalIndexUpdatesShape,
  deletingIndexes,
  globalIndexState,
  indexesInTransition,
  indexStatistics,
  type DeletingIndexRecord,
  type IndexStatistics,
  type IndexTransition,
} from './indexes.ts';

export const TABLE_KIND = 'dynamodb:table';

export interface IndexRecord {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  /** GSIs of provisioned tables. */
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  /** GSIs being created or updated by UpdateTable (indexes.ts). */
  Transition?: IndexTransition;
}

export type TableStatus = 'CREATING' | 'UPDATING' | 'ACTIVE' | 'DELETING';

/** Why a table is UPDATING: it decides how DynamoDB words a refusal of the next change. */
export type UpdateReason = 'iops' | 'stream' | 'index' | 'other';

export interface TableTransition {
  status: 'CREATING' | 'UPDATING';
  /** Bonsai-clock time (epoch ms) at which the table becomes ACTIVE. */
  until: number;
  reason?: UpdateReason;
  /** For reason 'stream': what the change did. */
  streamOperation?: 'ENABLE' | 'DISABLE';
}

export interface TableRecord {
  TableName: string;
  TableId: string;
  TableArn: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  CreationDateTime: string;
  BillingMode: 'PROVISIONED' | 'PAY_PER_REQUEST';
  LastUpdateToPayPerRequestDateTime?: string;
  /** Provisioned tables only: AWS shows 0/0 for on-demand tables. */
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
  LastIncreaseDateTime?: string;
  LastDecreaseDateTime?: string;
  NumberOfDecreasesToday: number;
  LocalSecondaryIndexes?: IndexRecord[];
  GlobalSecondaryIndexes?: IndexRecord[];
  /** GSIs deleted by UpdateTable, DELETING until their `goneAt`. */
  DeletingGlobalSecondaryIndexes?: DeletingIndexRecord[];
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
  /** Kept after the stream is disabled: DescribeTable still names the last stream, as AWS does. */
  LatestStreamLabel?: string;
  KmsKeyArn?: string;
  TableClass?: string;
  DeletionProtectionEnabled: boolean;
  Tags: Tag[];
  /** CREATING or UPDATING until a time; absent or past: ACTIVE. */
  Transition?: TableTransition;
  /** Set by DeleteTable: the table is DELETING until this time (epoch ms), then gone. */
  GoneAt?: number;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle timings (Bonsai-clock milliseconds)

export interface LifecycleTimings {
  /** CreateTable → ACTIVE. */
  tableCreatingMs: number;
  /** UpdateTable → ACTIVE (throughput, billing mode, streams, index deletion, other settings). */
  tableUpdatingMs: number;
  /** DeleteTable → gone. */
  tableDeletingMs: number;
  /** A new GSI's resource allocation (CREATING, Backfilling false; the table is UPDATING meanwhile). */
  indexAllocationMs: number;
  /** A new GSI's backfill (CREATING, Backfilling true; the table is ACTIVE again). */
  indexBackfillMs: number;
  /** A GSI throughput change (index UPDATING). */
  indexUpdatingMs: number;
  /** A deleted GSI stays DELETING this long. */
  indexDeletingMs: number;
}

/**
 * AWS takes seconds to minutes; Bonsai keeps every period well under the time a CLI process takes
 * to start (about 0.4 s here), so `aws dynamodb wait table-exists` and scripts that poll
 * DescribeTable find the table ACTIVE on their first poll.
 *
 * CreateTable and DeleteTable default to 0: the table is CREATING (DELETING) in the operation's
 * own answer and ACTIVE (gone) from the next request on. A longer CREATING period makes every
 * client that writes right after CreateTable without a waiter fail with ResourceNotFoundException,
 * as on AWS, and makes an SDK waiter in the same process sleep its 20-second delay before the
 * second poll; tests that want those periods set them (setLifecycleTimings) and move the clock.
 * UpdateTable's periods are short but real, so their refusals show without configuration.
 */
export const LIFECYCLE_TIMINGS: Readonly<LifecycleTimings> = Object.freeze({
  tableCreatingMs: 0,
  tableUpdatingMs: 100,
  tableDeletingMs: 0,
  indexAllocationMs: 100,
  indexBackfillMs: 200,
  indexUpdatingMs: 100,
  indexDeletingMs: 100,
});

let timings: LifecycleTimings = { ...LIFECYCLE_TIMINGS };

export function lifecycleTimings(): LifecycleTimings {
  return timings;
}

/** Changes the periods for this process (tests make them long and move the clock instead). */
export function setLifecycleTimings(changes: Partial<LifecycleTimings>): void {
  timings = { ...timings, ...changes };
}

export function resetLifecycleTimings(): void {
  timings = { ...LIFECYCLE_TIMINGS };
}

/** The table's status at `nowMs`, or 'GONE' once a deleted table's DELETING period is over. */
export function tableStatusAt(table: TableRecord, nowMs: number): TableStatus | 'GONE' {
  if (table.GoneAt !== undefined) return nowMs < table.GoneAt ? 'DELETING' : 'GONE';
  if (table.Transition && nowMs < table.Transition.until) return table.Transition.status;
  return 'ACTIVE';
}

// ---------------------------------------------------------------------------------------------
// Finding tables

export function tableArn(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`;
}

export function locationOf(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): TableLocation {
  return { account: ctx.accountId, region: ctx.region, table: tableName };
}

function docKey(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string) {
  return { kind: TABLE_KIND, account: ctx.accountId, region: ctx.region, id: tableName };
}

/**
 * The stored document, whatever its status (control-plane operations look at DELETING tables too).
 * Outside a transaction it comes from the per-store cache (table-cache.ts); a transaction reads its own.
 */
async function readTableDocument(db: DocOps, ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): Promise<TableRecord | undefined> {
  const read = async () => (await db.get<TableRecord>(docKey(ctx, tableName)))?.value;
  return isStore(db) ? cachedTable(db, ctx, tableName, read) : read();
}

function isStore(db: DocOps): db is Store {
  return typeof (db as Partial<Store>).transaction === 'function';
}

/**
 * Runs a transaction that writes the table's record, then forgets the cached copy, whether it
 * committed or not (only after it has ended can no reader see the old record again).
 */
export async function changingTable<T>(ctx: RequestContext, tableName: string, fn: (tx: DocOps) => Promise<T>): Promise<T> {
  try {
    return await ctx.store.transaction(fn);
  } finally {
    forgetTable(ctx.store, ctx, tableName);
  }
}

/**
 * The table, unless DeleteTable has been called on it: a deleted table's items are gone at once,
 * so everything but DescribeTable, ListTables, CreateTable and DeleteTable treats it as missing.
 */
export async function findTable(db: DocOps, ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): Promise<TableRecord | undefined> {
  const table = await readTableDocument(db, ctx, tableName);
  return table && table.GoneAt === undefined ? table : undefined;
}

/**
 * The table for an item operation, or "Requested resource not found": DynamoDB answers so for a
 * table that is still CREATING as well as for one that does not exist.
 */
export async function requireTable(
  db: DocOps,
  ctx: Pick<RequestContext, 'region' | 'accountId'> & { clock?: Pick<Clock, 'nowMs'> },
  tableName: string,
): Promise<TableRecord> {
  const table = await findTable(db, ctx, tableName);
  if (!table) throw tableNotFound();
  if (ctx.clock && tableStatusAt(table, ctx.clock.nowMs()) === 'CREATING') throw tableNotFound();
  return table;
}

/** Key schemas of the records in use: a cached record (table-cache.ts) serves many requests. */
const keySchemas = new WeakMap<TableRecord, KeySchema>();

export function tableKeySchema(table: TableRecord): KeySchema {
  let schema = keySchemas.get(table);
  if (!schema) {
    schema = keySchemaOf(table.KeySchema, table.AttributeDefinitions);
    // Only frozen records: a record being built or changed could still change its key schema.
    if (Object.isFrozen(table)) keySchemas.set(table, schema);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------
// CreateTable checks, in DynamoDB's order

function checkThroughput(input: CreateTableInput): void {
  if (input.BillingMode === 'PAY_PER_REQUEST') {
    if (input.ProvisionedThroughput) {
      throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
    }
    return;
  }
  const throughput = input.ProvisionedThroughput;
  if (!throughput || !throughput.ReadCapacityUnits || !throughput.WriteCapacityUnits) {
    throw invalidParameter('ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  }
  checkUnitBounds(throughput.ReadCapacityUnits, throughput.WriteCapacityUnits);
}

function checkUnitBounds(read: number, write: number): void {
  if (read > 1_000_000_000_000) throw validation(`Given value ${read} for ReadCapacityUnits is out of bounds`);
  if (write > 1_000_000_000_000) throw validation(`Given value ${write} for WriteCapacityUnits is out of bounds`);
}

function checkKeySchemaShape(keySchema: KeySchemaElement[], definitions: string[]): void {
  const keys = keySchema.map((k) => k.AttributeName);
  if (keys.some((k) => !definitions.includes(k))) {
    throw invalidParameter(
      `Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(', ')}], AttributeDefinitions: [${definitions.join(', ')}]`,
    );
  }
  if (keys.length === 2 && keys[0] === keys[1]) throw validation('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  if (keySchema[0]!.KeyType !== 'HASH') throw validation('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (keySchema[1] && keySchema[1].KeyType !== 'RANGE') throw validation('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
}

function checkProjection(projection: Projection): void {
  if (projection.ProjectionType === undefined) throw invalidParameter('Unknown ProjectionType: null');
  if (projection.NonKeyAttributes && projection.ProjectionType !== 'INCLUDE') {
    throw invalidParameter(`ProjectionType is ${projection.ProjectionType}, but NonKeyAttributes is specified`);
  }
}

function checkLocalIndexes(input: CheckedCreateTable, definitions: string[], names: Set<string>): void {
  const indexes = input.LocalSecondaryIndexes;
  if (!indexes) return;
  if (indexes.length === 0) throw invalidParameter('List of LocalSecondaryIndexes is empty');
  if (input.KeySchema.length !== 2) {
    throw invalidParameter('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
  }
  const tableHash = input.KeySchema[0]!.AttributeName;
  for (const index of indexes) {
    checkKeySchemaShape(index.KeySchema, definitions);
    if (index.KeySchema.length !== 2) throw invalidParameter(`Index KeySchema does not have a range key for index: ${index.IndexName}`);
    const indexHash = index.KeySchema[0]!.AttributeName;
    if (indexHash !== tableHash) {
      throw invalidParameter(
        `Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index.IndexName}. index hash key: ${indexHash}, table hash key: ${tableHash}`,
      );
    }
    checkProjection(index.Projection);
    if (names.has(index.IndexName)) throw invalidParameter(`Duplicate index name: ${index.IndexName}`);
    names.add(index.IndexName);
  }
  if (indexes.length > 5) throw invalidParameter('Number of LocalSecondaryIndexes exceeds per-table limit of 5');
}

function checkGlobalIndexes(input: CheckedCreateTable, definitions: string[], names: Set<string>): void {
  const indexes = input.GlobalSecondaryIndexes;
  if (!indexes) return;
  if (indexes.length === 0) throw invalidParameter('List of GlobalSecondaryIndexes is empty');
  for (const index of indexes) {
    checkKeySchemaShape(index.KeySchema, definitions);
    checkProjection(index.Projection);
    if (input.BillingMode === 'PAY_PER_REQUEST' && index.ProvisionedThroughput) {
      throw invalidParameter(`ProvisionedThroughput should not be specified for index: ${index.IndexName} when BillingMode is PAY_PER_REQUEST`);
    }
    if (input.BillingMode !== 'PAY_PER_REQUEST' && !index.ProvisionedThroughput) {
      throw invalidParameter(`ProvisionedThroughput must be specified for index: ${index.IndexName}`);
    }
    if (names.has(index.IndexName)) throw invalidParameter(`Duplicate index name: ${index.IndexName}`);
    names.add(index.IndexName);
  }
  if (indexes.length > 20) throw invalidParameter('GlobalSecondaryIndex count exceeds the per-table limit of 20');
}

/** Every attribute definition must be a key of the table or of an index. */
function checkDefinitionsUsed(input: CheckedCreateTable, definitions: string[]): void {
  const used = new Set<string>(input.KeySchema.map((k) => k.AttributeName));
  for (const index of [...(input.LocalSecondaryIndexes ?? []), ...(input.GlobalSecondaryIndexes ?? [])]) {
    for (const k of index.KeySchema) used.add(k.AttributeName);
  }
  if (!input.LocalSecondaryIndexes && !input.GlobalSecondaryIndexes) {
    if (input.KeySchema.length !== definitions.length) {
      throw invalidParameter('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
    }
    return;
  }
  if (definitions.some((d) => !used.has(d))) {
    throw invalidParameter(`Some AttributeDefinitions are not used. AttributeDefinitions: [${definitions.join(', ')}], keys used: [${[...used].join(', ')}]`);
  }
}

/** A CreateTable input whose key schema and attribute definitions are present. */
type CheckedCreateTable = CreateTableInput & Required<Pick<CreateTableInput, 'KeySchema' | 'AttributeDefinitions'>>;

/** The model leaves these optional (for other callers); CreateTable itself requires them. */
function requireKeyMembers(input: CreateTableInput): asserts input is CheckedCreateTable {
  const missing = [
    input.AttributeDefinitions === undefined ? 'attributeDefinitions' : undefined,
    input.KeySchema === undefined ? 'keySchema' : undefined,
  ].filter((m) => m !== undefined);
  if (missing.length) {
    const details = missing.map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`);
    throw validation(`${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${details.join('; ')}`);
  }
}

export function checkCreateTable(input: CreateTableInput): asserts input is CheckedCreateTable {
  requireKeyMembers(input);
  checkThroughput(input);
  const definitions = input.AttributeDefinitions.map((d) => d.AttributeName);
  if (input.KeySchema.length > definitions.length) throw validation('Invalid KeySchema: Some index key attribute have no definition');
  checkKeySchemaShape(input.KeySchema, definitions);
  checkDefinitionsUsed(input, definitions);
  const names = new Set<string>();
  checkLocalIndexes(input, definitions, names);
  checkGlobalIndexes(input, definitions, names);
}


// ---------------------------------------------------------------------------------------------
// Descriptions

function indexArn(table: TableRecord, indexName: string): string {
  return `${table.TableArn}/index/${indexName}`;
}

function throughputDescription(table: TableRecord, units?: { ReadCapacityUnits: number; WriteCapacityUnits: number }) {
  const onDemand = table.BillingMode === 'PAY_PER_REQUEST';
  return {
    ...(table.LastIncreaseDateTime && !units ? { LastIncreaseDateTime: new Date(table.LastIncreaseDateTime) } : {}),
    ...(table.LastDecreaseDateTime && !units ? { LastDecreaseDateTime: new Date(table.LastDecreaseDateTime) } : {}),
    NumberOfDecreasesToday: units ? 0 : table.NumberOfDecreasesToday,
    ReadCapacityUnits: onDemand ? 0 : (units?.ReadCapacityUnits ?? table.ReadCapacityUnits),
    WriteCapacityUnits: onDemand ? 0 : (units?.WriteCapacityUnits ?? table.WriteCapacityUnits),
  };
}

const NO_STATISTICS: IndexStatistics = { itemCount: 0, sizeBytes: 0 };

function globalIndexDescription(
  table: TableRecord,
  index: IndexRecord,
  state: { status: GlobalSecondaryIndexDescription['IndexStatus']; backfilling?: boolean },
  stats: IndexStatistics,
): GlobalSecondaryIndexDescription {
  const description: GlobalSecondaryIndexDescription = {
    IndexName: index.IndexName,
    KeySchema: index.KeySchema,
    Projection: index.Projection,
    IndexStatus: state.status,
  };
  // Only indexes added by UpdateTable carry Backfilling, and only while they are being created.
  if (state.backfilling !== undefined) description.Backfilling = state.backfilling;
  description.ProvisionedThroughput = throughputDescription(table, index.ProvisionedThroughput ?? { ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
  description.IndexSizeBytes = stats.sizeBytes;
  description.ItemCount = stats.itemCount;
  description.IndexArn = indexArn(table, index.IndexName);
  return description;
}

export interface TableStatistics {
  itemCount: number;
  sizeBytes: number;
  /** Per secondary index name; indexes missing here report 0. */
  indexes?: Map<string, IndexStatistics>;
}

/**
 * The TableDescription at `nowMs`. `answerStatus` is the status an operation's own answer shows
 * (CreateTable's CREATING, UpdateTable's UPDATING, DeleteTable's DELETING) whatever the timings.
 */
export function describeTable(table: TableRecord, stats: TableStatistics, nowMs: number, answerStatus?: TableStatus): TableDescription {
  const computed = tableStatusAt(table, nowMs);
  const status: TableStatus = answerStatus ?? (computed === 'GONE' ? 'DELETING' : computed);
  const indexStats = (name: string) => stats.indexes?.get(name) ?? NO_STATISTICS;
  const description: TableDescription = {
    AttributeDefinitions: table.AttributeDefinitions,
    TableName: table.TableName,
    KeySchema: table.KeySchema,
    TableStatus: status,
    CreationDateTime: new Date(table.CreationDateTime),
    ProvisionedThroughput: throughputDescription(table),
    TableSizeBytes: stats.sizeBytes,
    ItemCount: stats.itemCount,
    TableArn: table.TableArn,
    TableId: table.TableId,
    DeletionProtectionEnabled: table.DeletionProtectionEnabled,
  };
  if (table.BillingMode === 'PAY_PER_REQUEST' || table.LastUpdateToPayPerRequestDateTime) {
    description.BillingModeSummary = {
      BillingMode: table.BillingMode,
      LastUpdateToPayPerRequestDateTime: new Date(table.LastUpdateToPayPerRequestDateTime ?? table.CreationDateTime),
    };
  }
  if (table.LocalSecondaryIndexes) {
    description.LocalSecondaryIndexes = table.LocalSecondaryIndexes.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      IndexSizeBytes: indexStats(index.IndexName).sizeBytes,
      ItemCount: indexStats(index.IndexName).itemCount,
      IndexArn: indexArn(table, index.IndexName),
    }));
  }
  const globals = [
    // Indexes created with the table are CREATING while the table is.
    ...(table.GlobalSecondaryIndexes ?? []).map((index) => {
      const state = status === 'CREATING' ? { status: 'CREATING' as const } : globalIndexState(index, nowMs);
      return globalIndexDescription(table, index, state, indexStats(index.IndexName));
    }),
    ...deletingIndexes(table, nowMs).map((index) => globalIndexDescription(table, index, { status: 'DELETING' }, NO_STATISTICS)),
  ];
  if (globals.length) description.GlobalSecondaryIndexes = globals;
  if (table.StreamSpecification?.StreamEnabled) {
    description.StreamSpecification = table.StreamSpecification as TableDescription['StreamSpecification'];
  }
  if (table.LatestStreamLabel) {
    description.LatestStreamLabel = table.LatestStreamLabel;
    description.LatestStreamArn = `${table.TableArn}/stream/${table.LatestStreamLabel}`;
  }
  if (table.KmsKeyArn) description.SSEDescription = { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: table.KmsKeyArn };
  if (table.TableClass) description.TableClassSummary = { TableClass: table.TableClass as 'STANDARD' };
  return description;
}

async function statisticsOf(db: DocOps, ctx: RequestContext, table: TableRecord): Promise<TableStatistics> {
  const loc = locationOf(ctx, table.TableName);
  const stats = await tableStatistics(db, loc);
  return { ...stats, indexes: await indexStatistics(db, loc, table, tableKeySchema(table)) };
}

async function describe(db: DocOps, ctx: RequestContext, table: TableRecord, answerStatus?: TableStatus) {
  return describeTable(table, await statisticsOf(db, ctx, table), ctx.clock.nowMs(), answerStatus);
}

// ---------------------------------------------------------------------------------------------
// Refusals while a table changes

function inUse(detail: string): Error {
  return new ResourceInUseException(`Attempt to change a resource which is still in use: ${detail}`);
}

function tableBeingCreated(name: string): Error {
  return inUse(`Table is being created: ${name}`);
}

function tableBeingDeleted(name: string): Error {
  return inUse(`Table is being deleted: ${name}`);
}

// ---------------------------------------------------------------------------------------------
// CreateTable, DescribeTable, ListTables

function indexRecord(index: LocalSecondaryIndex | GlobalSecondaryIndex): IndexRecord {
  const record: IndexRecord = { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection };
  const throughput = (index as GlobalSecondaryIndex).ProvisionedThroughput;
  if (throughput) record.ProvisionedThroughput = { ReadCapacityUnits: throughput.ReadCapacityUnits, WriteCapacityUnits: throughput.WriteCapacityUnits };
  return record;
}

/** DynamoDB's stream labels are the creation time without a zone: 2024-01-31T12:00:00.000. */
function streamLabel(now: Date): string {
  return now.toISOString().replace('Z', '');
}

export async function createTable(ctx: RequestContext, input: CreateTableInput) {
  checkCreateTable(input);
  const now = ctx.clock.now();
  const onDemand = input.BillingMode === 'PAY_PER_REQUEST';
  const record: TableRecord = {
    TableName: input.TableName,
    TableId: randomUUID(),
    TableArn: tableArn(ctx, input.TableName),
    KeySchema: input.KeySchema,
    AttributeDefinitions: input.AttributeDefinitions,
    CreationDateTime: now.toISOString(),
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ReadCapacityUnits: input.ProvisionedThroughput?.ReadCapacityUnits ?? 0,
    WriteCapacityUnits: input.ProvisionedThroughput?.WriteCapacityUnits ?? 0,
    NumberOfDecreasesToday: 0,
    DeletionProtectionEnabled: input.DeletionProtectionEnabled ?? false,
    Tags: input.Tags ?? [],
    Transition: { status: 'CREATING', until: now.getTime() + timings.tableCreatingMs },
  };
  if (onDemand) record.LastUpdateToPayPerRequestDateTime = now.toISOString();
  if (input.LocalSecondaryIndexes) record.LocalSecondaryIndexes = input.LocalSecondaryIndexes.map(indexRecord);
  if (input.GlobalSecondaryIndexes) record.GlobalSecondaryIndexes = input.GlobalSecondaryIndexes.map(indexRecord);
  if (input.StreamSpecification?.StreamEnabled) {
    record.StreamSpecification = { StreamEnabled: true, StreamViewType: input.StreamSpecification.StreamViewType };
    record.LatestStreamLabel = streamLabel(now);
  }
  if (input.SSESpecification?.Enabled) record.KmsKeyArn = kmsKeyArn(ctx, input.SSESpecification.KMSMasterKeyId);
  if (input.TableClass) record.TableClass = input.TableClass;
  await changingTable(ctx, input.TableName, async (tx) => {
    const existing = await readTableDocument(tx, ctx, input.TableName);
    const existingStatus = existing && tableStatusAt(existing, now.getTime());
    if (existingStatus === 'CREATING') throw tableBeingCreated(input.TableName);
    if (existingStatus && existingStatus !== 'GONE') throw tableAlreadyExists(input.TableName);
    await tx.put(docKey(ctx, input.TableName), record);
    // Items of an earlier table with this name are removed with it; this guards against leftovers.
    await removeAllItems(tx, locationOf(ctx, input.TableName));
  });
  return { TableDescription: describeTable(record, { itemCount: 0, sizeBytes: 0 }, now.getTime(), 'CREATING') };
}

function kmsKeyArn(ctx: RequestContext, keyId: string | undefined): string {
  return keyId?.startsWith('arn:') ? keyId : `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${keyId ?? randomUUID()}`;
}

export async function describeTableOp(ctx: RequestContext, input: DescribeTableInput) {
  const table = await readTableDocument(ctx.store, ctx, input.TableName);
  if (!table || tableStatusAt(table, ctx.clock.nowMs()) === 'GONE') throw namedTableNotFound(input.TableName);
  return { Table: await describe(ctx.store, ctx, table) };
}

/** Table names in order, DELETING tables included (as on AWS) and deleted ones left out. */
export async function listTables(ctx: RequestContext, input: ListTablesInput) {
  const limit = input.Limit ?? 100;
  const nowMs = ctx.clock.nowMs();
  const names: string[] = [];
  let after = input.ExclusiveStartTableName;
  let more = true;
  while (more && names.length <= limit) {
    const docs = await ctx.store.list<TableRecord>({ kind: TABLE_KIND, account: ctx.accountId, region: ctx.region, after, limit: limit + 1 });
    for (const doc of docs) if (tableStatusAt(doc.value, nowMs) !== 'GONE') names.push(doc.key.id);
    more = docs.length === limit + 1;
    after = docs[docs.length - 1]?.key.id;
  }
  const page = names.slice(0, limit);
  return names.length > limit ? { TableNames: page, LastEvaluatedTableName: page[page.length - 1] } : { TableNames: page };
}

// ---------------------------------------------------------------------------------------------
// DeleteTable

export async function deleteTable(ctx: RequestContext, input: DeleteTableInput) {
  return changingTable(ctx, input.TableName, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const table = await readTableDocument(tx, ctx, input.TableName);
    const status = table && tableStatusAt(table, nowMs);
    if (!table || status === 'GONE') throw namedTableNotFound(input.TableName);
    if (status === 'CREATING') throw tableBeingCreated(input.TableName);
    if (status === 'DELETING') throw tableBeingDeleted(input.TableName);
    if (status === 'UPDATING') throw inUse(`Table: ${input.TableName} is in the process of being updated.`);
    const busy = indexesInTransition(table, nowMs);
    if (busy.creating.length || busy.updating.length || busy.deleting.length) {
      throw inUse('Cannot delete table while indexes are being created, updated, or deleted.');
    }
    if (table.DeletionProtectionEnabled) {
      throw validation('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
    }
    const description = await describe(tx, ctx, table, 'DELETING');
    await removeAllItems(tx, locationOf(ctx, input.TableName));
    if (timings.tableDeletingMs > 0) {
      await tx.put(docKey(ctx, input.TableName), { ...table, GoneAt: nowMs + timings.tableDeletingMs });
    } else {
      await tx.delete(docKey(ctx, input.TableName));
    }
    return { TableDescription: description };
  });
}

// ---------------------------------------------------------------------------------------------
// UpdateTable

const NOTHING_TO_UPDATE =
  'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, ' +
  'MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required';

/** The members that make an UpdateTable do something (AttributeDefinitions alone does not). */
function changesAsked(input: UpdateTableInput): string[] {
  const members = ['ProvisionedThroughput', 'BillingMode', 'StreamSpecification', 'GlobalSecondaryIndexUpdates', 'SSESpecification', 'DeletionProtectionEnabled', 'TableClass'] as const;
  return members.filter((m) => input[m] !== undefined);
}

/** Checks that need only the request, in DynamoDB's order, before the table is read. */
export function checkUpdateTable(input: UpdateTableInput): void {
  const asked = changesAsked(input);
  if (asked.length === 0) throw validation(NOTHING_TO_UPDATE);
  // These settings change alone.
  if (input.DeletionProtectionEnabled !== undefined && asked.length > 1) {
    throw invalidParameter('DeletionProtection modification must be the only operation in the request');
  }
  if (input.TableClass !== undefined && asked.length > 1) throw invalidParameter('TableClass modification must be the only operation in the request');
  if (input.SSESpecification !== undefined && asked.length > 1) {
    throw invalidParameter('Server-Side Encryption modification must be the only operation in the request');
  }
  if (input.BillingMode === 'PROVISIONED' && !input.ProvisionedThroughput) {
    throw invalidParameter('ProvisionedThroughput must be specified when BillingMode is PROVISIONED');
  }
  if (input.ProvisionedThroughput) checkUnitBounds(input.ProvisionedThroughput.ReadCapacityUnits, input.ProvisionedThroughput.WriteCapacityUnits);
  const stream = input.StreamSpecification;
  if (stream?.StreamEnabled && !stream.StreamViewType) throw invalidParameter('If stream is being enabled then UpdateViewType is required');
  if (stream && !stream.StreamEnabled && stream.StreamViewType) {
    throw invalidParameter('If stream is being disabled, then UpdateViewType must not be specified');
  }
  checkGlobalIndexUpdatesShape(input);
}

/** A table that is not ACTIVE refuses UpdateTable, worded by what it is busy with. */
function refuseUnlessActive(table: TableRecord, status: TableStatus, input: UpdateTableInput): void {
  const name = table.TableName;
  if (status === 'CREATING') throw tableBeingCreated(name);
  if (status === 'DELETING') throw tableBeingDeleted(name);
  if (status !== 'UPDATING') return;
  const transition = table.Transition!;
  if (transition.reason === 'iops') throw inUse(`Table IOPS are currently being updated. Table: ${name}`);
  if (transition.reason === 'stream') {
    throw inUse(`A stream status change is currently in progress. Table: ${name} Stream: ${table.LatestStreamLabel} Operation: ${transition.streamOperation}`);
  }
  // While a new index is allocated, index requests get the index rules' answers (indexes.ts).
  const onlyIndexUpdates = changesAsked(input).every((m) => m === 'GlobalSecondaryIndexUpdates');
  if (transition.reason === 'index' && onlyIndexUpdates) return;
  throw inUse(`Table is being updated: ${name}`);
}

/** Throughput and stream changes wait for index creations and deletions to finish. */
function refuseWhileIndexesChange(table: TableRecord, input: UpdateTableInput, nowMs: number): void {
  const busy = indexesInTransition(table, nowMs);
  const iops = input.ProvisionedThroughput !== undefined || (input.BillingMode !== undefined && input.BillingMode !== table.BillingMode);
  const what = iops ? "Can't change table IOPS" : input.StreamSpecification ? "Can't change stream status" : undefined;
  if (!what) return;
  if (busy.creating.length) throw inUse(`${what} when an index is being created. Table: ${table.TableName} Indexes: [${busy.creating.join(', ')}]`);
  if (busy.deleting.length) throw inUse(`${what} when an index is being deleted. Table: ${table.TableName} Indexes: [${busy.deleting.join(', ')}]`);
}

function applyBillingAndThroughput(table: TableRecord, updated: TableRecord, input: UpdateTableInput, nowIso: string): boolean {
  const switching = input.BillingMode !== undefined && input.BillingMode !== table.BillingMode;
  if (input.ProvisionedThroughput && (input.BillingMode ?? table.BillingMode) === 'PAY_PER_REQUEST') {
    throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
  }
  if (switching && input.BillingMode === 'PROVISIONED') {
    // Every GSI needs its own throughput in the same request.
    const given = new Set((input.GlobalSecondaryIndexUpdates ?? []).filter((u) => u.Update?.ProvisionedThroughput).map((u) => u.Update!.IndexName));
    const missing = (table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).filter((n) => !given.has(n));
    if (missing.length) throw invalidParameter(`ProvisionedThroughput must be specified for index: ${missing.join(',')}`);
  }
  if (switching) {
    updated.BillingMode = input.BillingMode!;
    if (input.BillingMode === 'PAY_PER_REQUEST') updated.LastUpdateToPayPerRequestDateTime = nowIso;
  }
  const throughput = input.ProvisionedThroughput;
  if (!throughput) return switching;
  const { ReadCapacityUnits: read, WriteCapacityUnits: write } = throughput;
  if (!switching && read === table.ReadCapacityUnits && write === table.WriteCapacityUnits) {
    throw validation(
      `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${read}. Requested ReadCapacityUnits: ${read}. Current WriteCapacityUnits provisioned for the table: ${write}. Requested WriteCapacityUnits: ${write}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
    );
  }
  if (!switching) {
    if (read > table.ReadCapacityUnits || write > table.WriteCapacityUnits) updated.LastIncreaseDateTime = nowIso;
    if (read < table.ReadCapacityUnits || write < table.WriteCapacityUnits) {
      updated.LastDecreaseDateTime = nowIso;
      updated.NumberOfDecreasesToday = table.NumberOfDecreasesToday + 1;
    }
  }
  updated.ReadCapacityUnits = read;
  updated.WriteCapacityUnits = write;
  return true;
}

/** Enables or disables the stream; returns the operation for the UPDATING period's wording. */
function applyStream(table: TableRecord, updated: TableRecord, input: UpdateTableInput, now: Date): 'ENABLE' | 'DISABLE' | undefined {
  const stream = input.StreamSpecification;
  if (!stream) return undefined;
  const enabled = table.StreamSpecification?.StreamEnabled === true;
  if (stream.StreamEnabled) {
    if (enabled) throw validation(`Table already has an enabled stream: TableName: ${table.TableName}`);
    updated.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.StreamViewType };
    updated.LatestStreamLabel = streamLabel(now);
    return 'ENABLE';
  }
  if (!enabled) throw validation(`Table has no stream to disable: TableName: ${table.TableName}`);
  updated.StreamSpecification = undefined;
  return 'DISABLE';
}

export async function updateTable(ctx: RequestContext, input: UpdateTableInput) {
  checkUpdateTable(input);
  return changingTable(ctx, input.TableName, async (tx) => {
    const now = ctx.clock.now();
    const nowMs = now.getTime();
    const table = await readTableDocument(tx, ctx, input.TableName);
    const status = table && tableStatusAt(table, nowMs);
    if (!table || status === 'GONE') throw namedTableNotFound(input.TableName);
    refuseUnlessActive(table, status!, input);
    refuseWhileIndexesChange(table, input, nowMs);

    const updated: TableRecord = { ...table, Transition: undefined };
    const iops = applyBillingAndThroughput(table, updated, input, now.toISOString());
    const streamOperation = applyStream(table, updated, input, now);
    if (input.DeletionProtectionEnabled !== undefined) updated.DeletionProtectionEnabled = input.DeletionProtectionEnabled;
    if (input.TableClass) updated.TableClass = input.TableClass;
    if (input.SSESpecification) updated.KmsKeyArn = input.SSESpecification.Enabled ? kmsKeyArn(ctx, input.SSESpecification.KMSMasterKeyId) : undefined;
    const indexes = input.GlobalSecondaryIndexUpdates
      ? applyGlobalIndexUpdates(updated, input, { nowMs, timings, checks: { keySchema: checkKeySchemaShape, projection: checkProjection } })
      : undefined;

    updated.Transition = updatingPeriod(updated, nowMs, { iops, streamOperation, indexes });
    await tx.put(docKey(ctx, input.TableName), updated);
    return { TableDescription: await describe(tx, ctx, updated, 'UPDATING') };
  });
}

/** How long the table stays UPDATING after this change, and why. */
function updatingPeriod(
  updated: TableRecord,
  nowMs: number,
  change: { iops: boolean; streamOperation?: 'ENABLE' | 'DISABLE'; indexes?: { created: boolean; deleted: boolean; updated: boolean } },
): TableTransition {
  if (change.indexes?.created) {
    // The table is UPDATING while the new index's resources are allocated, ACTIVE while it backfills.
    const created = updated.GlobalSecondaryIndexes!.find((i) => i.Transition?.kind === 'create' && i.Transition.backfillAt! > nowMs);
    return { status: 'UPDATING', until: created?.Transition?.backfillAt ?? nowMs + timings.indexAllocationMs, reason: 'index' };
  }
  if (change.indexes?.deleted) return { status: 'UPDATING', until: nowMs + timings.tableUpdatingMs, reason: 'index' };
  if (change.streamOperation) return { status: 'UPDATING', until: nowMs + timings.tableUpdatingMs, reason: 'stream', streamOperation: change.streamOperation };
  if (change.iops) return { status: 'UPDATING', until: nowMs + timings.tableUpdatingMs, reason: 'iops' };
  if (change.indexes?.updated) return { status: 'UPDATING', until: nowMs + timings.indexUpdatingMs, reason: 'iops' };
  return { status: 'UPDATING', until: nowMs + timings.tableUpdatingMs, reason: 'other' };
}

// ---------------------------------------------------------------------------------------------
// DescribeLimits, DescribeEndpoints

export function describeLimits() {
  return {
    AccountMaxReadCapacityUnits: 80000,
    AccountMaxWriteCapacityUnits: 80000,
    TableMaxReadCapacityUnits: 40000,
    TableMaxWriteCapacityUnits: 40000,
  };
}

export function describeEndpoints(ctx: RequestContext) {
  return { Endpoints: [{ Address: `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: 1440 }] };
}
