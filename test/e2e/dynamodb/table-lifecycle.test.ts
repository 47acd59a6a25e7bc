// DynamoDB table and index lifecycles end to end with SDK v3: statuses that follow Bonsai's clock
// (CREATING, UPDATING, DELETING; a GSI's allocation and backfill), the refusals while a table
// changes, GSI limits, stream and billing changes, index statistics and item collection metrics.
// The periods are lengthened for this process so that no step depends on how fast the machine is;
// time moves only with bonsai.clock.advance().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  DeleteTableCommand,
  ListTablesCommand,
  UpdateTableCommand,
  PutItemCommand,
  DeleteItemCommand,
  BatchWriteItemCommand,
  QueryCommand,
  type GlobalSecondaryIndexUpdate,
} from '@aws-sdk/client-dynamodb';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { setLifecycleTimings, LIFECYCLE_TIMINGS } from '../../../src/services/dynamodb/tables.ts';

const SECOND = 1000;
let bonsai: TestBonsai;
let db: DynamoDBClient;

before(async () => {
  setLifecycleTimings({
    tableCreatingMs: 5 * SECOND,
    tableUpdatingMs: 5 * SECOND,
    tableDeletingMs: 5 * SECOND,
    indexAllocationMs: 30 * SECOND,
    indexBackfillMs: 60 * SECOND,
    indexUpdatingMs: 5 * SECOND,
    indexDeletingMs: 5 * SECOND,
  });
  bonsai = await startTestBonsai();
  db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: TEST_ACCOUNT });
});
after(async () => {
  await bonsai.stop();
});

async function status(table: string): Promise<string | undefined> {
  return (await db.send(new DescribeTableCommand({ TableName: table }))).Table!.TableStatus;
}

async function createAndWait(input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void> {
  await db.send(new CreateTableCommand(input));
  bonsai.clock.advance(5 * SECOND);
}

function inUse(detail: string) {
  return { name: 'ResourceInUseException', message: `Attempt to change a resource which is still in use: ${detail}`, status: 400 };
}

test('the default periods keep CreateTable and DeleteTable instant and UpdateTable brief', () => {
  assert.deepEqual(LIFECYCLE_TIMINGS, {
    tableCreatingMs: 0,
    tableUpdatingMs: 100,
    tableDeletingMs: 0,
    indexAllocationMs: 100,
    indexBackfillMs: 200,
    indexUpdatingMs: 100,
    indexDeletingMs: 100,
  });
});

test('CreateTable: CREATING until the clock passes the period; writes and changes are refused meanwhile', async () => {
  const created = await db.send(new CreateTableCommand({
    TableName: 'Orders',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  assert.equal(created.TableDescription!.TableStatus, 'CREATING');
  assert.equal(await status('Orders'), 'CREATING');
  assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, ['Orders']);

  assert.deepEqual(await failure(db.send(new PutItemCommand({ TableName: 'Orders', Item: { id: { S: 'o1' } } }))), {
    name: 'ResourceNotFoundException', message: 'Requested resource not found', status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Orders', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }))),
    inUse('Table is being created: Orders'));
  assert.deepEqual(await failure(db.send(new DeleteTableCommand({ TableName: 'Orders' }))), inUse('Table is being created: Orders'));
  assert.deepEqual(await failure(db.send(new CreateTableCommand({
    TableName: 'Orders',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }))), inUse('Table is being created: Orders'));

  bonsai.clock.advance(5 * SECOND);
  assert.equal(await status('Orders'), 'ACTIVE');
  await db.send(new PutItemCommand({ TableName: 'Orders', Item: { id: { S: 'o1' } } }));
});

test('DeleteTable: DELETING (listed, not writable, not re-creatable) until the period ends, then gone', async () => {
  const deleted = await db.send(new DeleteTableCommand({ TableName: 'Orders' }));
  assert.equal(deleted.TableDescription!.TableStatus, 'DELETING');
  assert.equal(deleted.TableDescription!.ItemCount, 1);
  assert.equal(await status('Orders'), 'DELETING');
  assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, ['Orders']);
  assert.deepEqual(await failure(db.send(new PutItemCommand({ TableName: 'Orders', Item: { id: { S: 'o2' } } }))), {
    name: 'ResourceNotFoundException', message: 'Requested resource not found', status: 400,
  });
  assert.deepEqual(await failure(db.send(new DeleteTableCommand({ TableName: 'Orders' }))), inUse('Table is being deleted: Orders'));
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Orders', DeletionProtectionEnabled: true }))), inUse('Table is being deleted: Orders'));
  assert.deepEqual(await failure(db.send(new CreateTableCommand({
    TableName: 'Orders',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }))), { name: 'ResourceInUseException', message: 'Table already exists: Orders', status: 400 });

  bonsai.clock.advance(5 * SECOND);
  assert.deepEqual(await failure(db.send(new DescribeTableCommand({ TableName: 'Orders' }))), {
    name: 'ResourceNotFoundException', message: 'Requested resource not found: Table: Orders not found', status: 400,
  });
  assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, []);
});

test('UpdateTable: throughput puts the table in UPDATING; a second change is refused until it is ACTIVE again', async () => {
  await createAndWait({
    TableName: 'Meters',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  });
  const updated = await db.send(new UpdateTableCommand({ TableName: 'Meters', ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 } }));
  assert.equal(updated.TableDescription!.TableStatus, 'UPDATING');
  assert.equal(updated.TableDescription!.ProvisionedThroughput!.ReadCapacityUnits, 10);
  assert.equal(await status('Meters'), 'UPDATING');
  // Items can be written while the table is UPDATING.
  await db.send(new PutItemCommand({ TableName: 'Meters', Item: { id: { S: 'm1' } } }));
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', ProvisionedThroughput: { ReadCapacityUnits: 20, WriteCapacityUnits: 5 } }))),
    inUse('Table IOPS are currently being updated. Table: Meters'));
  assert.deepEqual(await failure(db.send(new DeleteTableCommand({ TableName: 'Meters' }))), inUse('Table: Meters is in the process of being updated.'));

  bonsai.clock.advance(5 * SECOND);
  assert.equal(await status('Meters'), 'ACTIVE');
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 } }))), {
    name: 'ValidationException',
    message: 'The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: 10. Requested ReadCapacityUnits: 10. Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
    status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters' }))), {
    name: 'ValidationException',
    message: 'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required',
    status: 400,
  });
});

