// DynamoDB's key encoding (byte order = DynamoDB's order), item sizes, value and key checks in
// DynamoDB's wording, and the wire hooks (qualified __type, x-amz-crc32).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { encodeKeyValue, checkItemKey, checkKey, keySchemaOf, encodeNumberKey } from '../../../src/services/dynamodb/keys.ts';
import {
  attributeValueProblem,
  canonicalDecimal,
  decodeItem,
  encodeItem,
  itemSize,
  checkItemSize,
  numberProblem,
} from '../../../src/services/dynamodb/attributes.ts';
import { addCrc32, dynamodbErrorType } from '../../../src/services/dynamodb/wire.ts';
import { checkCreateTable } from '../../../src/services/dynamodb/tables.ts';
import { thrown } from '../../helpers/sdk-errors.ts';


test('numbers encode so that byte order is numeric order, equal values encode equally', () => {
  const ascending = ['-1e125', '-100', '-10.5', '-10', '-9.99', '-1', '-0.121', '-0.12', '-1e-130', '0', '1e-130', '0.12', '0.121', '1', '9.99', '10', '10.5', '100', '9.9999999999999999999999999999999999999e125'];
  const encoded = ascending.map((n) => encodeKeyValue('N', { N: n }));
  const sorted = [...encoded].sort();
  assert.deepEqual(sorted, encoded);
  assert.equal(new Set(encoded).size, ascending.length);
  assert.equal(encodeKeyValue('N', { N: '1.50' }), encodeKeyValue('N', { N: '15e-1' }));
  assert.equal(encodeKeyValue('N', { N: '-0' }), encodeKeyValue('N', { N: '0' }));
  assert.equal(encodeNumberKey('12').toString('hex'), '03830102');
  assert.equal(encodeNumberKey('-12').toString('hex'), '017c08070a');
});

