/**
 * Tables: their definitions as store documents (kind 'dynamodb:table', id = table name) and the
 * control-plane operations. A table is CREATING in CreateTable's answer and ACTIVE from then on
 * (Bonsai has nothing to provision); DeleteTable answers DELETING and the table is gone at once.
 * ItemCount and TableSizeBytes are live (AWS refreshes them about every six hours).
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type { DocOps } from '../../store/types.ts';
import type {
  AttributeDefinition,
  CreateTableInput,
  DeleteTableInput,
  DescribeTableInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
  ListTablesInput,
  LocalSecondaryIndex,
  Projection,
  TableDescription,
  Tag,
  UpdateTableInput,
} from '../../generated/dynamodb/types.ts';
import { ResourceInUseException, ResourceNotFoundException } from '../../generated/dynamodb/errors.ts';
import { invalidParameter, namedTableNotFound, tableAlreadyExists, tableNotFound, validation } from './errors.ts';
import { keySchemaOf, type KeySchema } from './keys.ts';
import { removeAllItems, tableStatistics, type TableLocation } from './item-store.ts';

export const TABLE_KIND = 'dynamodb:table';

export interface IndexRecord {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  /** GSIs of provisioned tables. */
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
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
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
  LatestStreamLabel?: string;
  KmsKeyArn?: string;
  TableClass?: string;
  DeletionProtectionEnabled: boolean;
  Tags: Tag[];
}

export function tableArn(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): string {
  return `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${tableName}`;
}

export function locationOf(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): TableLocation {
  return { account: ctx.accountId, region: ctx.region, table: tableName };
}

function docKey(ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string) {
  return { kind: TABLE_KIND, account: ctx.accountId, region: ctx.region, id: tableName };
}

export async function findTable(db: DocOps, ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): Promise<TableRecord | undefined> {
  return (await db.get<TableRecord>(docKey(ctx, tableName)))?.value;
}

/** The table for an item operation, or "Requested resource not found". */
export async function requireTable(db: DocOps, ctx: Pick<RequestContext, 'region' | 'accountId'>, tableName: string): Promise<TableRecord> {
  const table = await findTable(db, ctx, tableName);
  if (!table) throw tableNotFound();
  return table;
}

export function tableKeySchema(table: TableRecord): KeySchema {
  return keySchemaOf(table.KeySchema, table.AttributeDefinitions);
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

export function describeTable(
  table: TableRecord,
  stats: { itemCount: number; sizeBytes: number },
  status: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING' = 'ACTIVE',
): TableDescription {
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
      IndexSizeBytes: 0,
      ItemCount: 0,
      IndexArn: indexArn(table, index.IndexName),
    }));
  }
  if (table.GlobalSecondaryIndexes) {
    description.GlobalSecondaryIndexes = table.GlobalSecondaryIndexes.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
      IndexStatus: status === 'CREATING' ? 'CREATING' : 'ACTIVE',
      ProvisionedThroughput: throughputDescription(table, index.ProvisionedThroughput ?? { ReadCapacityUnits: 0, WriteCapacityUnits: 0 }),
      IndexSizeBytes: 0,
      ItemCount: 0,
      IndexArn: indexArn(table, index.IndexName),
    }));
  }
  if (table.StreamSpecification?.StreamEnabled && table.LatestStreamLabel) {
    description.StreamSpecification = table.StreamSpecification as TableDescription['StreamSpecification'];
    description.LatestStreamLabel = table.LatestStreamLabel;
    description.LatestStreamArn = `${table.TableArn}/stream/${table.LatestStreamLabel}`;
  }
  if (table.KmsKeyArn) description.SSEDescription = { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: table.KmsKeyArn };
  if (table.TableClass) description.TableClassSummary = { TableClass: table.TableClass as 'STANDARD' };
  return description;
}

async function describe(db: DocOps, ctx: RequestContext, table: TableRecord, status?: 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING') {
  return describeTable(table, await tableStatistics(db, locationOf(ctx, table.TableName)), status);
}