test('UpdateTable: billing mode switches both ways, and back to PROVISIONED needs throughput', async () => {
  const toOnDemand = await db.send(new UpdateTableCommand({ TableName: 'Meters', BillingMode: 'PAY_PER_REQUEST' }));
  assert.equal(toOnDemand.TableDescription!.BillingModeSummary!.BillingMode, 'PAY_PER_REQUEST');
  const switchedAt = toOnDemand.TableDescription!.BillingModeSummary!.LastUpdateToPayPerRequestDateTime!.getTime();
  assert.ok(Math.abs(switchedAt - bonsai.clock.nowMs()) < 2000, 'the switch is dated by Bonsai\'s clock');
  assert.deepEqual(toOnDemand.TableDescription!.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0, LastIncreaseDateTime: toOnDemand.TableDescription!.ProvisionedThroughput!.LastIncreaseDateTime });
  bonsai.clock.advance(5 * SECOND);
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', BillingMode: 'PROVISIONED' }))), {
    name: 'ValidationException',
    message: 'One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED',
    status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 } }))), {
    name: 'ValidationException',
    message: 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST',
    status: 400,
  });
  const back = await db.send(new UpdateTableCommand({ TableName: 'Meters', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } }));
  assert.equal(back.TableDescription!.BillingModeSummary!.BillingMode, 'PROVISIONED');
  assert.equal(back.TableDescription!.ProvisionedThroughput!.ReadCapacityUnits, 3);
  assert.equal(back.TableDescription!.ProvisionedThroughput!.WriteCapacityUnits, 4);
  bonsai.clock.advance(5 * SECOND);
});

