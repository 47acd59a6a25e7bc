// DynamoDB transactions, TTL and Streams end to end: SDK v3's DynamoDBClient for DynamoDB, and
// signed JSON requests (SignatureV4, as SDK clients sign) for the DynamoDB Streams API, whose SDK
// client is not installed. Time moves with bonsai.clock.advance(), never by sleeping, except for
// one check that the background TTL sweeper runs on its own.
import { test as nodeTest, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  DeleteItemCommand,
  BatchWriteItemCommand,
  TransactWriteItemsCommand,
  TransactGetItemsCommand,
  ExecuteStatementCommand,
  UpdateTimeToLiveCommand,
  DescribeTimeToLiveCommand,
  type StreamViewType,
  type TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/node-sha256.ts';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { startThrowawayPostgres } from '../../helpers/postgres.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { sweepExpiredItems } from '../../../src/services/dynamodb/ttl.ts';

const REGION = 'us-east-1';
const ACCOUNT = TEST_ACCOUNT.accountId;

let bonsai: TestBonsai;
let db: DynamoDBClient;

/** The same tests on each store back end: SQL and transaction behaviour differ between them. */
const BACKENDS: Array<[string, () => Promise<{ url?: string; stop(): Promise<void> }>]> = [
  ['sqlite', async () => ({ stop: async () => {} })],
  ['postgres', async () => startThrowawayPostgres()],
];
const tests: Array<[string, () => Promise<void>]> = [];
const test = (name: string, fn: () => Promise<void>) => tests.push([name, fn]);

async function createTable(name: string, streamViewType?: StreamViewType): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: streamViewType ? { StreamEnabled: true, StreamViewType: streamViewType } : undefined,
    }),
  );
}

