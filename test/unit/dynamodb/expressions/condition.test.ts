import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AttributeValue,
  type Item,
  evaluateCondition,
  parseConditionExpression,
} from '../../../../src/services/dynamodb/expressions/index.ts';
import { assertValidation } from './helpers.ts';

const values: Record<string, AttributeValue> = {
  ':s': { S: 'abc' },
  ':a': { S: 'a' },
  ':z': { S: 'z' },
  ':n1': { N: '1' },
  ':n5': { N: '5' },
  ':n10': { N: '10' },
  ':n3': { N: '3' },
  ':b': { B: new Uint8Array([1, 2]) },
  ':t': { S: 'SS' },
  ':tn': { S: 'N' },
  ':l': { L: [{ S: 'x' }] },
  ':true': { BOOL: true },
};
const names = { '#st': 'status', '#m': 'mp', '#k': 'key.with.dots' };

const item: Item = {
  pk: { S: 'user#1' },
  status: { S: 'active' },
  qty: { N: '5' },
  cost: { N: '10.50' },
  title: { S: 'abcdef' },
  bin: { B: new Uint8Array([1, 2, 3]) },
  tags: { SS: ['red', 'blue'] },
  nums: { NS: ['1', '2.5'] },
  lst: { L: [{ S: 'x' }, { N: '1' }, { M: { deep: { S: 'abc' } } }] },
  mp: { M: { inr: { N: '3' }, sb: { M: { leaf: { BOOL: true } } } } },
  'key.with.dots': { S: 'dotted' },
  flag: { BOOL: true },
  nothing: { NULL: true },
};

function evaluate(expr: string, target: Item | 'no item' = item): boolean {
  const parsed = parseConditionExpression(expr, { names, values }, 'FilterExpression');
  return evaluateCondition(parsed.ast, target === 'no item' ? undefined : target);
}

// Each case: expression, expected result against `item`.
const evaluations: [string, boolean][] = [
  ['qty = :n5', true],
  ['qty = :n1', false],
  ['qty <> :n1', true],
  ['qty <> :n5', false],
  ['absent <> :n5', true],
  ['absent = :n5', false],
  ['qty < :n10', true],
  ['qty <= :n5', true],
  ['qty > :n5', false],
  ['qty >= :n5', true],
  ['cost > :n10', true],
  ['title < :z', true],
  ['title > :s', true],
  ['qty < :s', false],
  ['qty BETWEEN :n1 AND :n10', true],
  ['qty between :n1 and :n3', false],
  ['title BETWEEN :a AND :z', true],
  ['qty IN (:n1, :n3, :n5)', true],
  ['qty IN (:n1, :n3)', false],
  ['attribute_exists(pk)', true],
  ['attribute_exists(absent)', false],
  ['attribute_not_exists(absent)', true],
  ['attribute_exists(mp.sb.leaf)', true],
  ['attribute_exists(lst[2].deep)', true],
  ['attribute_exists(lst[3])', false],
  ['attribute_exists(#m.inr)', true],
  ['attribute_exists(#k)', true],
  ['attribute_type(tags, :t)', true],
  ['attribute_type(qty, :tn)', true],
  ['attribute_type(title, :tn)', false],
  ['begins_with(title, :s)', true],
  ['begins_with(lst[2].deep, :a)', true],
  ['begins_with(qty, :a)', false],
  ['begins_with(bin, :b)', true],
  ['contains(title, :s)', true],
  ['contains(title, :z)', false],
  ['contains(tags, :a)', false],
  ['contains(lst, :l)', false],
  ['size(title) = :n5', false],
  ['size(tags) < :n3', true],
  ['size(lst) = :n3', true],
  ['size(#m) > :n1', true],
  ['size(qty) = :n1', false],
  ['#st = :s OR qty = :n5', true],
  ['qty = :n5 AND title = :s', false],
  ['NOT qty = :n1', true],
  ['NOT (qty = :n5 OR title = :s)', false],
  // AND binds tighter than OR: true OR (false AND false).
  ['qty = :n5 OR qty = :n1 AND qty = :n3', true],
  // Parentheses change it: (true OR false) AND false.
  ['(qty = :n5 OR qty = :n1) AND qty = :n3', false],
  // NOT binds tighter than AND.
  ['NOT qty = :n1 AND qty = :n5', true],
  ['(qty) = :n5', true],
  ['mp.inr = :n3', true],
];
for (const [expr, expected] of evaluations) {
  test(`condition ${expr} → ${expected}`, () => {
    assert.equal(evaluate(expr), expected);
  });
}

test('contains finds a number in a number set by value and a lst element deeply', () => {
  const parsed = parseConditionExpression('contains(nums, :v) AND contains(lst, :x)', { values: { ':v': { N: '2.50' }, ':x': { N: '1' } } }, 'ConditionExpression');
  assert.equal(evaluateCondition(parsed.ast, item), true);
});

test('conditions on a absent item: attribute_not_exists is true, comparisons false', () => {
  assert.equal(evaluate('attribute_not_exists(pk)', 'no item'), true);
  assert.equal(evaluate('pk = :s', 'no item'), false);
  assert.equal(evaluate('pk <> :s', 'no item'), true);
});

test('size counts a string in UTF-8 bytes', () => {
  const parsed = parseConditionExpression('size(s) = :n', { values: { ':n': { N: '4' } } }, 'ConditionExpression');
  assert.equal(evaluateCondition(parsed.ast, { s: { S: 'é€' } }), false);
  const five = parseConditionExpression('size(s) = :n', { values: { ':n': { N: '5' } } }, 'ConditionExpression');
  assert.equal(evaluateCondition(five.ast, { s: { S: 'é€' } }), true);
});