test('UpdateTable: streams enable and disable once each way, with DynamoDB\'s refusals', async () => {
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', StreamSpecification: { StreamEnabled: false } }))), {
    name: 'ValidationException', message: 'Table has no stream to disable: TableName: Meters', status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', StreamSpecification: { StreamEnabled: true } }))), {
    name: 'ValidationException', message: 'One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required', status: 400,
  });
  const enabled = await db.send(new UpdateTableCommand({ TableName: 'Meters', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }));
  const label = enabled.TableDescription!.LatestStreamLabel!;
  assert.deepEqual(enabled.TableDescription!.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
  assert.equal(enabled.TableDescription!.LatestStreamArn, `arn:aws:dynamodb:us-east-1:${TEST_ACCOUNT.accountId}:table/Meters/stream/${label}`);
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', BillingMode: 'PAY_PER_REQUEST' }))),
    inUse(`A stream status change is currently in progress. Table: Meters Stream: ${label} Operation: ENABLE`));
  bonsai.clock.advance(5 * SECOND);
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Meters', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }))), {
    name: 'ValidationException', message: 'Table already has an enabled stream: TableName: Meters', status: 400,
  });
  const disabled = await db.send(new UpdateTableCommand({ TableName: 'Meters', StreamSpecification: { StreamEnabled: false } }));
  assert.equal(disabled.TableDescription!.StreamSpecification, undefined);
  assert.equal(disabled.TableDescription!.LatestStreamLabel, label, 'the last stream is still named after it is disabled');
  bonsai.clock.advance(5 * SECOND);
});

test('a GSI added to a table with items: allocation, backfill, then queryable with its own counts', async () => {
  await createAndWait({
    TableName: 'Music',
    KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' }, { AttributeName: 'Song', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'Artist', AttributeType: 'S' }, { AttributeName: 'Song', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  const songs = [['Nina', 'Sinnerman', 'Jazz'], ['Nina', 'Feeling Good', 'Soul'], ['Miles', 'So What', 'Jazz'], ['Miles', 'Untitled']];
  for (const [artist, song, genre] of songs) {
    await db.send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: artist! }, Song: { S: song! }, ...(genre ? { Genre: { S: genre } } : {}) } }));
  }
  const create: GlobalSecondaryIndexUpdate = {
    Create: { IndexName: 'ByGenre', KeySchema: [{ AttributeName: 'Genre', KeyType: 'HASH' }, { AttributeName: 'Song', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
  };
  const answer = await db.send(new UpdateTableCommand({
    TableName: 'Music',
    AttributeDefinitions: [{ AttributeName: 'Genre', AttributeType: 'S' }, { AttributeName: 'Song', AttributeType: 'S' }],
    GlobalSecondaryIndexUpdates: [create],
  }));
  assert.equal(answer.TableDescription!.TableStatus, 'UPDATING');
  assert.deepEqual(answer.TableDescription!.AttributeDefinitions!.map((d) => d.AttributeName), ['Artist', 'Song', 'Genre']);
  const indexAt = async () => (await db.send(new DescribeTableCommand({ TableName: 'Music' }))).Table!;
  let table = await indexAt();
  assert.equal(table.TableStatus, 'UPDATING');
  assert.equal(table.GlobalSecondaryIndexes![0]!.IndexStatus, 'CREATING');
  assert.equal(table.GlobalSecondaryIndexes![0]!.Backfilling, false);
  const byGenre = new QueryCommand({ TableName: 'Music', IndexName: 'ByGenre', KeyConditionExpression: 'Genre = :g', ExpressionAttributeValues: { ':g': { S: 'Jazz' } } });
  assert.deepEqual(await failure(db.send(byGenre)), {
    name: 'ValidationException', message: 'Cannot read from backfilling global secondary index: ByGenre', status: 400,
  });
  // While resources are allocated, the index cannot be dropped and no other index can start.
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Music', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ByGenre' } }] }))),
    inUse('Index creation is in resource allocation phase. Retry deletion during backfilling phase or when the index is active. Table: Music Index: ByGenre'));
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({
    TableName: 'Music',
    AttributeDefinitions: [{ AttributeName: 'Year', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'ByYear', KeySchema: [{ AttributeName: 'Year', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
  }))), { name: 'LimitExceededException', message: 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table', status: 400 });

  bonsai.clock.advance(30 * SECOND);
  table = await indexAt();
  assert.equal(table.TableStatus, 'ACTIVE');
  assert.equal(table.GlobalSecondaryIndexes![0]!.IndexStatus, 'CREATING');
  assert.equal(table.GlobalSecondaryIndexes![0]!.Backfilling, true);
  assert.deepEqual(await failure(db.send(new DeleteTableCommand({ TableName: 'Music' }))), inUse('Cannot delete table while indexes are being created, updated, or deleted.'));

  bonsai.clock.advance(60 * SECOND);
  table = await indexAt();
  const index = table.GlobalSecondaryIndexes![0]!;
  assert.equal(index.IndexStatus, 'ACTIVE');
  assert.equal(index.Backfilling, undefined);
  assert.equal(index.ItemCount, 3, 'the item without Genre is not in the sparse index');
  // KEYS_ONLY: Artist+Song+Genre of each item.
  assert.equal(index.IndexSizeBytes, (6 + 4 + 4 + 9 + 5 + 4) + (6 + 4 + 4 + 12 + 5 + 4) + (6 + 5 + 4 + 7 + 5 + 4));
  const jazz = await db.send(byGenre);
  assert.deepEqual(jazz.Items, [
    { Artist: { S: 'Nina' }, Song: { S: 'Sinnerman' }, Genre: { S: 'Jazz' } },
    { Artist: { S: 'Miles' }, Song: { S: 'So What' }, Genre: { S: 'Jazz' } },
  ]);
  // Existing and new items alike.
  await db.send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'Ella' }, Song: { S: 'Summertime' }, Genre: { S: 'Jazz' } } }));
  assert.equal((await db.send(byGenre)).Count, 3);
});