test('strings sort by UTF-8 bytes and binaries by unsigned bytes', () => {
  const strings = ['', 'A', 'Z', 'a', 'ab', 'b', 'é', '\u{1F600}', '\uFFFD'];
  // JavaScript's UTF-16 order puts the emoji (a surrogate pair) before U+FFFD; UTF-8 byte order after.
  assert.ok('\u{1F600}' < '\uFFFD');
  assert.ok(encodeKeyValue('S', { S: '\uFFFD' }) < encodeKeyValue('S', { S: '\u{1F600}' }));
  const encoded = strings.map((s) => encodeKeyValue('S', { S: s }));
  assert.deepEqual([...encoded].sort(), [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((s) => encodeKeyValue('S', { S: s })));
  assert.ok(encodeKeyValue('B', { B: Buffer.from([0x7f]) }) < encodeKeyValue('B', { B: Buffer.from([0x80]) }));
  assert.ok(encodeKeyValue('B', { B: Buffer.from([1]) }) < encodeKeyValue('B', { B: Buffer.from([1, 0]) }));
});

test('item size counts names and values as the developer guide says', () => {
  assert.equal(itemSize({ id: { S: 'e2' } }), 4);
  assert.equal(itemSize({ name: { S: 'é' } }), 6);
  assert.equal(itemSize({ b: { B: Buffer.from([1, 2, 3]) } }), 4);
  assert.equal(itemSize({ ok: { BOOL: true }, n: { NULL: true } }), 5);
  assert.equal(itemSize({ n: { N: '12' } }), 3); // 1 + one digit pair + 1
  assert.equal(itemSize({ n: { N: '123' } }), 4); // 01|23 + 1
  assert.equal(itemSize({ l: { L: [] } }), 4);
  assert.equal(itemSize({ m: { M: { a: { S: 'xy' } } } }), 1 + 3 + (1 + 2 + 1));
  assert.equal(itemSize({ ss: { SS: ['ab', 'c'] } }), 5);
  assert.deepEqual(thrown(() => checkItemSize({ big: { S: 'x'.repeat(400 * 1024) } })), {
    code: 'ValidationException',
    message: 'Item size has exceeded the maximum allowed size',
  });
  checkItemSize({ big: { S: 'x'.repeat(400 * 1024 - 3) } });
});

test('attribute values are refused in DynamoDB wording', () => {
  assert.equal(attributeValueProblem({}), 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  assert.equal(attributeValueProblem({ S: 'a', N: '1' }), 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  assert.equal(attributeValueProblem({ SS: [] }), 'One or more parameter values were invalid: An string set  may not be empty');
  assert.equal(attributeValueProblem({ SS: ['a', 'a'] }), 'One or more parameter values were invalid: Input collection [a, a] contains duplicates.');
  assert.equal(attributeValueProblem({ NS: ['1', '1.0'] }), 'Input collection contains duplicates');
  assert.equal(attributeValueProblem({ N: 'abc' }), 'The parameter cannot be converted to a numeric value: abc');
  assert.equal(attributeValueProblem({ M: { x: { NULL: false } } }), 'One or more parameter values were invalid: Null attribute value types must have the value of true');
  assert.equal(attributeValueProblem({ S: '' }), undefined);
  assert.equal(numberProblem('1e126'), 'Number overflow. Attempting to store a number with magnitude larger than supported range');
  assert.equal(numberProblem('1e-131'), 'Number underflow. Attempting to store a number with magnitude smaller than supported range');
  assert.equal(numberProblem('1'.repeat(39)), 'Attempting to store more than 38 significant digits in a Number');
  assert.equal(numberProblem('9.9999999999999999999999999999999999999e125'), undefined);
  assert.equal(canonicalDecimal('001.500'), '1.5');
  assert.equal(canonicalDecimal('1e2'), '100');
  assert.equal(canonicalDecimal('-.05'), '-0.05');
});

test('keys and items are checked against the key schema', () => {
  const schema = keySchemaOf(
    [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
  );
  assert.deepEqual(thrown(() => checkItemKey(schema, { pk: { N: '1' }, sk: { N: '1' } })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
  });
  assert.deepEqual(thrown(() => checkItemKey(schema, { pk: { S: 'a' } })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: Missing the key sk in the item',
  });
  assert.deepEqual(thrown(() => checkKey(schema, { pk: { S: 'a' } })), { code: 'ValidationException', message: 'The provided key element does not match the schema' });
  assert.deepEqual(thrown(() => checkKey(schema, { pk: { S: '' }, sk: { N: '1' } })), {
    code: 'ValidationException',
    message: 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
  });
  assert.deepEqual(thrown(() => checkItemKey(schema, { pk: { S: 'x'.repeat(2049) }, sk: { N: '1' } })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
  });
});

test('CreateTable checks key schemas in DynamoDB order and wording', () => {
  const base = { TableName: 'T', BillingMode: 'PAY_PER_REQUEST' as const };
  assert.deepEqual(thrown(() => checkCreateTable({ ...base, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 }, KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST',
  });
  assert.deepEqual(thrown(() => checkCreateTable({ TableName: 'T', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED',
  });
  assert.deepEqual(thrown(() => checkCreateTable({ ...base, KeySchema: [{ AttributeName: 'a', KeyType: 'RANGE' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }] })), {
    code: 'ValidationException',
    message: 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type',
  });
  assert.deepEqual(thrown(() => checkCreateTable({ ...base, KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'a', AttributeType: 'S' }, { AttributeName: 'b', AttributeType: 'S' }] })), {
    code: 'ValidationException',
    message: 'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
  });
});

test('stored items round-trip binaries; errors carry DynamoDB namespaces; x-amz-crc32 is the body CRC', () => {
  const item = { b: { B: Buffer.from([0, 255]) }, bs: { BS: [Buffer.from('hi')] }, m: { M: { l: { L: [{ B: Buffer.from([7]) }] } } } };
  const text = encodeItem(item);
  assert.equal(text, '{"b":{"B":"AP8="},"bs":{"BS":["aGk="]},"m":{"M":{"l":{"L":[{"B":"Bw=="}]}}}}');
  assert.deepEqual(decodeItem(text), item);

  assert.equal(dynamodbErrorType('ResourceNotFoundException', true), 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
  assert.equal(dynamodbErrorType('ValidationException', false), 'com.amazon.coral.validate#ValidationException');
  assert.equal(dynamodbErrorType('UnrecognizedClientException', false), 'com.amazon.coral.service#UnrecognizedClientException');
  const body = '{"TableNames":[]}';
  assert.equal(addCrc32({ status: 200, headers: {}, body }).headers['x-amz-crc32'], String(crc32(Buffer.from(body))));
  assert.equal(addCrc32({ status: 200, headers: {}, body: '{}' }).headers['x-amz-crc32'], '2745614147');
});
