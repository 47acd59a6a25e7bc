// Query and Scan pages of whole items (no filter, no projection) are read as runs of stored text
// (query.ts readWholeItemPage); pages with a FilterExpression take the row-by-row path. An
// always-true filter therefore gives the reference answer: both must agree on every page — items
// in order, Count, ScannedCount, LastEvaluatedKey at Limit and at 1 MB, consumed capacity — on
// SQLite and on PostgreSQL, for string, number and binary keys.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  DynamoDBClient,
  CreateTableCommand,
  BatchWriteItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type QueryCommandInput,
  type ScanCommandInput,
  type ScalarAttributeType,
} from '@aws-sdk/client-dynamodb';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { startThrowawayPostgres } from '../../helpers/postgres.ts';

type Item = Record<string, AttributeValue>;

/** Deterministic sizes between 100 and 3,100 bytes, so page ends fall anywhere inside a run. */
function padding(i: number): string {
  return 'x'.repeat(100 + ((i * 7919) % 3000));
}

async function createTable(db: DynamoDBClient, name: string, hash: ScalarAttributeType, range?: ScalarAttributeType): Promise<void> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: hash }, ...(range ? [{ AttributeName: 'sk', AttributeType: range }] : [])],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

async function writeAll(db: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const out = await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    assert.deepEqual(out.UnprocessedItems, {});
  }
}

/** Every page of a read, from the first to the one without LastEvaluatedKey (bounded). */
async function allPages(read: (start: Item | undefined) => Promise<object>): Promise<Array<Record<string, unknown>>> {
  const pages: Array<Record<string, unknown>> = [];
  let start: Item | undefined;
  do {
    const { $metadata: _metadata, ...page } = (await read(start)) as Record<string, unknown>;
    pages.push(page);
    start = page.LastEvaluatedKey as Item | undefined;
    assert.ok(pages.length < 100, 'too many pages');
  } while (start);
  return pages;
}

const ALWAYS = { FilterExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };

