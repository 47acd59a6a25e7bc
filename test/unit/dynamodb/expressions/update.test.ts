import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type AttributeValue,
  type Item,
  applyUpdate,
  parseUpdateExpression,
  updatedAttributes,
} from '../../../../src/services/dynamodb/expressions/index.ts';
import { assertValidation } from './helpers.ts';

const values: Record<string, AttributeValue> = {
  ':one': { N: '1' },
  ':half': { N: '0.5' },
  ':s': { S: 'new' },
  ':l': { L: [{ S: 'z' }] },
  ':empty': { L: [] },
  ':ss': { SS: ['b', 'c'] },
  ':ns': { NS: ['2', '3'] },
  ':del': { SS: ['a', 'b'] },
};
const names = { '#st': 'status' };

const base: Item = {
  pk: { S: 'k' },
  n: { N: '5' },
  s: { S: 'old' },
  tags: { SS: ['a', 'b'] },
  nums: { NS: ['1'] },
  lst: { L: [{ S: 'x' }, { S: 'y' }, { S: 'w' }] },
  m: { M: { a: { N: '1' }, inr: { M: {} } } },
  status: { S: 'on' },
};

function run(expr: string, item: Item = base): Item {
  return applyUpdate(parseUpdateExpression(expr, { names, values }).ast, item, ['pk']);
}

// Each case: expression and the attributes it should leave (only the ones listed are checked).
const applied: [string, Item][] = [
  ['SET s = :s', { s: { S: 'new' } }],
  ['set fresh = :one', { fresh: { N: '1' } }],
  ['SET n = n + :one', { n: { N: '6' } }],
  ['SET n = n - :half', { n: { N: '4.5' } }],
  ['SET n = :one + n', { n: { N: '6' } }],
  ['SET c = if_not_exists(c, :one)', { c: { N: '1' } }],
  ['SET n = if_not_exists(n, :one)', { n: { N: '5' } }],
  ['SET c = if_not_exists(c, :half) + :one', { c: { N: '1.5' } }],
  ['SET lst = list_append(lst, :l)', { lst: { L: [{ S: 'x' }, { S: 'y' }, { S: 'w' }, { S: 'z' }] } }],
  ['SET lst = list_append(:l, lst)', { lst: { L: [{ S: 'z' }, { S: 'x' }, { S: 'y' }, { S: 'w' }] } }],
  ['SET q = list_append(if_not_exists(q, :empty), :l)', { q: { L: [{ S: 'z' }] } }],
  ['SET m.a = :s', { m: { M: { a: { S: 'new' }, inr: { M: {} } } } }],
  ['SET m.inr.deep = :one', { m: { M: { a: { N: '1' }, inr: { M: { deep: { N: '1' } } } } } }],
  ['SET lst[1] = :s', { lst: { L: [{ S: 'x' }, { S: 'new' }, { S: 'w' }] } }],
  ['SET lst[10] = :s', { lst: { L: [{ S: 'x' }, { S: 'y' }, { S: 'w' }, { S: 'new' }] } }],
  ['SET #st = :s', { status: { S: 'new' } }],
  ['SET s = n, n = s', { s: { N: '5' }, n: { S: 'old' } }],
  ['SET a = :one, b = :s REMOVE s ADD n :one DELETE tags :del', { a: { N: '1' }, b: { S: 'new' }, n: { N: '6' } }],
  ['REMOVE lst[0], lst[2]', { lst: { L: [{ S: 'y' }] } }],
  ['REMOVE m.a', { m: { M: { inr: { M: {} } } } }],
  ['REMOVE lst[9]', { lst: base.lst! }],
  ['ADD n :one', { n: { N: '6' } }],
  ['ADD fresh :half', { fresh: { N: '0.5' } }],
  ['ADD tags :ss', { tags: { SS: ['a', 'b', 'c'] } }],
  ['ADD nums :ns', { nums: { NS: ['1', '2', '3'] } }],
  ['ADD newset :ss', { newset: { SS: ['b', 'c'] } }],
  ['ADD m.a :one', { m: { M: { a: { N: '2' }, inr: { M: {} } } } }],
  ['DELETE tags :ss', { tags: { SS: ['a'] } }],
  ['DELETE nosuch :ss', {}],
];
for (const [expr, expected] of applied) {
  test(`update ${expr}`, () => {
    const result = run(expr);
    for (const [name, value] of Object.entries(expected)) assert.deepEqual(result[name], value, name);
  });
}

test('REMOVE and DELETE of every member take attributes away', () => {
  const result = run('REMOVE s, m DELETE tags :del');
  assert.deepEqual(Object.keys(result).sort(), ['lst', 'n', 'nums', 'pk', 'status']);
});

test('applying an update leaves the input item untouched', () => {
  const before = structuredClone(base);
  run('SET m.a = :s, lst[0] = :s ADD tags :ss REMOVE n');
  assert.deepEqual(base, before);
});

test('an update creates the item from its key when there is none', () => {
  assert.deepEqual(run('SET a = :one', { pk: { S: 'k' } }), { pk: { S: 'k' }, a: { N: '1' } });
});

