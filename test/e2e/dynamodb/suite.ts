/**
 * DynamoDB end to end with SDK v3 (the low-level client and the document client), run once per
 * store back end: tables, the employee directory's Employees table (seeds 003/004), the People and
 * Cars tables of seed 003's "Core Components", range queries in order, conditional writes, the
 * x-amz-crc32 header and IAM denial.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
  DynamoDBClient,
  CreateTableCommand,
  DescribeTableCommand,
  ListTablesCommand,
  DeleteTableCommand,
  PutItemCommand,
  GetItemCommand,
  UpdateItemCommand,
  QueryCommand,
  ScanCommand,
  BatchWriteItemCommand,
  BatchGetItemCommand,
  TagResourceCommand,
  ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand, ScanCommand as DocScan, UpdateCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const REGION = 'us-east-1';

export function dynamodbSuite(label: string, store: () => Promise<{ url?: string; stop(): Promise<void> }>): void {
  let bonsai: TestBonsai;
  let db: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let backend: { url?: string; stop(): Promise<void> };

  before(async () => {
    backend = await store();
    bonsai = await startTestBonsai({ store: backend.url });
    db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1, credentials: TEST_ACCOUNT });
    doc = DynamoDBDocumentClient.from(db);
  });
  after(async () => {
    await bonsai.stop();
    await backend.stop();
  });

  test(`${label}: CreateTable answers CREATING, DescribeTable ACTIVE with AWS's shape; duplicates and missing tables fail as on AWS`, async () => {
    const created = await db.send(
      new CreateTableCommand({
        TableName: 'Employees',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const d = created.TableDescription!;
    assert.equal(d.TableStatus, 'CREATING');
    assert.equal(d.TableArn, `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Employees`);
    assert.match(d.TableId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(d.ProvisionedThroughput, { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
    assert.equal(d.BillingModeSummary?.BillingMode, 'PAY_PER_REQUEST');
    assert.equal(d.ItemCount, 0);
    assert.equal(d.TableSizeBytes, 0);
    assert.equal(d.DeletionProtectionEnabled, false);

    const described = await db.send(new DescribeTableCommand({ TableName: 'Employees' }));
    assert.equal(described.Table!.TableStatus, 'ACTIVE');
    assert.equal(described.Table!.TableId, d.TableId);

    assert.deepEqual(await failure(db.send(new CreateTableCommand({
      TableName: 'Employees',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }))), { name: 'ResourceInUseException', message: 'Table already exists: Employees', status: 400 });
    assert.deepEqual(await failure(db.send(new DescribeTableCommand({ TableName: 'Nope' }))), {
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found: Table: Nope not found',
      status: 400,
    });
    assert.deepEqual(await failure(db.send(new GetItemCommand({ TableName: 'Nope', Key: { id: { S: 'x' } } }))), {
      name: 'ResourceNotFoundException',
      message: 'Requested resource not found',
      status: 400,
    });
    assert.deepEqual(await failure(db.send(new CreateTableCommand({
      TableName: 'Bad',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }))), {
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [id]',
      status: 400,
    });
  });

  test(`${label}: the employee directory puts, gets, scans, updates and deletes employees (document client)`, async () => {
    await doc.send(new PutCommand({ TableName: 'Employees', Item: { id: 'e1', full_name: 'Morgan Lee', location: 'Seattle', job_title: 'Engineer', badges: ['mentor'] } }));
    await doc.send(new PutCommand({ TableName: 'Employees', Item: { id: 'e2', full_name: 'Ana Silva', location: 'Lisbon', job_title: 'Manager' } }));
    const got = await doc.send(new GetCommand({ TableName: 'Employees', Key: { id: 'e1' } }));
    assert.deepEqual(got.Item, { id: 'e1', full_name: 'Morgan Lee', location: 'Seattle', job_title: 'Engineer', badges: ['mentor'] });

    const all = await doc.send(new DocScan({ TableName: 'Employees' }));
    assert.equal(all.Count, 2);
    assert.equal(all.ScannedCount, 2);
    assert.deepEqual(all.Items!.map((i) => i.id).sort(), ['e1', 'e2']);

    const updated = await doc.send(new UpdateCommand({
      TableName: 'Employees',
      Key: { id: 'e2' },
      UpdateExpression: 'SET job_title = :t, #loc = :l',
      ExpressionAttributeNames: { '#loc': 'location' },
      ExpressionAttributeValues: { ':t': 'Director', ':l': 'Porto' },
      ReturnValues: 'UPDATED_NEW',
    }));
    assert.deepEqual(updated.Attributes, { job_title: 'Director', location: 'Porto' });

    const deleted = await doc.send(new DeleteCommand({ TableName: 'Employees', Key: { id: 'e1' }, ReturnValues: 'ALL_OLD' }));
    assert.equal(deleted.Attributes!.full_name, 'Morgan Lee');
    assert.equal((await doc.send(new GetCommand({ TableName: 'Employees', Key: { id: 'e1' } }))).Item, undefined);

    const table = await db.send(new DescribeTableCommand({ TableName: 'Employees' }));
    assert.equal(table.Table!.ItemCount, 1);
    // id(2)+"e2"(2) + full_name(9)+"Ana Silva"(9) + location(8)+"Porto"(5) + job_title(9)+"Director"(8)
    assert.equal(table.Table!.TableSizeBytes, 52);
  });

  test(`${label}: People and Cars (seed 003): a composite key queried in range order, numbers sorted numerically`, async () => {
    await db.send(new CreateTableCommand({
      TableName: 'Cars',
      KeySchema: [{ AttributeName: 'PersonID', KeyType: 'HASH' }, { AttributeName: 'Year', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'PersonID', AttributeType: 'S' }, { AttributeName: 'Year', AttributeType: 'N' }],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    }));
    const years = ['2019', '-5', '1998', '2001.5', '0', '10', '9', '2023'];
    await db.send(new BatchWriteItemCommand({
      RequestItems: {
        Cars: years.map((y) => ({ PutRequest: { Item: { PersonID: { S: 'p1' }, Year: { N: y }, Make: { S: `make-${y}` } } } })),
      },
    }));
    await db.send(new PutItemCommand({ TableName: 'Cars', Item: { PersonID: { S: 'p2' }, Year: { N: '2000' } } }));

    const all = await db.send(new QueryCommand({ TableName: 'Cars', KeyConditionExpression: 'PersonID = :p', ExpressionAttributeValues: { ':p': { S: 'p1' } } }));
    assert.deepEqual(all.Items!.map((i) => i.Year!.N), ['-5', '0', '9', '10', '1998', '2001.5', '2019', '2023']);

    const between = await db.send(new QueryCommand({
      TableName: 'Cars',
      KeyConditionExpression: 'PersonID = :p AND #y BETWEEN :a AND :b',
      ExpressionAttributeNames: { '#y': 'Year' },
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':a': { N: '9' }, ':b': { N: '2001.5' } },
      ScanIndexForward: false,
      ProjectionExpression: '#y',
    }));
    assert.deepEqual(between.Items, [{ Year: { N: '2001.5' } }, { Year: { N: '1998' } }, { Year: { N: '10' } }, { Year: { N: '9' } }]);

    const page1 = await db.send(new QueryCommand({
      TableName: 'Cars', KeyConditionExpression: 'PersonID = :p AND #y > :a', ExpressionAttributeNames: { '#y': 'Year' },
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':a': { N: '0' } }, Limit: 3,
    }));
    assert.deepEqual(page1.Items!.map((i) => i.Year!.N), ['9', '10', '1998']);
    assert.deepEqual(page1.LastEvaluatedKey, { PersonID: { S: 'p1' }, Year: { N: '1998' } });
    const page2 = await db.send(new QueryCommand({
      TableName: 'Cars', KeyConditionExpression: 'PersonID = :p AND #y > :a', ExpressionAttributeNames: { '#y': 'Year' },
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':a': { N: '0' } }, ExclusiveStartKey: page1.LastEvaluatedKey,
    }));
    assert.deepEqual(page2.Items!.map((i) => i.Year!.N), ['2001.5', '2019', '2023']);
    assert.equal(page2.LastEvaluatedKey, undefined);

    const filtered = await db.send(new QueryCommand({
      TableName: 'Cars', KeyConditionExpression: 'PersonID = :p', FilterExpression: 'Make = :m',
      ExpressionAttributeValues: { ':p': { S: 'p1' }, ':m': { S: 'make-10' } }, Select: 'COUNT',
    }));
    assert.equal(filtered.Count, 1);
    assert.equal(filtered.ScannedCount, 8);
    assert.equal(filtered.Items, undefined);

    const batch = await db.send(new BatchGetItemCommand({
      RequestItems: { Cars: { Keys: [{ PersonID: { S: 'p2' }, Year: { N: '2000' } }, { PersonID: { S: 'p9' }, Year: { N: '1' } }] } },
    }));
    assert.deepEqual(batch.Responses, { Cars: [{ PersonID: { S: 'p2' }, Year: { N: '2000' } }] });
    assert.deepEqual(batch.UnprocessedKeys, {});

    assert.deepEqual(await failure(db.send(new PutItemCommand({ TableName: 'Cars', Item: { PersonID: { N: '1' }, Year: { N: '1' } } }))), {
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Type mismatch for key PersonID expected: S actual: N',
      status: 400,
    });
    assert.deepEqual(await failure(db.send(new BatchWriteItemCommand({
      RequestItems: { Cars: [1, 2].map(() => ({ DeleteRequest: { Key: { PersonID: { S: 'p2' }, Year: { N: '2000' } } } })) },
    }))), { name: 'ValidationException', message: 'Provided list of item keys contains duplicates', status: 400 });
  });

  test(`${label}: conditional writes fail with ConditionalCheckFailedException, returning the item when asked`, async () => {
    await db.send(new PutItemCommand({ TableName: 'Employees', Item: { id: { S: 'c1' }, n: { N: '1' } } }));
    const failed = await failure(db.send(new PutItemCommand({
      TableName: 'Employees', Item: { id: { S: 'c1' } }, ConditionExpression: 'attribute_not_exists(id)',
    })));
    assert.deepEqual(failed, { name: 'ConditionalCheckFailedException', message: 'The conditional request failed', status: 400 });
    try {
      await db.send(new UpdateItemCommand({
        TableName: 'Employees', Key: { id: { S: 'c1' } }, UpdateExpression: 'SET n = n + :one', ConditionExpression: 'n > :one',
        ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      assert.fail('expected the update to fail');
    } catch (err) {
      const e = err as { name: string; Item?: unknown };
      assert.equal(e.name, 'ConditionalCheckFailedException');
      assert.deepEqual(e.Item, { id: { S: 'c1' }, n: { N: '1' } });
    }
    const ok = await db.send(new UpdateItemCommand({
      TableName: 'Employees', Key: { id: { S: 'c1' } }, UpdateExpression: 'SET n = n + :one', ConditionExpression: 'n = :one',
      ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW', ReturnConsumedCapacity: 'TOTAL',
    }));
    assert.deepEqual(ok.Attributes, { id: { S: 'c1' }, n: { N: '2' } });
    assert.deepEqual(ok.ConsumedCapacity, { TableName: 'Employees', CapacityUnits: 1 });
  });

  test(`${label}: responses carry x-amz-crc32 of the body and errors DynamoDB's qualified __type`, async () => {
    const signed = new DynamoDBClient({ endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1, credentials: TEST_ACCOUNT });
    const seen: Array<{ headers: Record<string, string>; body: string }> = [];
    signed.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const response = result.response as { headers: Record<string, string>; body: NodeJS.ReadableStream };
        const chunks: Buffer[] = [];
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk as Buffer));
        const body = Buffer.concat(chunks);
        seen.push({ headers: response.headers, body: body.toString('utf8') });
        const { Readable } = await import('node:stream');
        response.body = Readable.from([body]);
        return result;
      },
      { step: 'deserialize', name: 'captureBody', priority: 'low' },
    );
    await signed.send(new ListTablesCommand({}));
    await failure(signed.send(new DescribeTableCommand({ TableName: 'Missing' })));
    assert.equal(seen.length, 2);
    assert.equal(seen[0]!.body, '{"TableNames":["Cars","Employees"]}');
    assert.equal(seen[0]!.headers['x-amz-crc32'], String(crc32(Buffer.from(seen[0]!.body))));
    assert.deepEqual(JSON.parse(seen[1]!.body), {
      __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
      message: 'Requested resource not found: Table: Missing not found',
    });
    assert.equal(seen[1]!.headers['x-amz-crc32'], String(crc32(Buffer.from(seen[1]!.body))));
  });

  test(`${label}: tags, and an IAM user without permission gets the json family's AccessDeniedException`, async () => {
    const arn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Employees`;
    await db.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'hr' }] }));
    assert.deepEqual((await db.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: 'team', Value: 'hr' }]);

    const iam = new IAMClient({ endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1, credentials: TEST_ACCOUNT });
    await iam.send(new CreateUserCommand({ UserName: 'intern' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'intern' }));
    const intern = new DynamoDBClient({
      endpoint: bonsai.endpoint, region: REGION, maxAttempts: 1,
      credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
    });
    assert.deepEqual(await failure(intern.send(new PutItemCommand({ TableName: 'Employees', Item: { id: { S: 'x' } } }))), {
      name: 'AccessDeniedException',
      message: `User: arn:aws:iam::${ACCOUNT}:user/intern is not authorized to perform: dynamodb:PutItem on resource: ${arn} because no identity-based policy allows the dynamodb:PutItem action`,
      status: 400,
    });
  });

  test(`${label}: DeleteTable answers DELETING and the table and its items are gone`, async () => {
    const deleted = await db.send(new DeleteTableCommand({ TableName: 'Cars' }));
    assert.equal(deleted.TableDescription!.TableStatus, 'DELETING');
    assert.equal(deleted.TableDescription!.ItemCount, 9);
    assert.deepEqual((await db.send(new ListTablesCommand({}))).TableNames, ['Employees']);
    await db.send(new CreateTableCommand({
      TableName: 'Cars',
      KeySchema: [{ AttributeName: 'PersonID', KeyType: 'HASH' }, { AttributeName: 'Year', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'PersonID', AttributeType: 'S' }, { AttributeName: 'Year', AttributeType: 'N' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    assert.equal((await db.send(new ScanCommand({ TableName: 'Cars' }))).Count, 0);
  });
}
