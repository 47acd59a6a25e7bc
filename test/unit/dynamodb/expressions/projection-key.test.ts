import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AttributeValue,
  type Item,
  checkAllUsed,
  parseConditionExpression,
  parseKeyConditionExpression,
  parseProjectionExpression,
  parseUpdateExpression,
  project,
} from '../../../../src/services/dynamodb/expressions/index.ts';
import { assertValidation } from './helpers.ts';

const item: Item = {
  pk: { S: 'k' },
  a: { N: '1' },
  m: { M: { x: { S: 'x' }, y: { S: 'y' }, deep: { M: { z: { N: '2' } } } } },
  l: { L: [{ S: 'l0' }, { S: 'l1' }, { M: { q: { S: 'q' }, r: { S: 'r' } } }, { S: 'l3' }] },
  status: { S: 'on' },
};

const projections: [string, Item][] = [
  ['a', { a: { N: '1' } }],
  ['a, pk', { pk: { S: 'k' }, a: { N: '1' } }],
  ['m.x', { m: { M: { x: { S: 'x' } } } }],
  ['m.x, m.deep.z', { m: { M: { x: { S: 'x' }, deep: { M: { z: { N: '2' } } } } } }],
  ['l[3], l[1]', { l: { L: [{ S: 'l1' }, { S: 'l3' }] } }],
  ['l[2].r', { l: { L: [{ M: { r: { S: 'r' } } }] } }],
  ['absent, m.absent, l[9], a.b', {}],
  ['#s', { status: { S: 'on' } }],
];
for (const [expr, expected] of projections) {
  test(`projection ${expr}`, () => {
    const parsed = parseProjectionExpression(expr, { names: { '#s': 'status' } });
    assert.deepEqual(project(parsed.ast, item), expected);
  });
}

const P = 'Invalid ProjectionExpression: ';
const projectionErrors: [string, string][] = [
  ['', `${P}The expression can not be empty;`],
  ['a,', `${P}Syntax error; token: "<EOF>", near: ","`],
  ['a b', `${P}Syntax error; token: "b", near: "a b"`],
  ['status', `${P}Attribute name is a reserved keyword; reserved keyword: status`],
  ['#x', `${P}An expression attribute name used in the document path is not defined; attribute name: #x`],
  ['m, m.x', `${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, x]`],
  ['l[0], l.x', `${P}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, x]`],
];
for (const [expr, message] of projectionErrors) {
  test(`ProjectionExpression ${JSON.stringify(expr)} is refused: ${message.slice(P.length)}`, () => {
    assertValidation(() => parseProjectionExpression(expr, {}), message);
  });
}

const values: Record<string, AttributeValue> = { ':h': { S: 'h' }, ':r': { N: '1' }, ':r2': { N: '9' }, ':p': { S: 'pre' } };
const key = { hash: 'pk', range: 'sk' };

const keyConditions: [string, object][] = [
  ['pk = :h', { hash: { S: 'h' } }],
  [':h = pk', { hash: { S: 'h' } }],
  ['pk = :h AND sk = :r', { hash: { S: 'h' }, range: { op: '=', values: [{ N: '1' }] } }],
  ['pk = :h AND sk < :r', { hash: { S: 'h' }, range: { op: '<', values: [{ N: '1' }] } }],
  ['sk >= :r AND pk = :h', { hash: { S: 'h' }, range: { op: '>=', values: [{ N: '1' }] } }],
  ['pk = :h AND :r > sk', { hash: { S: 'h' }, range: { op: '<', values: [{ N: '1' }] } }],
  ['pk = :h AND sk BETWEEN :r AND :r2', { hash: { S: 'h' }, range: { op: 'BETWEEN', values: [{ N: '1' }, { N: '9' }] } }],
  ['pk = :h AND begins_with(#s, :p)', { hash: { S: 'h' }, range: { op: 'begins_with', values: [{ S: 'pre' }] } }],
  ['(pk = :h) AND (sk <= :r)', { hash: { S: 'h' }, range: { op: '<=', values: [{ N: '1' }] } }],
];
for (const [expr, expected] of keyConditions) {
  test(`key condition ${expr}`, () => {
    const parsed = parseKeyConditionExpression(expr, { names: { '#s': 'sk' }, values }, key);
    assert.deepEqual(parsed.ast, expected);
  });
}

const keyErrors: [string, string, { hash: string; range?: string }?][] = [
  ['pk = :h OR sk = :r', 'Invalid operator used in KeyConditionExpression: OR'],
  ['NOT pk = :h', 'Invalid operator used in KeyConditionExpression: NOT'],
  ['pk IN (:h)', 'Invalid operator used in KeyConditionExpression: IN'],
  ['pk <> :h', 'Invalid operator used in KeyConditionExpression: <>'],
  ['attribute_exists(pk)', 'Invalid operator used in KeyConditionExpression: attribute_exists'],
  ['contains(pk, :h)', 'Invalid operator used in KeyConditionExpression: contains'],
  ['pk = :h AND size(sk) > :r', 'KeyConditionExpressions cannot contain nested operations'],
  ['pk = :h AND sk = pk', 'Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition'],
  ['pk.a = :h', 'KeyConditionExpressions cannot have conditions on nested attributes'],
  [':h = :r', 'Invalid condition in KeyConditionExpression: No key attribute specified'],
  [':r BETWEEN sk AND :r2', 'Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand'],
  ['begins_with(:p, sk)', 'Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand'],
  ['pk = :h AND sk > :r AND sk < :r2', 'KeyConditionExpressions must only contain one condition per key'],
  ['pk = :h AND sk = :r AND extra = :r', 'Conditions can be of length 1 or 2 only'],
  ['sk = :r', 'Query condition missed key schema element: pk'],
  ['pk = :h AND extra = :r', 'Query condition missed key schema element: sk'],
  ['pk = :h AND extra = :r', 'Query key condition not supported', { hash: 'pk' }],
  ['pk > :h', 'Query key condition not supported'],
  ['begins_with(pk, :h)', 'Query key condition not supported'],
  ['pk = :h AND', 'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND"'],
  ['pk = :nope', 'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope'],
];
for (const [expr, message, schema] of keyErrors) {
  test(`KeyConditionExpression ${JSON.stringify(expr)} is refused: ${message}`, () => {
    assertValidation(() => parseKeyConditionExpression(expr, { values }, schema ?? key), message);
  });
}

test('checkAllUsed passes when every placeholder is used by some expression', () => {
  const input = { names: { '#a': 'a', '#b': 'b' }, values: { ':v': { S: 'x' } } };
  const update = parseUpdateExpression('SET #a = :v', input);
  const condition = parseConditionExpression('attribute_exists(#b)', input, 'ConditionExpression');
  assert.doesNotThrow(() => checkAllUsed(input, [update, condition]));
});

test('checkAllUsed names the unused expression attribute names first', () => {
  const input = { names: { '#a': 'a', '#b': 'b', '#c': 'c' }, values: { ':v': { S: 'x' }, ':u': { S: 'y' } } };
  const parsed = parseUpdateExpression('SET #a = :v', input);
  assertValidation(() => checkAllUsed(input, [parsed]), 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}');
});

test('checkAllUsed names the unused expression attribute values', () => {
  const input = { values: { ':v': { S: 'x' }, ':u': { S: 'y' } } };
  const parsed = parseUpdateExpression('SET a = :v', input);
  assertValidation(() => checkAllUsed(input, [parsed]), 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}');
});