// ---------------------------------------------------------------------------------------------
// Operations

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
  };
  if (onDemand) record.LastUpdateToPayPerRequestDateTime = now.toISOString();
  if (input.LocalSecondaryIndexes) record.LocalSecondaryIndexes = input.LocalSecondaryIndexes.map(indexRecord);
  if (input.GlobalSecondaryIndexes) record.GlobalSecondaryIndexes = input.GlobalSecondaryIndexes.map(indexRecord);
  if (input.StreamSpecification?.StreamEnabled) {
    record.StreamSpecification = { StreamEnabled: true, StreamViewType: input.StreamSpecification.StreamViewType };
    record.LatestStreamLabel = streamLabel(now);
  }
  if (input.SSESpecification?.Enabled) {
    record.KmsKeyArn = input.SSESpecification.KMSMasterKeyId?.startsWith('arn:')
      ? input.SSESpecification.KMSMasterKeyId
      : `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${input.SSESpecification.KMSMasterKeyId ?? randomUUID()}`;
  }
  if (input.TableClass) record.TableClass = input.TableClass;
  await ctx.store.transaction(async (tx) => {
    if (await findTable(tx, ctx, input.TableName)) throw tableAlreadyExists(input.TableName);
    await tx.put(docKey(ctx, input.TableName), record);
    // Items of an earlier table with this name are removed with it; this guards against leftovers.
    await removeAllItems(tx, locationOf(ctx, input.TableName));
  });
  return { TableDescription: describeTable(record, { itemCount: 0, sizeBytes: 0 }, 'CREATING') };
}

export async function describeTableOp(ctx: RequestContext, input: DescribeTableInput) {
  const table = await findTable(ctx.store, ctx, input.TableName);
  if (!table) throw namedTableNotFound(input.TableName);
  return { Table: await describe(ctx.store, ctx, table) };
}

export async function listTables(ctx: RequestContext, input: ListTablesInput) {
  const limit = input.Limit ?? 100;
  const docs = await ctx.store.list<TableRecord>({
    kind: TABLE_KIND,
    account: ctx.accountId,
    region: ctx.region,
    after: input.ExclusiveStartTableName,
    limit: limit + 1,
  });
  const names = docs.slice(0, limit).map((d) => d.key.id);
  return docs.length > limit ? { TableNames: names, LastEvaluatedTableName: names[names.length - 1] } : { TableNames: names };
}

