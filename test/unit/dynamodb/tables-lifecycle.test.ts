// Table and index lifecycles without a server: statuses computed from stored times, UpdateTable's
// request checks and GSI rules in DynamoDB's wording, descriptions and index projections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkUpdateTable,
  describeTable,
  LIFECYCLE_TIMINGS,
  tableStatusAt,
  type TableRecord,
} from '../../../src/services/dynamodb/tables.ts';
import {
  applyGlobalIndexUpdates,
  carriesKeys,
  checkIndexReadable,
  globalIndexState,
  indexesInTransition,
  projectIntoIndex,
} from '../../../src/services/dynamodb/indexes.ts';
import { keySchemaOf } from '../../../src/services/dynamodb/keys.ts';
import type { UpdateTableInput } from '../../../src/generated/dynamodb/types.ts';
import { thrown } from '../../helpers/sdk-errors.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const timings = { ...LIFECYCLE_TIMINGS, indexAllocationMs: 1000, indexBackfillMs: 2000, indexDeletingMs: 500, indexUpdatingMs: 300 };
const checks = { keySchema: () => {}, projection: () => {} };

function table(overrides: Partial<TableRecord> = {}): TableRecord {
  return {
    TableName: 'T',
    TableId: '00000000-0000-4000-8000-000000000000',
    TableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/T',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
    CreationDateTime: new Date(T0).toISOString(),
    BillingMode: 'PAY_PER_REQUEST',
    ReadCapacityUnits: 0,
    WriteCapacityUnits: 0,
    NumberOfDecreasesToday: 0,
    DeletionProtectionEnabled: false,
    Tags: [],
    ...overrides,
  };
}


function update(t: TableRecord, input: Omit<UpdateTableInput, 'TableName'>, nowMs: number) {
  return applyGlobalIndexUpdates(t, { TableName: t.TableName, ...input }, { nowMs, timings, checks });
}

const createG2: UpdateTableInput['GlobalSecondaryIndexUpdates'] = [
  { Create: { IndexName: 'g2', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } },
];

test('a table is CREATING or UPDATING until its transition ends, DELETING until GoneAt, then GONE', () => {
  const creating = table({ Transition: { status: 'CREATING', until: T0 + 100 } });
  assert.equal(tableStatusAt(creating, T0), 'CREATING');
  assert.equal(tableStatusAt(creating, T0 + 99), 'CREATING');
  assert.equal(tableStatusAt(creating, T0 + 100), 'ACTIVE');
  assert.equal(tableStatusAt(table({ Transition: { status: 'UPDATING', until: T0 + 5, reason: 'iops' } }), T0 + 4), 'UPDATING');
  const deleting = table({ GoneAt: T0 + 50 });
  assert.equal(tableStatusAt(deleting, T0 + 49), 'DELETING');
  assert.equal(tableStatusAt(deleting, T0 + 50), 'GONE');
});

test('UpdateTable request checks, in DynamoDB wording', () => {
  const base = { TableName: 'T' };
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })), {
    code: 'ValidationException',
    message: 'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, DeletionProtectionEnabled: true, BillingMode: 'PAY_PER_REQUEST' })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, TableClass: 'STANDARD', BillingMode: 'PAY_PER_REQUEST' })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: TableClass modification must be the only operation in the request',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, StreamSpecification: { StreamEnabled: false, StreamViewType: 'KEYS_ONLY' } })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, GlobalSecondaryIndexUpdates: [] })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, GlobalSecondaryIndexUpdates: [{}] })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'a' }, Update: { IndexName: 'a', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }] })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'a' } }, { Delete: { IndexName: 'a' } }] })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: a',
  });
  assert.deepEqual(thrown(() => checkUpdateTable({ ...base, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'a' } }], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } })), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: You cannot create or delete index while updating table IOPS',
  });
});

test('a GSI created by UpdateTable: allocation, backfill, ACTIVE; refusals in each phase', () => {
  const t = table();
  assert.deepEqual(update(t, { AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: createG2 }, T0), { created: true, deleted: false, updated: false });
  const index = t.GlobalSecondaryIndexes![0]!;
  assert.deepEqual(index.Transition, { kind: 'create', backfillAt: T0 + 1000, activeAt: T0 + 3000 });
  assert.deepEqual(globalIndexState(index, T0 + 999), { status: 'CREATING', backfilling: false });
  assert.deepEqual(globalIndexState(index, T0 + 1000), { status: 'CREATING', backfilling: true });
  assert.deepEqual(globalIndexState(index, T0 + 3000), { status: 'ACTIVE' });
  assert.deepEqual(indexesInTransition(t, T0 + 10), { creating: ['g2'], updating: [], deleting: [] });
  assert.deepEqual(thrown(() => checkIndexReadable(t, 'g2', T0 + 2999)), { code: 'ValidationException', message: 'Cannot read from backfilling global secondary index: g2' });
  checkIndexReadable(t, 'g2', T0 + 3000);

  assert.deepEqual(thrown(() => update(structuredClone(t), { GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'g2', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }] }, T0 + 10)), {
    code: 'ResourceInUseException', message: 'Attempt to change a resource which is still in use: Index is being created but is not backfilling yet.  Table: T Index: g2',
  });
  // Once backfilling, the index being created may be dropped: it is DELETING, then gone.
  const dropped = structuredClone(t);
  update(dropped, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'g2' } }] }, T0 + 1500);
  assert.equal(dropped.GlobalSecondaryIndexes, undefined);
  assert.deepEqual(dropped.DeletingGlobalSecondaryIndexes!.map((i) => [i.IndexName, i.goneAt]), [['g2', T0 + 2000]]);
  assert.deepEqual(thrown(() => update(structuredClone(dropped), { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'g2' } }] }, T0 + 1600)), {
    code: 'ResourceInUseException', message: 'Attempt to change a resource which is still in use: Index is being deleted. Table: T Index: g2',
  });
  assert.deepEqual(thrown(() => update(structuredClone(dropped), { AttributeDefinitions: [], GlobalSecondaryIndexUpdates: createG2 }, T0 + 1600)), {
    code: 'LimitExceededException', message: 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table',
  });
});

