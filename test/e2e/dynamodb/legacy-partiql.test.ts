// DynamoDB's legacy conditional parameters and PartiQL end to end: SDK v3 sends Expected,
// AttributeUpdates, KeyConditions, QueryFilter and ScanFilter as they are; PartiQL statements go
// through ExecuteStatement, BatchExecuteStatement and ExecuteTransaction; boto3's Table resource
// builds expressions from Key/Attr conditions and batches writes with batch_writer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  PutItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  DeleteItemCommand,
  QueryCommand,
  ScanCommand,
  ExecuteStatementCommand,
  BatchExecuteStatementCommand,
  ExecuteTransactionCommand,
} from '@aws-sdk/client-dynamodb';
import { startTestBonsai, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { runPython } from '../../helpers/clients.ts';

let bonsai: TestBonsai;
let db: DynamoDBClient;

before(async () => {
  bonsai = await startTestBonsai();
  db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIAIOSFODNN7BONSAIX', secretAccessKey: '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' } });
  await db.send(new CreateTableCommand({
    TableName: 'Music',
    KeySchema: [{ AttributeName: 'Artist', KeyType: 'HASH' }, { AttributeName: 'Song', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'Artist', AttributeType: 'S' }, { AttributeName: 'Song', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});
after(async () => {
  await bonsai.stop();
});

const key = (song: string) => ({ Artist: { S: 'Acme' }, Song: { S: song } });

test('legacy Expected and AttributeUpdates through SDK v3: conditions hold or fail as on AWS', async () => {
  await db.send(new PutItemCommand({ TableName: 'Music', Item: { ...key('One'), plays: { N: '1' } }, Expected: { Artist: { Exists: false } } }));
  assert.deepEqual(
    await failure(db.send(new PutItemCommand({ TableName: 'Music', Item: key('One'), Expected: { Artist: { Exists: false } } }))),
    { name: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 },
  );
  const updated = await db.send(new UpdateItemCommand({
    TableName: 'Music',
    Key: key('One'),
    AttributeUpdates: { plays: { Action: 'ADD', Value: { N: '2' } }, tags: { Action: 'PUT', Value: { SS: ['a', 'b'] } } },
    Expected: { plays: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } },
    ReturnValues: 'ALL_NEW',
  }));
  assert.deepEqual(updated.Attributes, { ...key('One'), plays: { N: '3' }, tags: { SS: ['a', 'b'] } });
  assert.deepEqual(
    await failure(db.send(new UpdateItemCommand({ TableName: 'Music', Key: key('One'), AttributeUpdates: { plays: { Action: 'PUT', Value: { N: '9' } } }, UpdateExpression: 'SET plays = :p', ExpressionAttributeValues: { ':p': { N: '9' } } }))),
    { name: 'ValidationException', message: 'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}', status: 400 },
  );
  assert.deepEqual(
    await failure(db.send(new DeleteItemCommand({ TableName: 'Music', Key: key('One'), Expected: { plays: { ComparisonOperator: 'EQ', AttributeValueList: [] } } }))),
    { name: 'ValidationException', message: 'One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator', status: 400 },
  );
  await db.send(new DeleteItemCommand({ TableName: 'Music', Key: key('One'), Expected: { plays: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '2' }] }, nope: { ComparisonOperator: 'NULL' } }, ConditionalOperator: 'AND' }));
  assert.equal((await db.send(new GetItemCommand({ TableName: 'Music', Key: key('One') }))).Item, undefined);
});

test('legacy KeyConditions, QueryFilter and ScanFilter', async () => {
  for (const [song, plays] of [['A', '1'], ['B', '5'], ['C', '10']] as const) {
    await db.send(new PutItemCommand({ TableName: 'Music', Item: { ...key(song), plays: { N: plays } } }));
  }
  const queried = await db.send(new QueryCommand({
    TableName: 'Music',
    KeyConditions: { Artist: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'Acme' }] }, Song: { ComparisonOperator: 'GE', AttributeValueList: [{ S: 'B' }] } },
    QueryFilter: { plays: { ComparisonOperator: 'LT', AttributeValueList: [{ N: '10' }] } },
  }));
  assert.deepEqual(queried.Items, [{ ...key('B'), plays: { N: '5' } }]);
  assert.equal(queried.ScannedCount, 2);
  const scanned = await db.send(new ScanCommand({
    TableName: 'Music',
    ScanFilter: { plays: { ComparisonOperator: 'IN', AttributeValueList: [{ N: '1' }, { N: '10' }] }, Song: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'B' }] } },
    ConditionalOperator: 'OR',
  }));
  assert.deepEqual(scanned.Items?.map((i) => i.Song!.S), ['A', 'B', 'C']);
  assert.deepEqual(
    await failure(db.send(new QueryCommand({ TableName: 'Music', KeyConditions: { Artist: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'A' }] } } }))),
    { name: 'ValidationException', message: 'Query key condition not supported', status: 400 },
  );
});