/** The pages of a Query with and without the always-true filter: asserted equal, and returned. */
async function sameQuery(db: DynamoDBClient, input: QueryCommandInput): Promise<Array<Record<string, unknown>>> {
  const fast = await allPages((start) => db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
  const reference = await allPages((start) =>
    db.send(new QueryCommand({ ...input, ...ALWAYS, ExpressionAttributeNames: { ...input.ExpressionAttributeNames, ...ALWAYS.ExpressionAttributeNames }, ExclusiveStartKey: start })),
  );
  assert.deepEqual(fast, reference);
  return fast;
}

async function sameScan(db: DynamoDBClient, input: ScanCommandInput): Promise<Array<Record<string, unknown>>> {
  const fast = await allPages((start) => db.send(new ScanCommand({ ...input, ExclusiveStartKey: start })));
  const reference = await allPages((start) => db.send(new ScanCommand({ ...input, ...ALWAYS, ExclusiveStartKey: start })));
  assert.deepEqual(fast, reference);
  return fast;
}

const itemsOf = (pages: Array<Record<string, unknown>>) => pages.flatMap((p) => p.Items as Item[]);

function pageSuite(label: string, store: () => Promise<{ url?: string; stop(): Promise<void> }>): void {
  describe(label, () => {
    let backend: { url?: string; stop(): Promise<void> };
    let bonsai: TestBonsai;
    let db: DynamoDBClient;
    before(async () => {
      backend = await store();
      bonsai = await startTestBonsai({ store: backend.url });
      db = new DynamoDBClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: TEST_ACCOUNT });
      await createTable(db, 'Big', 'S', 'N');
      // 1,200 items of ~1.1 KB in one partition (over 1 MB), negative and fractional sort keys.
      await writeAll(db, 'Big', Array.from({ length: 1200 }, (_, i) => ({ pk: { S: 'p' }, sk: { N: String((i - 600) / 4) }, data: { S: 'y'.repeat(1100) } })));
      await createTable(db, 'Mixed', 'B', 'S');
      // 40 binary partitions of 40 items of varied sizes: ~2.5 MB.
      const mixed: Item[] = [];
      for (let p = 0; p < 40; p++) {
        for (let r = 0; r < 40; r++) mixed.push({ pk: { B: Buffer.from([p * 5, 255 - p]) }, sk: { S: `r#${String(r).padStart(2, '0')}é` }, data: { S: padding(p * 40 + r) } });
      }
      await writeAll(db, 'Mixed', mixed);
      await createTable(db, 'Numbers', 'N');
      await writeAll(db, 'Numbers', Array.from({ length: 30 }, (_, i) => ({ pk: { N: `${(i - 15) * 125}e-5` }, n: { N: String(i) } })));
    });
    after(async () => {
      db?.destroy();
      await bonsai?.stop();
      await backend?.stop();
    });

    test('a partition over 1 MB: pages end at the item that reaches 1 MB, forward and backward', async () => {
      const query: QueryCommandInput = { TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ReturnConsumedCapacity: 'TOTAL' };
      const forward = await sameQuery(db, query);
      // Items of 1,110–1,113 bytes (pk 3, sk 3–6, data 4 + 1,100): the first page stops at 1 MB.
      assert.equal(forward.length, 2);
      assert.equal(forward[0]!.Count, 944);
      assert.equal(forward[0]!.ScannedCount, 944);
      assert.deepEqual(forward[0]!.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '85.75' } });
      assert.deepEqual(forward[0]!.ConsumedCapacity, { TableName: 'Big', CapacityUnits: 128.5 });
      assert.equal(forward[1]!.Count, 256);
      assert.equal(forward[1]!.LastEvaluatedKey, undefined);
      const keys = itemsOf(forward).map((i) => Number(i.sk!.N));
      assert.deepEqual(keys, Array.from({ length: 1200 }, (_, i) => (i - 600) / 4));
      const backward = await sameQuery(db, { ...query, ScanIndexForward: false, ConsistentRead: true });
      assert.deepEqual(itemsOf(backward).map((i) => Number(i.sk!.N)), [...keys].reverse());
      assert.equal(backward[0]!.Count, 944);
      assert.deepEqual(backward[0]!.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '-86' } });
    });

    test('Limit: LastEvaluatedKey after the Limit-th item, also when it is the last one', async () => {
      const pages = await sameQuery(db, {
        TableName: 'Big',
        KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { N: '-1' }, ':b': { N: '1.5' } },
        Limit: 5,
      });
      // 11 items (-1 … 1.5 by 0.25): pages of 5, 5 and 1; a last page of exactly Limit items would carry a key too.
      assert.deepEqual(pages.map((p) => p.Count), [5, 5, 1]);
      assert.deepEqual(pages[0]!.LastEvaluatedKey, { pk: { S: 'p' }, sk: { N: '0' } });
      const exact = await sameQuery(db, {
        TableName: 'Big',
        KeyConditionExpression: 'pk = :p AND sk <= :b',
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':b': { N: '-149' } },
        Limit: 3,
        ScanIndexForward: false,
      });
      assert.deepEqual(exact.map((p) => p.Count), [3, 2]);
      assert.deepEqual(itemsOf(exact).map((i) => i.sk!.N), ['-149', '-149.25', '-149.5', '-149.75', '-150']);
      const none = await sameQuery(db, { TableName: 'Big', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'nobody' } } });
      assert.deepEqual(none, [{ Items: [], Count: 0, ScannedCount: 0 }]);
    });

    test('Scan of binary partitions with items of varied sizes: every page agrees, every item once', async () => {
      const pages = await sameScan(db, { TableName: 'Mixed', ReturnConsumedCapacity: 'TOTAL' });
      assert.equal(pages.length, 3);
      assert.equal(itemsOf(pages).length, 1600);
      assert.equal(new Set(itemsOf(pages).map((i) => `${Buffer.from(i.pk!.B!).toString('hex')}/${i.sk!.S}`)).size, 1600);
      const limited = await sameScan(db, { TableName: 'Mixed', Limit: 333 });
      assert.deepEqual(limited.map((p) => p.Count), [333, 333, 333, 333, 268]);
      const prefixed = await sameQuery(db, {
        TableName: 'Mixed',
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :r)',
        ExpressionAttributeValues: { ':p': { B: Buffer.from([35, 248]) }, ':r': { S: 'r#1' } },
        Limit: 4,
      });
      assert.deepEqual(itemsOf(prefixed).map((i) => i.sk!.S), Array.from({ length: 10 }, (_, r) => `r#1${r}é`));
      assert.deepEqual(prefixed[0]!.LastEvaluatedKey, { pk: { B: new Uint8Array([35, 248]) }, sk: { S: 'r#13é' } });
    });

    test('number hash keys come back in LastEvaluatedKey in canonical form', async () => {
      const pages = await sameScan(db, { TableName: 'Numbers', Limit: 7 });
      assert.deepEqual(pages.map((p) => p.Count), [7, 7, 7, 7, 2]);
      const keys = pages.slice(0, 4).map((p) => (p.LastEvaluatedKey as Item).pk!.N);
      assert.deepEqual(keys, ['-0.01125', '-0.0025', '0.00625', '0.015']);
    });
  });
}

pageSuite('sqlite', async () => ({ stop: async () => undefined }));
pageSuite('postgres', async () => {
  const pg = await startThrowawayPostgres();
  return { url: pg.url, stop: () => pg.stop() };
});