test('updatedAttributes lists each top-level attribute once, in order', () => {
  const update = parseUpdateExpression('SET a = :one, m.a = :s REMOVE m.inr, b ADD n :one', { values }).ast;
  assert.deepEqual(updatedAttributes(update), { updatedTopLevel: ['a', 'm', 'b', 'n'] });
});

const runtimeErrors: [string, string][] = [
  ['SET pk = :s', 'Cannot update attribute pk. This attribute is part of the key'],
  ['REMOVE pk', 'Cannot update attribute pk. This attribute is part of the key'],
  ['SET s = s + :one', 'An operand in the update expression has an incorrect data type'],
  ['SET s = list_append(s, :l)', 'An operand in the update expression has an incorrect data type'],
  ['ADD s :one', 'An operand in the update expression has an incorrect data type'],
  ['ADD tags :ns', 'An operand in the update expression has an incorrect data type'],
  ['DELETE nums :ss', 'An operand in the update expression has an incorrect data type'],
  ['SET s = nosuch', 'The provided expression refers to an attribute that does not exist in the item'],
  ['SET s = nosuch + :one', 'The provided expression refers to an attribute that does not exist in the item'],
  ['SET nosuch.a = :one', 'The document path provided in the update expression is invalid for update'],
  ['SET s.a = :one', 'The document path provided in the update expression is invalid for update'],
  ['SET m[0] = :one', 'The document path provided in the update expression is invalid for update'],
  ['SET n = :big + :big', 'Attempting to store more than 38 significant digits in a Number'],
];
for (const [expr, message] of runtimeErrors) {
  test(`update ${expr} fails: ${message}`, () => {
    const big = { ':big': { N: '9999999999999999999999999999999999999.7' } };
    assertValidation(() => applyUpdate(parseUpdateExpression(expr, { values: { ...values, ...big } }).ast, base, ['pk']), message);
  });
}

const U = 'Invalid UpdateExpression: ';
const parseErrors: [string, string][] = [
  ['SET MyStr = myNum + 1', `${U}Syntax error; token: "1", near: "+ 1"`],
  ['SET MyStr = myNum Mystr2 myNum2', `${U}Syntax error; token: "Mystr2", near: "myNum Mystr2 myNum2"`],
  ['SET MyStr = my Num', `${U}Syntax error; token: "Num", near: "my Num"`],
  ['SET a = :one + :one + :one', `${U}Syntax error; token: "+", near: ":one + :one"`],
  ['PUT a = :one', `${U}Syntax error; token: "PUT", near: "PUT a"`],
  ['SET a', `${U}Syntax error; token: "<EOF>", near: "a"`],
  ['ADD a b', `${U}Syntax error; token: "b", near: "a b"`],
  ['', `${U}The expression can not be empty;`],
  ['SET status = :one', `${U}Attribute name is a reserved keyword; reserved keyword: status`],
  ['SET a = :one SET b = :one', `${U}The "SET" section can only be used once in an update expression;`],
  ['REMOVE a REMOVE b', `${U}The "REMOVE" section can only be used once in an update expression;`],
  ['SET a = :nope', `${U}An expression attribute value used in expression is not defined; attribute value: :nope`],
  ['SET #nope = :one', `${U}An expression attribute name used in the document path is not defined; attribute name: #nope`],
  ['SET a = foo(b)', `${U}Invalid function name; function: foo`],
  ['SET a = size(b)', `${U}The function is not allowed in an update expression; function: size`],
  ['SET a = list_append(b)', `${U}Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1`],
  ['SET a = if_not_exists(:one, b)', `${U}Operator or function requires a document path; operator or function: if_not_exists`],
  ['SET a = list_append(b, :s)', `${U}Incorrect operand type for operator or function; operator or function: list_append, operand type: S`],
  ['SET a = b + :s', `${U}Incorrect operand type for operator or function; operator or function: +, operand type: S`],
  ['ADD a :s', `${U}Incorrect operand type for operator or function; operator: ADD, operand type: STRING`],
  ['ADD a :l', `${U}Incorrect operand type for operator or function; operator: ADD, operand type: LIST`],
  ['DELETE a :one', `${U}Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER`],
  ['SET a = :one REMOVE a.b', `${U}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]`],
  ['SET a.b = :one, a[1] = :one', `${U}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]`],
  ['SET a[1] = :one REMOVE a[1]', `${U}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, [1]], path two: [a, [1]]`],
];
for (const [expr, message] of parseErrors) {
  test(`UpdateExpression ${JSON.stringify(expr)} is refused: ${message.slice(U.length)}`, () => {
    assertValidation(() => parseUpdateExpression(expr, { values }), message);
  });
}

test('an update expression over 4 KB is refused without its size', () => {
  const expr = 'SET ' + Array.from({ length: 500 }, (_, i) => `a${i} = :one`).join(', ');
  assertValidation(() => parseUpdateExpression(expr, { values }), 'Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;');
});