test('GSI creation refusals: duplicates, missing definitions, two at once, and the 20-index limit', async () => {
  const byGenre = { IndexName: 'ByGenre', KeySchema: [{ AttributeName: 'Genre', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } };
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Music', AttributeDefinitions: [{ AttributeName: 'Genre', AttributeType: 'S' }], GlobalSecondaryIndexUpdates: [{ Create: byGenre }] }))), {
    name: 'ValidationException', message: 'Attempting to create an index which already exists', status: 400,
  });
  const byYear = { IndexName: 'ByYear', KeySchema: [{ AttributeName: 'Year', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'ALL' as const } };
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Music', GlobalSecondaryIndexUpdates: [{ Create: byYear }] }))), {
    name: 'ValidationException', message: 'One or more parameter values were invalid: AttributeDefinitions is not specified for index: ByYear', status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({
    TableName: 'Music',
    AttributeDefinitions: [{ AttributeName: 'Year', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: byYear }, { Delete: { IndexName: 'ByGenre' } }],
  }))), { name: 'LimitExceededException', message: 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table', status: 400 });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({
    TableName: 'Music',
    AttributeDefinitions: [{ AttributeName: 'Year', AttributeType: 'N' }],
    GlobalSecondaryIndexUpdates: [{ Create: byYear }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
  }))), { name: 'ValidationException', message: 'One or more parameter values were invalid: You cannot create or delete index while changing stream status', status: 400 });

  // A table created with 20 GSIs can take no more through UpdateTable.
  const names = Array.from({ length: 20 }, (_, i) => `gsi${String(i).padStart(2, '0')}`);
  await createAndWait({
    TableName: 'Wide',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'a', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: names.map((n) => ({ IndexName: n, KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'KEYS_ONLY' as const } })),
  });
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({
    TableName: 'Wide',
    AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }],
    GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'one-more', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
  }))), { name: 'LimitExceededException', message: 'Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20', status: 400 });
});

test('GSI Update changes throughput (UPDATING) and Delete leaves the index DELETING, then gone', async () => {
  await createAndWait({
    TableName: 'Stock',
    KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }, { AttributeName: 'shelf', AttributeType: 'S' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    GlobalSecondaryIndexes: [{ IndexName: 'ByShelf', KeySchema: [{ AttributeName: 'shelf', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }],
  });
  const sameThroughput = { Update: { IndexName: 'ByShelf', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } };
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Stock', GlobalSecondaryIndexUpdates: [sameThroughput] }))), {
    name: 'ValidationException',
    message: 'The provisioned throughput for the index ByShelf will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the index: 1. Requested ReadCapacityUnits: 1. Current WriteCapacityUnits provisioned for the index: 1. Requested WriteCapacityUnits: 1. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.',
    status: 400,
  });
  const raised = await db.send(new UpdateTableCommand({ TableName: 'Stock', GlobalSecondaryIndexUpdates: [{ Update: { IndexName: 'ByShelf', ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 } } }] }));
  const index = raised.TableDescription!.GlobalSecondaryIndexes![0]!;
  assert.equal(index.IndexStatus, 'UPDATING');
  assert.equal(index.Backfilling, undefined);
  assert.deepEqual([index.ProvisionedThroughput!.ReadCapacityUnits, index.ProvisionedThroughput!.WriteCapacityUnits], [2, 3]);
  bonsai.clock.advance(5 * SECOND);

  const deleted = await db.send(new UpdateTableCommand({ TableName: 'Stock', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ByShelf' } }] }));
  assert.equal(deleted.TableDescription!.GlobalSecondaryIndexes![0]!.IndexStatus, 'DELETING');
  assert.deepEqual(await failure(db.send(new QueryCommand({ TableName: 'Stock', IndexName: 'ByShelf', KeyConditionExpression: 'shelf = :s', ExpressionAttributeValues: { ':s': { S: 'A1' } } }))), {
    name: 'ValidationException', message: 'The table does not have the specified index: ByShelf', status: 400,
  });
  bonsai.clock.advance(5 * SECOND);
  assert.deepEqual(await failure(db.send(new UpdateTableCommand({ TableName: 'Stock', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'ByShelf' } }] }))), {
    name: 'ResourceNotFoundException', message: 'Requested resource not found: Index: ByShelf not found', status: 400,
  });
  assert.equal((await db.send(new DescribeTableCommand({ TableName: 'Stock' }))).Table!.GlobalSecondaryIndexes, undefined);
});