test('PartiQL ExecuteStatement: INSERT, SELECT with parameters and paging, UPDATE, DELETE', async () => {
  await db.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "Music" VALUE {'Artist': 'Band', 'Song': 'X', 'plays': 1}` }));
  assert.deepEqual(
    await failure(db.send(new ExecuteStatementCommand({ Statement: `INSERT INTO "Music" VALUE {'Artist': 'Band', 'Song': 'X'}` }))),
    { name: 'DuplicateItemException', message: 'Duplicate primary key exists in table', status: 400 },
  );
  const selected = await db.send(new ExecuteStatementCommand({ Statement: 'SELECT Song, plays FROM "Music" WHERE Artist = ? AND plays > ?', Parameters: [{ S: 'Acme' }, { N: '1' }] }));
  assert.deepEqual(selected.Items, [{ Song: { S: 'B' }, plays: { N: '5' } }, { Song: { S: 'C' }, plays: { N: '10' } }]);
  const first = await db.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "Music" WHERE Artist = 'Acme'`, Limit: 2 }));
  assert.deepEqual(first.Items?.map((i) => i.Song!.S), ['A', 'B']);
  assert.ok(first.NextToken);
  const second = await db.send(new ExecuteStatementCommand({ Statement: `SELECT * FROM "Music" WHERE Artist = 'Acme'`, Limit: 2, NextToken: first.NextToken }));
  assert.deepEqual(second.Items?.map((i) => i.Song!.S), ['C']);
  assert.equal(second.NextToken, undefined);

  const updated = await db.send(new ExecuteStatementCommand({ Statement: `UPDATE "Music" SET plays = plays + 1 SET note = 'hi' WHERE Artist = 'Band' AND Song = 'X' RETURNING ALL NEW *` }));
  assert.deepEqual(updated.Items, [{ Artist: { S: 'Band' }, Song: { S: 'X' }, plays: { N: '2' }, note: { S: 'hi' } }]);
  assert.deepEqual(
    await failure(db.send(new ExecuteStatementCommand({ Statement: `UPDATE "Music" SET plays = 0 WHERE Artist = 'Band' AND Song = 'Nope'` }))),
    { name: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 },
  );
  assert.deepEqual(
    await failure(db.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "Music" WHERE Artist = 'Band'` }))),
    { name: 'ValidationException', message: 'Where clause does not contain a mandatory equality on all key attributes', status: 400 },
  );
  assert.deepEqual(
    await failure(db.send(new ExecuteStatementCommand({ Statement: 'DROP TABLE "Music"' }))),
    { name: 'ValidationException', message: "Statement wasn't well formed, can't be processed: Expected data manipulation", status: 400 },
  );
  const deleted = await db.send(new ExecuteStatementCommand({ Statement: `DELETE FROM "Music" WHERE Artist = 'Band' AND Song = 'X' RETURNING ALL OLD *` }));
  assert.equal(deleted.Items?.[0]?.note?.S, 'hi');
  assert.equal((await db.send(new GetItemCommand({ TableName: 'Music', Key: { Artist: { S: 'Band' }, Song: { S: 'X' } } }))).Item, undefined);
});

test('PartiQL BatchExecuteStatement and ExecuteTransaction', async () => {
  const batch = await db.send(new BatchExecuteStatementCommand({
    Statements: [
      { Statement: `INSERT INTO "Music" VALUE {'Artist': 'Duo', 'Song': 'S1'}` },
      { Statement: `INSERT INTO "Music" VALUE {'Artist': 'Acme', 'Song': 'A'}` },
      { Statement: `UPDATE "Music" SET plays = 7 WHERE Artist = 'Acme' AND Song = 'A'` },
    ],
  }));
  assert.deepEqual(batch.Responses, [
    { TableName: 'Music' },
    { TableName: 'Music', Error: { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' } },
    { TableName: 'Music' },
  ]);
  const cancelled = await db.send(new ExecuteTransactionCommand({
    TransactStatements: [
      { Statement: `INSERT INTO "Music" VALUE {'Artist': 'Duo', 'Song': 'S2'}` },
      { Statement: `UPDATE "Music" SET plays = 1 WHERE Artist = 'Acme' AND Song = 'A' AND plays = 0` },
    ],
  })).catch((e: { name: string; message: string; CancellationReasons?: unknown }) => e);
  assert.equal((cancelled as { name: string }).name, 'TransactionCanceledException');
  assert.equal((cancelled as { message: string }).message, 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
  assert.deepEqual((cancelled as { CancellationReasons: unknown }).CancellationReasons, [{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }]);
  // Nothing of the cancelled transaction was written.
  assert.equal((await db.send(new GetItemCommand({ TableName: 'Music', Key: { Artist: { S: 'Duo' }, Song: { S: 'S2' } } }))).Item, undefined);
  await db.send(new ExecuteTransactionCommand({
    TransactStatements: [
      { Statement: `INSERT INTO "Music" VALUE {'Artist': 'Duo', 'Song': 'S2'}` },
      { Statement: `UPDATE "Music" SET plays = 8 WHERE Artist = 'Acme' AND Song = 'A' AND plays = 7` },
    ],
  }));
  const read = await db.send(new ExecuteTransactionCommand({
    TransactStatements: [{ Statement: `SELECT plays FROM "Music" WHERE Artist = 'Acme' AND Song = 'A'` }, { Statement: `SELECT * FROM "Music" WHERE Artist = 'Duo' AND Song = 'S2'` }],
  }));
  assert.deepEqual(read.Responses, [{ Item: { plays: { N: '8' } } }, { Item: { Artist: { S: 'Duo' }, Song: { S: 'S2' } } }]);
});

test("boto3's Table resource: batch_writer, Key and Attr conditions", async () => {
  const script = `
import boto3, json
from boto3.dynamodb.conditions import Key, Attr
t = boto3.resource('dynamodb', endpoint_url='${bonsai.endpoint}').Table('Music')
with t.batch_writer() as w:
    for i in range(30):
        w.put_item(Item={'Artist': 'Boto', 'Song': 'S%02d' % i, 'n': i})
r = t.query(KeyConditionExpression=Key('Artist').eq('Boto') & Key('Song').begins_with('S1'), FilterExpression=Attr('n').gte(15))
print(json.dumps([x['Song'] for x in r['Items']]))
t.put_item(Item={'Artist': 'Boto', 'Song': 'S00', 'n': 100}, ConditionExpression=Attr('n').eq(0))
try:
    t.put_item(Item={'Artist': 'Boto', 'Song': 'S00'}, ConditionExpression=Attr('n').eq(0))
except t.meta.client.exceptions.ConditionalCheckFailedException as e:
    print(e.response['Error']['Code'])
print(t.scan(Select='COUNT', FilterExpression=Attr('Artist').eq('Boto'))['Count'])
`;
  const result = await runPython(script);
  assert.equal(result.stderr, '');
  assert.deepEqual(result.stdout.trim().split('\n'), ['["S15", "S16", "S17", "S18", "S19"]', 'ConditionalCheckFailedException', '30']);
});