test('GSI rules that depend on the table: billing mode, LSIs, unknown indexes', () => {
  const provisioned = table({ BillingMode: 'PROVISIONED', ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
  assert.deepEqual(thrown(() => update(provisioned, { AttributeDefinitions: [], GlobalSecondaryIndexUpdates: createG2 }, T0)), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: ProvisionedThroughput must be specified for index: g2',
  });
  const withThroughput = [{ Create: { ...createG2![0]!.Create!, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }];
  assert.deepEqual(thrown(() => update(table(), { AttributeDefinitions: [], GlobalSecondaryIndexUpdates: withThroughput }, T0)), {
    code: 'ValidationException', message: 'One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: g2 when BillingMode is PAY_PER_REQUEST',
  });
  const withLocal = table({ LocalSecondaryIndexes: [{ IndexName: 'l1', KeySchema: [], Projection: { ProjectionType: 'ALL' } }] });
  assert.deepEqual(thrown(() => update(withLocal, { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'l1' } }] }, T0)), {
    code: 'ValidationException', message: 'Cannot delete an index that is not a GlobalSecondaryIndex: l1',
  });
  assert.deepEqual(thrown(() => update(table(), { GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'nope' } }] }, T0)), {
    code: 'ResourceNotFoundException', message: 'Requested resource not found: Index: nope not found',
  });
});

test('descriptions: Backfilling only while an UpdateTable index is created, DELETING indexes listed, index statistics', () => {
  const t = table({
    GlobalSecondaryIndexes: [
      { IndexName: 'old', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      { IndexName: 'new', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, Transition: { kind: 'create', backfillAt: T0 + 10, activeAt: T0 + 20 } },
    ],
    DeletingGlobalSecondaryIndexes: [{ IndexName: 'gone', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, goneAt: T0 + 5 }],
  });
  const stats = { itemCount: 3, sizeBytes: 30, indexes: new Map([['old', { itemCount: 2, sizeBytes: 12 }]]) };
  const summary = (nowMs: number) => describeTable(t, stats, nowMs).GlobalSecondaryIndexes!.map((i) => [i.IndexName, i.IndexStatus, i.Backfilling, i.ItemCount, i.IndexSizeBytes]);
  assert.deepEqual(summary(T0), [['old', 'ACTIVE', undefined, 2, 12], ['new', 'CREATING', false, 0, 0], ['gone', 'DELETING', undefined, 0, 0]]);
  assert.deepEqual(summary(T0 + 10), [['old', 'ACTIVE', undefined, 2, 12], ['new', 'CREATING', true, 0, 0]]);
  assert.deepEqual(summary(T0 + 20), [['old', 'ACTIVE', undefined, 2, 12], ['new', 'ACTIVE', undefined, 0, 0]]);
  // Indexes created with the table are CREATING with it, without Backfilling.
  const creating = describeTable({ ...t, Transition: { status: 'CREATING', until: T0 + 100 } }, stats, T0 + 50);
  assert.equal(creating.TableStatus, 'CREATING');
  assert.deepEqual(creating.GlobalSecondaryIndexes!.map((i) => [i.IndexStatus, i.Backfilling]), [['CREATING', undefined], ['CREATING', undefined]]);
  assert.equal(describeTable(t, stats, T0, 'UPDATING').TableStatus, 'UPDATING');
});

test('index projections keep both keys (and INCLUDE attributes); sparse indexes skip items without the keys', () => {
  const tableSchema = keySchemaOf([{ AttributeName: 'pk', KeyType: 'HASH' }], [{ AttributeName: 'pk', AttributeType: 'S' }]);
  const indexSchema = keySchemaOf([{ AttributeName: 'g', KeyType: 'HASH' }], [{ AttributeName: 'g', AttributeType: 'N' }]);
  const item = { pk: { S: 'a' }, g: { N: '1' }, x: { S: 'x' }, y: { S: 'y' } };
  assert.deepEqual(projectIntoIndex(tableSchema, indexSchema, { ProjectionType: 'KEYS_ONLY' }, item), { pk: { S: 'a' }, g: { N: '1' } });
  assert.deepEqual(projectIntoIndex(tableSchema, indexSchema, { ProjectionType: 'INCLUDE', NonKeyAttributes: ['y'] }, item), { pk: { S: 'a' }, g: { N: '1' }, y: { S: 'y' } });
  assert.equal(projectIntoIndex(tableSchema, indexSchema, { ProjectionType: 'ALL' }, item), item);
  assert.equal(carriesKeys(indexSchema, item), true);
  assert.equal(carriesKeys(indexSchema, { pk: { S: 'a' } }), false);
  assert.equal(carriesKeys(indexSchema, { pk: { S: 'a' }, g: { S: '1' } }), false, 'a key attribute of another type is not indexed');
});