test('LSI counts in DescribeTable and ReturnItemCollectionMetrics SIZE on writes', async () => {
  await createAndWait({
    TableName: 'Threads',
    KeySchema: [{ AttributeName: 'forum', KeyType: 'HASH' }, { AttributeName: 'subject', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'forum', AttributeType: 'S' }, { AttributeName: 'subject', AttributeType: 'S' }, { AttributeName: 'posted', AttributeType: 'N' }],
    BillingMode: 'PAY_PER_REQUEST',
    LocalSecondaryIndexes: [{ IndexName: 'ByPosted', KeySchema: [{ AttributeName: 'forum', KeyType: 'HASH' }, { AttributeName: 'posted', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
  });
  const put = await db.send(new PutItemCommand({
    TableName: 'Threads',
    Item: { forum: { S: 'S3' }, subject: { S: 'a' }, posted: { N: '1' } },
    ReturnItemCollectionMetrics: 'SIZE',
  }));
  assert.deepEqual(put.ItemCollectionMetrics, { ItemCollectionKey: { forum: { S: 'S3' } }, SizeEstimateRangeGB: [0, 1] });
  const batch = await db.send(new BatchWriteItemCommand({
    RequestItems: { Threads: [{ PutRequest: { Item: { forum: { S: 'S3' }, subject: { S: 'b' } } } }, { PutRequest: { Item: { forum: { S: 'EC2' }, subject: { S: 'c' }, posted: { N: '2' } } } }] },
    ReturnItemCollectionMetrics: 'SIZE',
  }));
  assert.deepEqual(batch.ItemCollectionMetrics, {
    Threads: [
      { ItemCollectionKey: { forum: { S: 'S3' } }, SizeEstimateRangeGB: [0, 1] },
      { ItemCollectionKey: { forum: { S: 'EC2' } }, SizeEstimateRangeGB: [0, 1] },
    ],
  });
  const removed = await db.send(new DeleteItemCommand({ TableName: 'Threads', Key: { forum: { S: 'EC2' }, subject: { S: 'c' } }, ReturnItemCollectionMetrics: 'SIZE' }));
  assert.deepEqual(removed.ItemCollectionMetrics, { ItemCollectionKey: { forum: { S: 'EC2' } }, SizeEstimateRangeGB: [0, 1] });
  const plain = await db.send(new PutItemCommand({ TableName: 'Music', Item: { Artist: { S: 'X' }, Song: { S: 'Y' } }, ReturnItemCollectionMetrics: 'SIZE' }));
  assert.equal(plain.ItemCollectionMetrics, undefined, 'tables without LSIs report no item collection metrics');

  const table = (await db.send(new DescribeTableCommand({ TableName: 'Threads' }))).Table!;
  assert.equal(table.ItemCount, 2);
  const lsi = table.LocalSecondaryIndexes![0]!;
  assert.equal(lsi.ItemCount, 1, 'only the item with posted is in the LSI');
  // forum(5)+"S3"(2) + subject(7)+"a"(1) + posted(6)+1(2)
  assert.equal(lsi.IndexSizeBytes, 23);
});
