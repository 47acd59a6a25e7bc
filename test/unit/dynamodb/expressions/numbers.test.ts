import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addNumbers,
  attributeValuesEqual,
  canonicalNumber,
  compareNumbers,
  compareValues,
  subtractNumbers,
} from '../../../../src/services/dynamodb/expressions/index.ts';
import { assertValidation } from './helpers.ts';

const OVERFLOW = 'Number overflow. Attempting to store a number with magnitude larger than supported range';
const UNDERFLOW = 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
const DIGITS = 'Attempting to store more than 38 significant digits in a Number';
const NOT_NUMERIC = 'The parameter cannot be converted to a numeric value';

const canonical: [string, string][] = [
  ['0', '0'],
  ['-0', '0'],
  ['0.000', '0'],
  ['00012', '12'],
  ['1.50', '1.5'],
  ['+7', '7'],
  ['1e3', '1000'],
  ['1.5E-2', '0.015'],
  ['-0.0100e3', '-10'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['123456789012345678901234567890.12345678', '123456789012345678901234567890.12345678'],
  ['1e125', '1' + '0'.repeat(125)],
  ['9.9999999999999999999999999999999999999E+125', '99999999999999999999999999999999999999' + '0'.repeat(88)],
  ['1e-130', '0.' + '0'.repeat(129) + '1'],
  ['1000000000000000000000000000000000000000000', '1000000000000000000000000000000000000000000'],
];
for (const [input, expected] of canonical) {
  test(`canonicalNumber(${input}) is ${expected.length > 30 ? expected.slice(0, 30) + '…' : expected}`, () => {
    assert.equal(canonicalNumber(input), expected);
  });
}

const invalid: [string, string][] = [
  ['abc', `${NOT_NUMERIC}: abc`],
  ['', `${NOT_NUMERIC}: `],
  [' 1', `${NOT_NUMERIC}:  1`],
  ['1 ', `${NOT_NUMERIC}: 1 `],
  ['1.2.3', `${NOT_NUMERIC}: 1.2.3`],
  ['0x10', `${NOT_NUMERIC}: 0x10`],
  ['1e', `${NOT_NUMERIC}: 1e`],
  ['NaN', `${NOT_NUMERIC}: NaN`],
  ['Infinity', `${NOT_NUMERIC}: Infinity`],
  ['1e126', OVERFLOW],
  ['-1e126', OVERFLOW],
  ['1e2147483647', OVERFLOW],
  ['1e99999999999', OVERFLOW],
  ['1e-131', UNDERFLOW],
  ['-1e-131', UNDERFLOW],
  ['1e-99999999999', UNDERFLOW],
  ['123456789012345678901234567890123456789', DIGITS],
  ['-1.23456789012345678901234567890123456789', DIGITS],
];
for (const [input, message] of invalid) {
  test(`canonicalNumber(${JSON.stringify(input)}) is refused: ${message}`, () => {
    assertValidation(() => canonicalNumber(input), message);
  });
}

const comparisons: [string, string, number][] = [
  ['1', '1.0', 0],
  ['2', '10', -1],
  ['-2', '-10', 1],
  ['0', '-0', 0],
  ['1e-130', '0', 1],
  ['-1e125', '1e-130', -1],
  ['123456789012345678901234567890123456.78', '123456789012345678901234567890123456.77', 1],
];
for (const [a, b, expected] of comparisons) {
  test(`compareNumbers(${a}, ${b}) is ${expected}`, () => {
    assert.equal(compareNumbers(a, b), expected);
  });
}

const sums: [string, string, string, string][] = [
  ['+', '0.1', '0.2', '0.3'],
  ['+', '5', '-5', '0'],
  ['+', '1.2', '5', '6.2'],
  ['+', '5.3', '0.05', '5.35'],
  ['+', '99999999999999999999999999999999999999', '1', '100000000000000000000000000000000000000'],
  ['-', '1', '0.9', '0.1'],
  ['-', '-1e-130', '1e-130', '-0.' + '0'.repeat(129) + '2'],
  ['-', '10', '10.00', '0'],
];
for (const [op, a, b, expected] of sums) {
  test(`${a} ${op} ${b} = ${expected.length > 30 ? expected.slice(0, 30) + '…' : expected} exactly`, () => {
    assert.equal(op === '+' ? addNumbers(a, b) : subtractNumbers(a, b), expected);
  });
}

test('a sum needing 39 significant digits is refused', () => {
  assertValidation(() => addNumbers('99999999999999999999999999999999999999', '0.1'), DIGITS);
});

test('a sum past 9.99E+125 overflows', () => {
  assertValidation(() => addNumbers('9.9999999999999999999999999999999999999E+125', '1e125'), OVERFLOW);
});

test('a difference below 1E-130 in magnitude underflows', () => {
  assertValidation(() => subtractNumbers('1.1e-130', '1e-130'), UNDERFLOW);
});

const valueOrder: [string, object, object, number | undefined][] = [
  ['strings by UTF-8 bytes (U+FF61 before U+10000, unlike UTF-16)', { S: '\uff61' }, { S: '\u{10000}' }, -1],
  ['strings: prefix first', { S: 'ab' }, { S: 'abc' }, -1],
  ['numbers by value', { N: '10' }, { N: '9' }, 1],
  ['binary bytewise', { B: new Uint8Array([1, 255]) }, { B: new Uint8Array([2]) }, -1],
  ['different types', { S: '1' }, { N: '1' }, undefined],
  ['unordered types', { BOOL: true }, { BOOL: true }, undefined],
];
for (const [label, a, b, expected] of valueOrder) {
  test(`compareValues: ${label}`, () => {
    assert.equal(compareValues(a, b), expected);
  });
}

const equality: [string, object, object, boolean][] = [
  ['string sets ignore order', { SS: ['a', 'b'] }, { SS: ['b', 'a'] }, true],
  ['number sets compare by value', { NS: ['1.0', '2'] }, { NS: ['2', '1'] }, true],
  ['lists are ordered', { L: [{ S: 'a' }, { S: 'b' }] }, { L: [{ S: 'b' }, { S: 'a' }] }, false],
  ['maps deeply', { M: { a: { N: '1' }, b: { L: [] } } }, { M: { b: { L: [] }, a: { N: '1.00' } } }, true],
  ['map with a missing key', { M: { a: { N: '1' } } }, { M: { b: { N: '1' } } }, false],
  ['number and string differ', { N: '1' }, { S: '1' }, false],
];
for (const [label, a, b, expected] of equality) {
  test(`attributeValuesEqual: ${label}`, () => {
    assert.equal(attributeValuesEqual(a, b), expected);
  });
}