test('parsing records the placeholders used', () => {
  const parsed = parseConditionExpression('#st = :s AND qty > :n1', { names, values }, 'ConditionExpression');
  assert.deepEqual([...parsed.usedNames], ['#st']);
  assert.deepEqual([...parsed.usedValues], [':s', ':n1']);
});

const C = 'Invalid ConditionExpression: ';
const errors: [string, Record<string, AttributeValue>, string][] = [
  ['a = = b', {}, `${C}Syntax error; token: "=", near: "= = b"`],
  ['foo', {}, `${C}Syntax error; token: "<EOF>", near: "foo"`],
  ['a = :v AND', { ':v': { S: 'x' } }, `${C}Syntax error; token: "<EOF>", near: "AND"`],
  ['a = !', {}, `${C}Syntax error; token: "!", near: "= !"`],
  ['a + :v = :v', { ':v': { S: 'x' } }, `${C}Syntax error; token: "+", near: "a + :v"`],
  ['a IN ()', {}, `${C}Syntax error; token: ")", near: "()"`],
  ['', {}, `${C}The expression can not be empty;`],
  ['status = :v', { ':v': { S: 'x' } }, `${C}Attribute name is a reserved keyword; reserved keyword: status`],
  ['a.Size = :v', { ':v': { S: 'x' } }, `${C}Attribute name is a reserved keyword; reserved keyword: Size`],
  ['a = :nope', {}, `${C}An expression attribute value used in expression is not defined; attribute value: :nope`],
  ['#nope = :v', { ':v': { S: 'x' } }, `${C}An expression attribute name used in the document path is not defined; attribute name: #nope`],
  ['((a = :v))', { ':v': { S: 'x' } }, `${C}The expression has redundant parentheses;`],
  ['foo(a)', {}, `${C}Invalid function name; function: foo`],
  ['if_not_exists(a, :v) = :v', { ':v': { S: 'x' } }, `${C}The function is not allowed in a condition expression; function: if_not_exists`],
  ['size(a)', {}, `${C}The function is not allowed to be used this way in an expression; function: size`],
  ['attribute_exists(a) = :v', { ':v': { BOOL: true } }, `${C}The function is not allowed to be used this way in an expression; function: attribute_exists`],
  ['attribute_exists(a, b)', {}, `${C}Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2`],
  ['attribute_exists(:v)', { ':v': { S: 'x' } }, `${C}Operator or function requires a document path; operator or function: attribute_exists`],
  ['begins_with(a, :v)', { ':v': { N: '1' } }, `${C}Incorrect operand type for operator or function; operator or function: begins_with, operand type: N`],
  ['attribute_type(a, :v)', { ':v': { N: '1' } }, `${C}Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N`],
  ['attribute_type(a, :v)', { ':v': { S: 'STRING' } }, `${C}Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`],
  ['size(:v) > :v', { ':v': { N: '1' } }, `${C}Incorrect operand type for operator or function; operator or function: size, operand type: N`],
  ['a = a', {}, `${C}The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]`],
  ['begins_with(a.b, a.b)', {}, `${C}The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [a, b]`],
  ['a BETWEEN :x AND :y', { ':x': { N: '1' }, ':y': { S: 'a' } }, `${C}The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}`],
  ['a BETWEEN :x AND :y', { ':x': { S: 'b' }, ':y': { S: 'a' } }, `${C}The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}`],
  // A reserved word is reported before an undefined placeholder.
  ['#nope = :v AND status = :v', { ':v': { S: 'x' } }, `${C}Attribute name is a reserved keyword; reserved keyword: status`],
];
for (const [expr, vals, message] of errors) {
  test(`ConditionExpression ${JSON.stringify(expr)} is refused: ${message.slice(C.length)}`, () => {
    assertValidation(() => parseConditionExpression(expr, { values: vals }, 'ConditionExpression'), message);
  });
}

test('a FilterExpression names itself in errors', () => {
  assertValidation(
    () => parseConditionExpression('a <', {}, 'FilterExpression'),
    'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "<"',
  );
});

test('IN takes at most 100 operands', () => {
  const list = Array.from({ length: 101 }, () => ':v').join(', ');
  assert.doesNotThrow(() => parseConditionExpression(`a IN (${Array.from({ length: 100 }, () => ':v').join(', ')})`, { values: { ':v': { S: 'x' } } }, 'ConditionExpression'));
  assertValidation(
    () => parseConditionExpression(`a IN (${list})`, { values: { ':v': { S: 'x' } } }, 'ConditionExpression'),
    'Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101',
  );
});

test('an expression over 4 KB is refused with its size', () => {
  const expr = 'a = :v' + ' AND a = :v'.repeat(373);
  assertValidation(
    () => parseConditionExpression(expr, { values: { ':v': { S: 'x' } } }, 'ConditionExpression'),
    'Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4109',
  );
});

test('document paths nest at most 32 levels', () => {
  const path = (n: number) => Array.from({ length: n }, () => 'a').join('.');
  assert.doesNotThrow(() => parseConditionExpression(`attribute_exists(${path(32)})`, {}, 'ConditionExpression'));
  assertValidation(
    () => parseConditionExpression(`attribute_exists(${path(33)})`, {}, 'ConditionExpression'),
    'Invalid ConditionExpression: The document path has too many nesting levels; nesting levels: 33',
  );
});

test('keywords are case-insensitive and whitespace is free', () => {
  assert.equal(evaluate('qty between :n1 and :n10 and not qty in(:n1)'), true);
  assert.equal(evaluate('\tqty\n=\r:n5 '), true);
});
