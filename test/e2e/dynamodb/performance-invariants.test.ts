// What DynamoDB's performance work must not change, end to end with SDK v3: table changes are seen
// by the very next request (table records are cached per store), concurrent conditional writes
// that share one SQLite commit still succeed or fail one by one, and a store runs one TTL sweeper
// however many requests it serves.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  TagResourceCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';

let bonsai: TestBonsai;
let db: DynamoDBClient;

before(async () => {
  bonsai = await startTestBonsai();
  db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: TEST_ACCOUNT });
});
after(async () => {
  db.destroy();
  await bonsai.stop();
});

async function createTable(name: string, key: { name: string; type: 'S' | 'N' }): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: key.name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: key.name, AttributeType: key.type }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

test('a table deleted and created again with another key is used with its new key at once', async () => {
  await createTable('Reborn', { name: 'pk', type: 'S' });
  await db.send(new PutItemCommand({ TableName: 'Reborn', Item: { pk: { S: 'a' } } }));
  assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'Reborn', Key: { pk: { S: 'a' } } }))).Item, { pk: { S: 'a' } });
  await db.send(new DeleteTableCommand({ TableName: 'Reborn' }));
  assert.deepEqual(await failure(db.send(new GetItemCommand({ TableName: 'Reborn', Key: { pk: { S: 'a' } } }))), {
    name: 'ResourceNotFoundException',
    message: 'Requested resource not found',
    status: 400,
  });
  await createTable('Reborn', { name: 'id', type: 'N' });
  assert.deepEqual(await failure(db.send(new PutItemCommand({ TableName: 'Reborn', Item: { pk: { S: 'a' } } }))), {
    name: 'ValidationException',
    message: 'One or more parameter values were invalid: Missing the key id in the item',
    status: 400,
  });
  await db.send(new PutItemCommand({ TableName: 'Reborn', Item: { id: { N: '7' } } }));
  assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'Reborn', Key: { id: { N: '7' } } }))).Item, { id: { N: '7' } });
});

test('UpdateTable and tags are seen by the next DescribeTable and ListTagsOfResource', async () => {
  await createTable('Changing', { name: 'pk', type: 'S' });
  const before = (await db.send(new DescribeTableCommand({ TableName: 'Changing' }))).Table!;
  assert.equal(before.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
  await db.send(new UpdateTableCommand({ TableName: 'Changing', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } }));
  const after = (await db.send(new DescribeTableCommand({ TableName: 'Changing' }))).Table!;
  assert.equal(after.BillingModeSummary?.BillingMode, 'PROVISIONED');
  assert.deepEqual([after.ProvisionedThroughput?.ReadCapacityUnits, after.ProvisionedThroughput?.WriteCapacityUnits], [3, 4]);
  await db.send(new TagResourceCommand({ ResourceArn: before.TableArn, Tags: [{ Key: 'team', Value: 'directory' }] }));
  assert.deepEqual((await db.send(new ListTagsOfResourceCommand({ ResourceArn: before.TableArn }))).Tags, [{ Key: 'team', Value: 'directory' }]);
});

test('20 concurrent conditional puts of one key: exactly one creates it, 19 fail their condition', async () => {
  await createTable('Race', { name: 'pk', type: 'S' });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      db.send(new PutItemCommand({ TableName: 'Race', Item: { pk: { S: 'only' }, writer: { N: String(i) } }, ConditionExpression: 'attribute_not_exists(pk)' })),
    ),
  );
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(results.length - failed.length, 1);
  assert.equal(failed.length, 19);
  for (const f of failed) assert.deepEqual([f.reason.name, f.reason.message], ['ConditionalCheckFailedException', 'The conditional request failed']);
  const winner = results.findIndex((r) => r.status === 'fulfilled');
  const stored = await db.send(new GetItemCommand({ TableName: 'Race', Key: { pk: { S: 'only' } }, ConsistentRead: true }));
  assert.deepEqual(stored.Item, { pk: { S: 'only' }, writer: { N: String(winner) } });
});

test('a failed condition among concurrent puts rolls back only its own write', async () => {
  await createTable('Mixed', { name: 'pk', type: 'S' });
  await db.send(new PutItemCommand({ TableName: 'Mixed', Item: { pk: { S: 'taken' } } }));
  const puts = Array.from({ length: 10 }, (_, i) =>
    db.send(new PutItemCommand({ TableName: 'Mixed', Item: { pk: { S: `free-${i}` } }, ConditionExpression: 'attribute_not_exists(pk)' })),
  );
  const refused = failure(db.send(new PutItemCommand({ TableName: 'Mixed', Item: { pk: { S: 'taken' }, x: { S: 'new' } }, ConditionExpression: 'attribute_not_exists(pk)' })));
  await Promise.all(puts);
  assert.deepEqual(await refused, { name: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 });
  for (let i = 0; i < 10; i++) {
    assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'Mixed', Key: { pk: { S: `free-${i}` } } }))).Item, { pk: { S: `free-${i}` } });
  }
  assert.deepEqual((await db.send(new GetItemCommand({ TableName: 'Mixed', Key: { pk: { S: 'taken' } } }))).Item, { pk: { S: 'taken' } });
});

test('a Query page of stored items comes back whole and in order, with binaries and nested values', async () => {
  await db.send(
    new CreateTableCommand({
      TableName: 'Pages',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const item = (sk: number) => ({ pk: { S: 'p' }, sk: { N: String(sk) }, b: { B: Uint8Array.from([sk, 255]) }, m: { M: { l: { L: [{ S: `é${sk}` }, { BOOL: true }] } } } });
  for (const sk of [3, 1, 2]) await db.send(new PutItemCommand({ TableName: 'Pages', Item: item(sk) }));
  const page = await db.send(new QueryCommand({ TableName: 'Pages', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 2 }));
  assert.deepEqual(page.Items, [item(1), item(2)]);
  assert.deepEqual([page.Count, page.ScannedCount], [2, 2]);
  assert.deepEqual(page.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '2' } });
});

test('one TTL sweeper per store, however many requests it serves', async () => {
  for (let i = 0; i < 30; i++) await db.send(new ListTablesCommand({}));
  // Count the sweeps' reads of the TTL table over a little more than two sweep intervals.
  let sweeps = 0;
  const sql = bonsai.store.sql.bind(bonsai.store);
  bonsai.store.sql = ((text: string, params?: unknown[]) => {
    if (text.includes('FROM dynamodb_ttl WHERE enabled = 1')) sweeps++;
    return sql(text, params);
  }) as typeof bonsai.store.sql;
  try {
    await new Promise((resolve) => setTimeout(resolve, 2200));
  } finally {
    bonsai.store.sql = sql;
  }
  assert.ok(sweeps >= 1 && sweeps <= 3, `expected one sweep a second, got ${sweeps} in 2.2 s`);
});