async function getItem(table: string, id: string) {
  return (await db.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB Streams over signed JSON

interface StreamsAnswer {
  status: number;
  body: Record<string, any>;
}

async function streams(operation: string, input: Record<string, unknown>): Promise<StreamsAnswer> {
  const url = new URL(bonsai.endpoint);
  const signer = new SignatureV4({ service: 'dynamodb', region: REGION, sha256: NodeSha256, credentials: TEST_ACCOUNT });
  const body = JSON.stringify(input);
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
    },
    body,
  });
  const res = await fetch(`${bonsai.endpoint}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function ok(operation: string, input: Record<string, unknown>): Promise<Record<string, any>> {
  const answer = await streams(operation, input);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

async function streamArnOf(table: string): Promise<string> {
  return (await db.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
}

async function iterator(streamArn: string, type: string, sequenceNumber?: string): Promise<string> {
  const description = await ok('DescribeStream', { StreamArn: streamArn });
  const shardId = description.StreamDescription.Shards[0].ShardId as string;
  const out = await ok('GetShardIterator', { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber });
  return out.ShardIterator as string;
}

async function allRecords(table: string): Promise<Array<Record<string, any>>> {
  const out = await ok('GetRecords', { ShardIterator: await iterator(await streamArnOf(table), 'TRIM_HORIZON') });
  return out.Records;
}

// ---------------------------------------------------------------------------------------------
// Transactions

test('TransactWriteItems applies Put, Update, Delete and ConditionCheck together', async () => {
  await createTable('Bank');
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'alice' }, balance: { N: '100' } } }));
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'bob' }, balance: { N: '5' } } }));
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'old' }, balance: { N: '0' } } }));
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'audit' }, open: { BOOL: true } } }));

  const out = await db.send(
    new TransactWriteItemsCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { ConditionCheck: { TableName: 'Bank', Key: { id: { S: 'audit' } }, ConditionExpression: '#o = :t', ExpressionAttributeNames: { '#o': 'open' }, ExpressionAttributeValues: { ':t': { BOOL: true } } } },
        { Update: { TableName: 'Bank', Key: { id: { S: 'alice' } }, UpdateExpression: 'SET balance = balance - :a', ConditionExpression: 'balance >= :a', ExpressionAttributeValues: { ':a': { N: '30' } } } },
        { Update: { TableName: 'Bank', Key: { id: { S: 'bob' } }, UpdateExpression: 'SET balance = balance + :a', ExpressionAttributeValues: { ':a': { N: '30' } } } },
        { Put: { TableName: 'Bank', Item: { id: { S: 'carol' }, balance: { N: '1' } }, ConditionExpression: 'attribute_not_exists(id)' } },
        { Delete: { TableName: 'Bank', Key: { id: { S: 'old' } } } },
      ],
    }),
  );
  // Two write units per KB for each of the five actions.
  assert.deepEqual(out.ConsumedCapacity, [{ TableName: 'Bank', CapacityUnits: 10, WriteCapacityUnits: 10 }]);
  assert.deepEqual(await getItem('Bank', 'alice'), { id: { S: 'alice' }, balance: { N: '70' } });
  assert.deepEqual(await getItem('Bank', 'bob'), { id: { S: 'bob' }, balance: { N: '35' } });
  assert.deepEqual(await getItem('Bank', 'carol'), { id: { S: 'carol' }, balance: { N: '1' } });
  assert.equal(await getItem('Bank', 'old'), undefined);
});

test('a failed condition cancels the whole transaction with reasons in request order, and writes nothing', async () => {
  const attempt = db.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Bank', Item: { id: { S: 'dave' }, balance: { N: '9' } } } },
        {
          Update: {
            TableName: 'Bank',
            Key: { id: { S: 'bob' } },
            UpdateExpression: 'SET balance = balance - :a',
            ConditionExpression: 'balance >= :a',
            ExpressionAttributeValues: { ':a': { N: '1000' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        { ConditionCheck: { TableName: 'Bank', Key: { id: { S: 'nobody' } }, ConditionExpression: 'attribute_exists(id)' } },
      ],
    }),
  );
  let caught: TransactionCanceledException | undefined;
  try {
    await attempt;
  } catch (err) {
    caught = err as TransactionCanceledException;
  }
  assert.ok(caught, 'the transaction must fail');
  assert.equal(caught.name, 'TransactionCanceledException');
  assert.equal(caught.$metadata.httpStatusCode, 400);
  assert.equal(caught.message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]');
  assert.deepEqual(caught.CancellationReasons, [
    { Code: 'None' },
    { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: { S: 'bob' }, balance: { N: '35' } } },
    { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
  ]);
  assert.equal(await getItem('Bank', 'dave'), undefined);
  assert.deepEqual(await getItem('Bank', 'bob'), { id: { S: 'bob' }, balance: { N: '35' } });
});

test('two actions on one item, or an action on a missing table, fail validation before anything runs', async () => {
  assert.deepEqual(
    await failure(db.send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'Bank', Item: { id: { S: 'erin' } } } },
        { Delete: { TableName: 'Bank', Key: { id: { S: 'erin' } } } },
      ],
    }))),
    { name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item', status: 400 },
  );
  assert.deepEqual(
    await failure(db.send(new TransactGetItemsCommand({
      TransactItems: [{ Get: { TableName: 'Bank', Key: { id: { S: 'bob' } } } }, { Get: { TableName: 'Bank', Key: { id: { S: 'bob' } } } }],
    }))),
    { name: 'ValidationException', message: 'Transaction request cannot include multiple operations on one item', status: 400 },
  );
  assert.deepEqual(
    await failure(db.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Nope', Item: { id: { S: 'x' } } } }] }))),
    { name: 'ResourceNotFoundException', message: 'Requested resource not found', status: 400 },
  );
  assert.equal(await getItem('Bank', 'erin'), undefined);
});

test('ClientRequestToken: a retry answers without writing again; another request with the token is refused; the token lapses after 10 minutes', async () => {
  const bump = (amount: string) =>
    new TransactWriteItemsCommand({
      ClientRequestToken: 'retry-token-1',
      TransactItems: [{ Update: { TableName: 'Bank', Key: { id: { S: 'carol' } }, UpdateExpression: 'ADD balance :a', ExpressionAttributeValues: { ':a': { N: amount } } } }],
    });
  await db.send(bump('10'));
  await db.send(bump('10'));
  assert.deepEqual(await getItem('Bank', 'carol'), { id: { S: 'carol' }, balance: { N: '11' } });

  assert.deepEqual(await failure(db.send(bump('20'))), {
    name: 'IdempotentParameterMismatchException',
    message: 'The request uses the same client token as a previous, but non-identical request.',
    status: 400,
  });

  bonsai.clock.advance(10 * 60_000 + 1000);
  await db.send(bump('20'));
  assert.deepEqual(await getItem('Bank', 'carol'), { id: { S: 'carol' }, balance: { N: '31' } });
});

test('TransactGetItems reads every item in order, with projections, and {} for a missing item', async () => {
  const out = await db.send(
    new TransactGetItemsCommand({
      ReturnConsumedCapacity: 'TOTAL',
      TransactItems: [
        { Get: { TableName: 'Bank', Key: { id: { S: 'alice' } }, ProjectionExpression: '#b', ExpressionAttributeNames: { '#b': 'balance' } } },
        { Get: { TableName: 'Bank', Key: { id: { S: 'ghost' } } } },
        { Get: { TableName: 'Bank', Key: { id: { S: 'bob' } } } },
      ],
    }),
  );
  assert.deepEqual(out.Responses, [{ Item: { balance: { N: '70' } } }, {}, { Item: { id: { S: 'bob' }, balance: { N: '35' } } }]);
  assert.deepEqual(out.ConsumedCapacity, [{ TableName: 'Bank', CapacityUnits: 6, ReadCapacityUnits: 6 }]);
});

test('concurrent transfers never show half a transaction: every TransactGetItems sees the same total', async () => {
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'x' }, balance: { N: '500' } } }));
  await db.send(new PutItemCommand({ TableName: 'Bank', Item: { id: { S: 'y' }, balance: { N: '500' } } }));
  const transfer = (from: string, to: string) =>
    db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: 'Bank', Key: { id: { S: from } }, UpdateExpression: 'ADD balance :m', ExpressionAttributeValues: { ':m': { N: '-7' } } } },
          { Update: { TableName: 'Bank', Key: { id: { S: to } }, UpdateExpression: 'ADD balance :p', ExpressionAttributeValues: { ':p': { N: '7' } } } },
        ],
      }),
    );
  const total = async () => {
    const out = await db.send(new TransactGetItemsCommand({ TransactItems: ['x', 'y'].map((id) => ({ Get: { TableName: 'Bank', Key: { id: { S: id } } } })) }));
    return out.Responses!.reduce((sum, r) => sum + Number(r.Item!.balance!.N), 0);
  };
  const work: Array<Promise<unknown>> = [];
  for (let i = 0; i < 15; i++) work.push(transfer(i % 2 ? 'x' : 'y', i % 2 ? 'y' : 'x'), total());
  const results = await Promise.all(work);
  const totals = results.filter((r): r is number => typeof r === 'number');
  assert.deepEqual(new Set(totals), new Set([1000]));
  assert.deepEqual(await getItem('Bank', 'x'), { id: { S: 'x' }, balance: { N: '507' } }, 'eight transfers into x, seven out of it');
});

// ---------------------------------------------------------------------------------------------
// Streams

test('streams: each view type records INSERT, MODIFY and REMOVE with its images, and nothing for writes that change nothing', async () => {
  const views: StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];
  for (const view of views) {
    const table = `Stream_${view}`;
    await createTable(table, view);
    await db.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'k' }, v: { N: '1' } } }));
    await db.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'k' }, v: { N: '1' } } })); // no change
    await db.send(new UpdateItemCommand({ TableName: table, Key: { id: { S: 'k' } }, UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '2' } } }));
    await db.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'k' } } }));
    await db.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'k' } } })); // nothing to delete

    const records = await allRecords(table);
    assert.deepEqual(records.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE'], view);
    const v1 = { id: { S: 'k' }, v: { N: '1' } };
    const v2 = { id: { S: 'k' }, v: { N: '2' } };
    const expectedImages: Record<StreamViewType, Array<[unknown, unknown]>> = {
      KEYS_ONLY: [[undefined, undefined], [undefined, undefined], [undefined, undefined]],
      NEW_IMAGE: [[v1, undefined], [v2, undefined], [undefined, undefined]],
      OLD_IMAGE: [[undefined, undefined], [undefined, v1], [undefined, v2]],
      NEW_AND_OLD_IMAGES: [[v1, undefined], [v2, v1], [undefined, v2]],
    };
    assert.deepEqual(records.map((r) => [r.dynamodb.NewImage, r.dynamodb.OldImage]), expectedImages[view], view);
    for (const r of records) {
      assert.equal(r.eventVersion, '1.1');
      assert.equal(r.eventSource, 'aws:dynamodb');
      assert.equal(r.awsRegion, REGION);
      assert.match(r.eventID, /^[0-9a-f]{32}$/);
      assert.deepEqual(r.dynamodb.Keys, { id: { S: 'k' } });
      assert.equal(r.dynamodb.StreamViewType, view);
      assert.match(r.dynamodb.SequenceNumber, /^\d{21}$/);
      assert.ok(Number.isInteger(r.dynamodb.ApproximateCreationDateTime) && Math.abs(r.dynamodb.ApproximateCreationDateTime - bonsai.clock.nowMs() / 1000) < 60);
      assert.equal(r.userIdentity, undefined);
    }
    const sequence = records.map((r) => BigInt(r.dynamodb.SequenceNumber));
    assert.ok(sequence[0]! < sequence[1]! && sequence[1]! < sequence[2]!, 'sequence numbers increase');
  }
});

test('streams: PartiQL INSERT, UPDATE and DELETE are recorded like the item operations', async () => {
  const table = 'Stream_PartiQL';
  await createTable(table, 'NEW_AND_OLD_IMAGES');
  await db.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "${table}" VALUE {'id': 'p', 'v': 1}` }));
  await db.send(new ExecuteStatementCommand({ Statement: `UPDATE "${table}" SET v = 2 WHERE id = 'p'` }));
  await db.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "${table}" WHERE id = 'p'` }));
  const records = await allRecords(table);
  assert.deepEqual(records.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
  assert.deepEqual(records.map((r) => [r.dynamodb.NewImage, r.dynamodb.OldImage]), [
    [{ id: { S: 'p' }, v: { N: '1' } }, undefined],
    [{ id: { S: 'p' }, v: { N: '2' } }, { id: { S: 'p' }, v: { N: '1' } }],
    [undefined, { id: { S: 'p' }, v: { N: '2' } }],
  ]);
});

test('streams: ListStreams, DescribeStream and DescribeTable agree on the stream; GetRecords pages with Limit and NextShardIterator', async () => {
  await createTable('Orders', 'NEW_IMAGE');
  const described = (await db.send(new DescribeTableCommand({ TableName: 'Orders' }))).Table!;
  const label = described.LatestStreamLabel!;
  const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Orders/stream/${label}`;
  assert.equal(described.LatestStreamArn, arn);
  assert.deepEqual(described.StreamSpecification, { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });

  const listed = await ok('ListStreams', { TableName: 'Orders' });
  assert.deepEqual(listed, { Streams: [{ StreamArn: arn, TableName: 'Orders', StreamLabel: label }] });

  const description = (await ok('DescribeStream', { StreamArn: arn })).StreamDescription;
  assert.equal(description.StreamArn, arn);
  assert.equal(description.StreamLabel, label);
  assert.equal(description.StreamStatus, 'ENABLED');
  assert.equal(description.StreamViewType, 'NEW_IMAGE');
  assert.equal(description.TableName, 'Orders');
  assert.deepEqual(description.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  assert.equal(description.Shards.length, 1);
  assert.match(description.Shards[0].ShardId, /^shardId-\d{20}-[0-9a-f]{8}$/);
  assert.deepEqual(Object.keys(description.Shards[0].SequenceNumberRange), ['StartingSequenceNumber']);

  const latest = await iterator(arn, 'LATEST');
  await db.send(new BatchWriteItemCommand({ RequestItems: { Orders: ['o1', 'o2', 'o3'].map((id) => ({ PutRequest: { Item: { id: { S: id } } } })) } }));
  await db.send(
    new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'Orders', Item: { id: { S: 'o4' } } } }, { Delete: { TableName: 'Orders', Key: { id: { S: 'o1' } } } }] }),
  );

  const first = await ok('GetRecords', { ShardIterator: latest, Limit: 2 });
  assert.deepEqual(first.Records.map((r: any) => [r.eventName, r.dynamodb.Keys.id.S]), [['INSERT', 'o1'], ['INSERT', 'o2']]);
  const second = await ok('GetRecords', { ShardIterator: first.NextShardIterator });
  assert.deepEqual(second.Records.map((r: any) => [r.eventName, r.dynamodb.Keys.id.S]), [['INSERT', 'o3'], ['INSERT', 'o4'], ['REMOVE', 'o1']]);
  const empty = await ok('GetRecords', { ShardIterator: second.NextShardIterator });
  assert.deepEqual(empty.Records, []);
  assert.equal(typeof empty.NextShardIterator, 'string', 'an open shard always has a next iterator');

  // AT and AFTER a sequence number.
  const o2 = first.Records[1].dynamodb.SequenceNumber as string;
  const at = await ok('GetRecords', { ShardIterator: await iterator(arn, 'AT_SEQUENCE_NUMBER', o2), Limit: 1 });
  assert.equal(at.Records[0].dynamodb.SequenceNumber, o2);
  const afterIt = await ok('GetRecords', { ShardIterator: await iterator(arn, 'AFTER_SEQUENCE_NUMBER', o2), Limit: 1 });
  assert.equal(afterIt.Records[0].dynamodb.Keys.id.S, 'o3');
});