export async function deleteTable(ctx: RequestContext, input: DeleteTableInput) {
  return ctx.store.transaction(async (tx) => {
    const table = await findTable(tx, ctx, input.TableName);
    if (!table) throw namedTableNotFound(input.TableName);
    if (table.DeletionProtectionEnabled) {
      throw new ResourceInUseException('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
    }
    const description = await describe(tx, ctx, table, 'DELETING');
    await tx.delete(docKey(ctx, input.TableName));
    await removeAllItems(tx, locationOf(ctx, input.TableName));
    return { TableDescription: description };
  });
}

export async function updateTable(ctx: RequestContext, input: UpdateTableInput) {
  return ctx.store.transaction(async (tx) => {
    const table = await findTable(tx, ctx, input.TableName);
    if (!table) throw namedTableNotFound(input.TableName);
    const now = ctx.clock.now().toISOString();
    const updated: TableRecord = { ...table };
    let changed = false;
    if (input.BillingMode && input.BillingMode !== table.BillingMode) {
      if (input.BillingMode === 'PROVISIONED' && !input.ProvisionedThroughput) {
        throw invalidParameter('ProvisionedThroughput must be specified when BillingMode is PROVISIONED');
      }
      updated.BillingMode = input.BillingMode;
      updated.LastUpdateToPayPerRequestDateTime = now;
      changed = true;
    }
    if (input.ProvisionedThroughput) {
      if (updated.BillingMode === 'PAY_PER_REQUEST') {
        throw invalidParameter('Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
      }
      const { ReadCapacityUnits: read, WriteCapacityUnits: write } = input.ProvisionedThroughput;
      checkUnitBounds(read, write);
      if (table.BillingMode === 'PROVISIONED' && read === table.ReadCapacityUnits && write === table.WriteCapacityUnits && !input.BillingMode) {
        throw validation(
          `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${read}. Requested ReadCapacityUnits: ${read}. Current WriteCapacityUnits provisioned for the table: ${write}. Requested WriteCapacityUnits: ${write}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
        );
      }
      if (read > table.ReadCapacityUnits || write > table.WriteCapacityUnits) updated.LastIncreaseDateTime = now;
      if (read < table.ReadCapacityUnits || write < table.WriteCapacityUnits) {
        updated.LastDecreaseDateTime = now;
        updated.NumberOfDecreasesToday = table.NumberOfDecreasesToday + 1;
      }
      updated.ReadCapacityUnits = read;
      updated.WriteCapacityUnits = write;
      changed = true;
    }
    if (input.DeletionProtectionEnabled !== undefined) {
      updated.DeletionProtectionEnabled = input.DeletionProtectionEnabled;
      changed = true;
    }
    if (input.TableClass) {
      updated.TableClass = input.TableClass;
      changed = true;
    }
    if (input.StreamSpecification) {
      updated.StreamSpecification = input.StreamSpecification.StreamEnabled
        ? { StreamEnabled: true, StreamViewType: input.StreamSpecification.StreamViewType }
        : undefined;
      updated.LatestStreamLabel = input.StreamSpecification.StreamEnabled ? streamLabel(ctx.clock.now()) : table.LatestStreamLabel;
      changed = true;
    }
    if (input.GlobalSecondaryIndexUpdates) {
      applyGlobalIndexUpdates(updated, input);
      changed = true;
    }
    if (!changed) throw validation('At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required');
    await tx.put(docKey(ctx, input.TableName), updated);
    return { TableDescription: await describe(tx, ctx, updated, 'UPDATING') };
  });
}

function applyGlobalIndexUpdates(table: TableRecord, input: UpdateTableInput): void {
  let indexes = [...(table.GlobalSecondaryIndexes ?? [])];
  const definitions = [...table.AttributeDefinitions];
  for (const definition of input.AttributeDefinitions ?? []) {
    if (!definitions.some((d) => d.AttributeName === definition.AttributeName)) definitions.push(definition);
  }
  for (const update of input.GlobalSecondaryIndexUpdates ?? []) {
    if (update.Create) {
      const create = update.Create;
      if (indexes.some((i) => i.IndexName === create.IndexName) || table.LocalSecondaryIndexes?.some((i) => i.IndexName === create.IndexName)) {
        throw validation(`One or more parameter values were invalid: Duplicate index name: ${create.IndexName}`);
      }
      checkKeySchemaShape(create.KeySchema, definitions.map((d) => d.AttributeName));
      indexes.push(indexRecord(create as GlobalSecondaryIndex));
    } else if (update.Delete) {
      const name = update.Delete.IndexName;
      if (!indexes.some((i) => i.IndexName === name)) {
        throw new ResourceNotFoundException(`Requested resource not found: Index: ${name} not found`);
      }
      indexes = indexes.filter((i) => i.IndexName !== name);
    } else if (update.Update) {
      const target = indexes.find((i) => i.IndexName === update.Update!.IndexName);
      if (!target) throw new ResourceNotFoundException(`Requested resource not found: Index: ${update.Update.IndexName} not found`);
      if (update.Update.ProvisionedThroughput) {
        target.ProvisionedThroughput = {
          ReadCapacityUnits: update.Update.ProvisionedThroughput.ReadCapacityUnits,
          WriteCapacityUnits: update.Update.ProvisionedThroughput.WriteCapacityUnits,
        };
      }
    }
  }
  table.AttributeDefinitions = definitions;
  table.GlobalSecondaryIndexes = indexes.length ? indexes : undefined;
}

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
