// Items go out as the JSON text they are stored as (wire.ts StoredItemJson): the response must be
// byte for byte what the json codec writes for the decoded item, for every attribute type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadServiceModel } from '../../../src/generated/load-model.ts';
import { createJsonCodec } from '../../../src/protocols/json.ts';
import { createDynamoDbCodec, dynamodbErrorType, StoredItemJson, StoredItemRuns, addCrc32 } from '../../../src/services/dynamodb/wire.ts';
import { canonicalMap, decodeItem, encodeItem, type AttributeMap } from '../../../src/services/dynamodb/attributes.ts';
import { responseBytes } from '../../../src/core/http.ts';

const model = loadServiceModel('dynamodb');
const plain = createJsonCodec({ errorType: dynamodbErrorType });
const dynamodb = createDynamoDbCodec();
const ctx = { requestId: 'req-1', now: new Date(0) };

/** Every type, nesting, binaries, Unicode and characters JSON escapes, and names that look like JSON. */
const RICH: AttributeMap = canonicalMap({
  pk: { S: 'employee#1' },
  n: { N: '-0012.500' },
  b: { B: Buffer.from([0, 1, 2, 250, 255]) },
  bool: { BOOL: false },
  nul: { NULL: true },
  ss: { SS: ['b', 'a', 'Ünïcødé ✓'] },
  ns: { NS: ['1', '10', '2.50'] },
  bs: { BS: [Buffer.from('x'), Buffer.from([255])] },
  l: { L: [{ S: '' }, { N: '1' }, { M: { inner: { B: Buffer.from('deep') } } }, { L: [] }] },
  m: { M: { 'quote"and\\slash': { S: 'line\nbreak\ttab\u0000nul\u2028sep' }, B: { S: 'a key named B' } } },
  '{"NULL":true}': { S: '"B":' },
  empty: { S: '' },
});

function body(codec: typeof plain, output: Record<string, unknown>, operation: string): string {
  return responseBytes(codec.serializeOutput(output, model, model.operations[operation]!, ctx).body).toString('utf8');
}

test('GetItem: a stored item spliced in is what the codec writes for the decoded item', () => {
  const stored = encodeItem(RICH);
  const expected = body(plain, { Item: decodeItem(stored), ConsumedCapacity: { TableName: 'T', CapacityUnits: 0.5 } }, 'GetItem');
  const actual = body(dynamodb, { Item: new StoredItemJson(stored), ConsumedCapacity: { TableName: 'T', CapacityUnits: 0.5 } }, 'GetItem');
  assert.equal(actual, expected);
  assert.deepEqual(JSON.parse(actual).Item.b, { B: 'AAEC+v8=' });
  // The item alone, with nothing after it.
  assert.equal(body(dynamodb, { Item: new StoredItemJson(stored) }, 'GetItem'), body(plain, { Item: decodeItem(stored) }, 'GetItem'));
  assert.equal(body(dynamodb, { Item: new StoredItemJson('{"pk":{"S":"a"}}') }, 'GetItem'), '{"Item":{"pk":{"S":"a"}}}');
});

test('Query: stored and decoded items mix in order, around Count, ScannedCount and LastEvaluatedKey', () => {
  const items = [RICH, { pk: { S: 'two' } }, { pk: { S: 'three' }, x: { NS: ['3'] } }].map((i) => encodeItem(canonicalMap(i)));
  const output = (wrap: (json: string, i: number) => unknown) => ({
    Items: items.map(wrap),
    Count: 3,
    ScannedCount: 7,
    LastEvaluatedKey: { pk: { S: 'three' } },
  });
  const expected = body(plain, output((json) => decodeItem(json)), 'Query');
  // The second item stays decoded (a projected one, say): both kinds go out as the codec writes them.
  const actual = body(dynamodb, output((json, i) => (i === 1 ? decodeItem(json) : new StoredItemJson(json))), 'Query');
  assert.equal(actual, expected);
  assert.equal(JSON.parse(actual).Items.length, 3);
});

test('Query and Scan pages as runs of stored text (comma-joined UTF-8) are what the codec writes for the decoded items', () => {
  const items = [RICH, { pk: { S: 'two' } }, { pk: { S: 'three' }, x: { NS: ['3'] } }, { pk: { S: 'four ✓' } }].map((i) => encodeItem(canonicalMap(i)));
  const runs = [items.slice(0, 1), items.slice(1, 3), items.slice(3)].map((run) => Buffer.from(run.join(','), 'utf8'));
  const rest = { Count: 4, ScannedCount: 4, LastEvaluatedKey: { pk: { S: 'four ✓' } }, ConsumedCapacity: { TableName: 'T', CapacityUnits: 0.5 } };
  for (const operation of ['Query', 'Scan']) {
    const expected = body(plain, { Items: items.map((json) => decodeItem(json)), ...rest }, operation);
    assert.equal(body(dynamodb, { Items: new StoredItemRuns(runs), ...rest }, operation), expected);
    // A response of Items alone, and one run alone.
    assert.equal(body(dynamodb, { Items: new StoredItemRuns([runs[1]!]) }, operation), body(plain, { Items: items.slice(1, 3).map((json) => decodeItem(json)) }, operation));
  }
  const response = dynamodb.serializeOutput({ Items: new StoredItemRuns(runs), Count: 4, ScannedCount: 4 }, model, model.operations.Query!, ctx);
  assert.ok(Buffer.isBuffer(response.body), 'the page stays bytes: the edge and x-amz-crc32 use them as they are');
});

test('an output without stored items is the plain codec\'s, and an empty page stays empty', () => {
  const output = { Items: [], Count: 0, ScannedCount: 0 };
  assert.equal(body(dynamodb, output, 'Scan'), '{"Items":[],"Count":0,"ScannedCount":0}');
  assert.equal(body(dynamodb, { TableNames: ['a'] }, 'ListTables'), body(plain, { TableNames: ['a'] }, 'ListTables'));
});

test('x-amz-crc32 is the CRC-32 of the body bytes, and the body goes on as those bytes', () => {
  const response = addCrc32({ status: 200, headers: { 'Content-Type': 'application/x-amz-json-1.0' }, body: '{"TableNames":["é"]}' });
  assert.ok(Buffer.isBuffer(response.body));
  assert.equal((response.body as Buffer).toString('utf8'), '{"TableNames":["é"]}');
  // zlib.crc32 of the UTF-8 bytes in Python (an independent implementation) gives the same.
  assert.equal(response.headers['x-amz-crc32'], '2498402332');
});

test('encodeItem writes binaries as base64 at any depth, and everything else as given', () => {
  const plainItem = canonicalMap({ pk: { S: 'a' }, m: { M: { l: { L: [{ N: '1' }, { SS: ['x'] }] } } }, t: { BOOL: true } });
  assert.equal(encodeItem(plainItem), '{"pk":{"S":"a"},"m":{"M":{"l":{"L":[{"N":"1"},{"SS":["x"]}]}}},"t":{"BOOL":true}}');
  const deepBinary = canonicalMap({ m: { M: { l: { L: [{ S: 'x' }, { B: Buffer.from('hi') }] } } } });
  assert.equal(encodeItem(deepBinary), '{"m":{"M":{"l":{"L":[{"S":"x"},{"B":"aGk="}]}}}}');
  assert.deepEqual(decodeItem(encodeItem(deepBinary)), deepBinary);
  assert.deepEqual(decodeItem(encodeItem(RICH)), RICH);
});