test('streams: iterators expire after 15 minutes of Bonsai time; unknown streams and shards are not found', async () => {
  const arn = await streamArnOf('Orders');
  const it = await iterator(arn, 'TRIM_HORIZON');
  bonsai.clock.advance(15 * 60_000 + 1000);
  const expired = await streams('GetRecords', { ShardIterator: it });
  assert.equal(expired.status, 400);
  assert.deepEqual(expired.body, { __type: 'com.amazonaws.dynamodb.v20120810#ExpiredIteratorException', message: 'The provided iterator exceeds the maximum age allowed.' });

  const missing = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Nope/stream/2024-01-01T00:00:00.000`;
  const notFound = await streams('DescribeStream', { StreamArn: missing });
  assert.equal(notFound.status, 400);
  assert.deepEqual(notFound.body, { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: `Requested resource not found: Stream: ${missing} not found` });

  const badShard = await streams('GetShardIterator', { StreamArn: arn, ShardId: 'shardId-00000000000000000000-00000000', ShardIteratorType: 'LATEST' });
  assert.deepEqual([badShard.status, badShard.body.__type, badShard.body.message], [400, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', 'Requested resource not found: Shard does not exist']);
});

// ---------------------------------------------------------------------------------------------
// TTL

test('UpdateTimeToLive / DescribeTimeToLive answer as DynamoDB does, including its refusals', async () => {
  await createTable('Sessions', 'NEW_AND_OLD_IMAGES');
  assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'Sessions' }))).TimeToLiveDescription, { TimeToLiveStatus: 'DISABLED' });
  const updated = await db.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
  assert.deepEqual(updated.TimeToLiveSpecification, { Enabled: true, AttributeName: 'expires' });
  assert.deepEqual((await db.send(new DescribeTimeToLiveCommand({ TableName: 'Sessions' }))).TimeToLiveDescription, {
    TimeToLiveStatus: 'ENABLED',
    AttributeName: 'expires',
  });
  assert.deepEqual(await failure(db.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }))), {
    name: 'ValidationException',
    message: 'TimeToLive is already enabled',
    status: 400,
  });
  assert.deepEqual(await failure(db.send(new UpdateTimeToLiveCommand({ TableName: 'Sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }))), {
    name: 'ValidationException',
    message: 'TimeToLive is active on a different AttributeName: current AttributeName is expires',
    status: 400,
  });
  assert.deepEqual(await failure(db.send(new DescribeTimeToLiveCommand({ TableName: 'Nope' }))), {
    name: 'ResourceNotFoundException',
    message: 'Requested resource not found: Table: Nope not found',
    status: 400,
  });
});

test('TTL: the sweeper deletes items whose Number attribute is in the past of Bonsai\'s clock, as service deletions in the stream', async () => {
  const inOneMinute = String(Math.floor(bonsai.clock.nowMs() / 1000) + 60);
  await db.send(new PutItemCommand({ TableName: 'Sessions', Item: { id: { S: 'soon' }, expires: { N: inOneMinute } } }));
  await db.send(new PutItemCommand({ TableName: 'Sessions', Item: { id: { S: 'text' }, expires: { S: inOneMinute } } }));
  await db.send(new PutItemCommand({ TableName: 'Sessions', Item: { id: { S: 'later' }, expires: { N: String(Number(inOneMinute) + 3600) } } }));
  await db.send(new PutItemCommand({ TableName: 'Sessions', Item: { id: { S: 'forever' } } }));

  assert.equal(await sweepExpiredItems(bonsai.store, bonsai.clock), 0, 'nothing has expired yet');
  bonsai.clock.advance(61_000);
  // The background sweeper may get there first (it runs every second): either way exactly one
  // item goes, and the stream below must show exactly one service deletion.
  const sweptNow = await sweepExpiredItems(bonsai.store, bonsai.clock);
  assert.ok(sweptNow === 0 || sweptNow === 1, `swept ${sweptNow}`);
  assert.equal(await getItem('Sessions', 'soon'), undefined);
  assert.ok(await getItem('Sessions', 'text'), 'a non-number TTL attribute is left alone');
  assert.ok(await getItem('Sessions', 'later'));
  assert.ok(await getItem('Sessions', 'forever'));

  const removal = (await allRecords('Sessions')).filter((r) => r.eventName === 'REMOVE');
  assert.equal(removal.length, 1);
  assert.deepEqual(removal[0]!.userIdentity, { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
  assert.deepEqual(removal[0]!.dynamodb.OldImage, { id: { S: 'soon' }, expires: { N: inOneMinute } });

  // The background sweeper (started by the first request) does the same without being asked.
  bonsai.clock.advance(3600_000);
  const deadline = Date.now() + 5000;
  while ((await getItem('Sessions', 'later')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await getItem('Sessions', 'later'), undefined);
  assert.ok(await getItem('Sessions', 'forever'));
});

for (const [label, startStore] of BACKENDS) {
  describe(label, () => {
    let backend: { url?: string; stop(): Promise<void> };
    before(async () => {
      backend = await startStore();
      bonsai = await startTestBonsai({ store: backend.url });
      db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1, credentials: TEST_ACCOUNT });
    });
    after(async () => {
      await bonsai.stop();
      await backend.stop();
    });
    for (const [name, fn] of tests) nodeTest(`${label}: ${name}`, fn);
  });
}
