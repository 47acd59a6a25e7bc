// The legacy conditional parameters: DynamoDB's checks word for word, and their conversion into
// the expression trees (evaluated by the same evaluator as ConditionExpression/FilterExpression).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attributeUpdates,
  checkExpressionMixing,
  checkKeyConditions,
  checkQueryFilterKeys,
  expectedCondition,
  filterCondition,
  keyConditionBounds,
} from '../../../src/services/dynamodb/legacy.ts';
import type { KeySchema } from '../../../src/services/dynamodb/keys.ts';
import { thrown } from '../../helpers/sdk-errors.ts';


const invalid = (detail: string) => ({ code: 'ValidationException', message: `One or more parameter values were invalid: ${detail}` });
const item = { id: { S: 'a' }, n: { N: '5' }, tags: { SS: ['x', 'y'] }, name: { S: 'alpha' } };
const schema: KeySchema = { hash: { name: 'id', type: 'S' }, range: { name: 'n', type: 'N' } };

test('mixing legacy and expression parameters fails with both lists named, in DynamoDB order', () => {
  assert.deepEqual(
    thrown(() => checkExpressionMixing({ Expected: {}, ConditionExpression: 'x' }, ['Expected', 'ConditionalOperator'], ['ConditionExpression'])),
    { code: 'ValidationException', message: 'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}' },
  );
  assert.deepEqual(
    thrown(() => checkExpressionMixing({ AttributeUpdates: {}, Expected: {}, UpdateExpression: 'SET a = :a', ConditionExpression: 'x' }, ['AttributeUpdates', 'Expected'], ['UpdateExpression', 'ConditionExpression'])).message,
    'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}',
  );
  // KeyConditions may be combined with a FilterExpression, but not with a KeyConditionExpression.
  checkExpressionMixing({ KeyConditions: {}, FilterExpression: 'a = :a' }, ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'], ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression']);
  assert.equal(
    thrown(() => checkExpressionMixing({ KeyConditions: {}, QueryFilter: {}, KeyConditionExpression: 'id = :id' }, ['AttributesToGet', 'QueryFilter', 'ConditionalOperator', 'KeyConditions'], ['ProjectionExpression', 'FilterExpression', 'KeyConditionExpression'])).message,
    'Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter, KeyConditions} Expression parameters: {KeyConditionExpression}',
  );
});

test('Expected: Value/Exists and ComparisonOperator forms evaluate like the expressions they stand for', () => {
  assert.equal(expectedCondition({ name: { Value: { S: 'alpha' } } }, undefined)!.test(item), true);
  assert.equal(expectedCondition({ name: { Value: { S: 'beta' }, Exists: true } }, undefined)!.test(item), false);
  assert.equal(expectedCondition({ missing: { Exists: false } }, undefined)!.test(item), true);
  assert.equal(expectedCondition({ missing: { Exists: false } }, undefined)!.test(undefined), true);
  assert.equal(expectedCondition({ id: { Exists: false } }, undefined)!.test(item), false);
  const cases: Array<[string, unknown[], boolean]> = [
    ['EQ', [{ N: '5.0' }], true],
    ['NE', [{ N: '5' }], false],
    ['LT', [{ N: '6' }], true],
    ['LE', [{ N: '4' }], false],
    ['GT', [{ N: '4' }], true],
    ['GE', [{ N: '6' }], false],
    ['BETWEEN', [{ N: '1' }, { N: '5' }], true],
    ['IN', [{ N: '1' }, { N: '5' }], true],
    ['NOT_NULL', [], true],
    ['NULL', [], false],
  ];
  for (const [operator, values, expected] of cases) {
    assert.equal(expectedCondition({ n: { ComparisonOperator: operator, AttributeValueList: values as never } }, undefined)!.test(item), expected, operator);
  }
  assert.equal(expectedCondition({ tags: { ComparisonOperator: 'CONTAINS', AttributeValueList: [{ S: 'x' }] } }, undefined)!.test(item), true);
  assert.equal(expectedCondition({ tags: { ComparisonOperator: 'NOT_CONTAINS', AttributeValueList: [{ S: 'x' }] } }, undefined)!.test(item), false);
  assert.equal(expectedCondition({ name: { ComparisonOperator: 'BEGINS_WITH', Value: { S: 'al' } } }, undefined)!.test(item), true);
  // ConditionalOperator joins the entries.
  const two = { name: { Value: { S: 'zzz' } }, n: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '5' }] } };
  assert.equal(expectedCondition(two, 'OR')!.test(item), true);
  assert.equal(expectedCondition(two, 'AND')!.test(item), false);
  assert.equal(expectedCondition(two, undefined)!.test(item), false);
});

test("Expected: DynamoDB's checks in its words", () => {
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'x' }, { S: 'y' }] } }, undefined)), invalid('Invalid number of argument(s) for the EQ ComparisonOperator'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'NULL', AttributeValueList: [{ S: 'x' }] } }, undefined)), invalid('Invalid number of argument(s) for the NULL ComparisonOperator'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '1' }] } }, undefined)), invalid('Invalid number of argument(s) for the BETWEEN ComparisonOperator'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { Value: { S: 'x' }, AttributeValueList: [{ S: 'x' }] } }, undefined)), invalid('Value and AttributeValueList cannot be used together for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'EQ', Exists: true, Value: { S: 'x' } } }, undefined)), invalid('Exists and ComparisonOperator cannot be used together for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'GT' } }, undefined)), invalid('Value or AttributeValueList must be used with ComparisonOperator: GT for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { AttributeValueList: [{ S: 'x' }] } }, undefined)), invalid('AttributeValueList can only be used with a ComparisonOperator for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: {} }, undefined)), invalid('Value must be provided when Exists is null for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { Exists: true } }, undefined)), invalid('Value must be provided when Exists is true for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { Exists: false, Value: { S: 'x' } } }, undefined)), invalid('Value cannot be used when Exists is false for Attribute: a'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'IN', AttributeValueList: [{ S: 'x' }, { N: '1' }] } }, undefined)), invalid('AttributeValues inside AttributeValueList must be of same type'));
  assert.deepEqual(thrown(() => expectedCondition({ a: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '5' }, { N: '1' }] } }, undefined)), {
    code: 'ValidationException',
    message: 'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound',
  });
  assert.deepEqual(thrown(() => expectedCondition(undefined, 'OR')), { code: 'ValidationException', message: 'ConditionalOperator cannot be used without Filter or Expected' });
  assert.deepEqual(thrown(() => expectedCondition({ a: { Exists: false } }, 'OR')), {
    code: 'ValidationException',
    message: 'ConditionalOperator can only be used when Filter or Expected has two or more elements',
  });
});

test('QueryFilter/ScanFilter: type rules per operator, and key attributes refused in a QueryFilter', () => {
  assert.equal(filterCondition({ name: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ S: 'al' }] } }, undefined)!.test(item), true);
  assert.deepEqual(thrown(() => filterCondition({ name: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [{ N: '1' }] } }, undefined)), invalid('ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type'));
  assert.deepEqual(thrown(() => filterCondition({ tags: { ComparisonOperator: 'LT', AttributeValueList: [{ SS: ['a'] }] } }, undefined)), invalid('ComparisonOperator LT is not valid for SS AttributeValue type'));
  assert.deepEqual(thrown(() => filterCondition({ n: { ComparisonOperator: 'IN' } }, undefined)), invalid('Invalid number of argument(s) for the IN ComparisonOperator'));
  assert.deepEqual(thrown(() => checkQueryFilterKeys({ n: { ComparisonOperator: 'NOT_NULL' } }, schema)), {
    code: 'ValidationException',
    message: 'QueryFilter can only contain non-primary key attributes: Primary key attribute: n',
  });
});

test('KeyConditions become the same key bounds as a KeyConditionExpression, with DynamoDB errors', () => {
  assert.deepEqual(keyConditionBounds({ id: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } }, schema), { hash: { S: 'a' } });
  assert.deepEqual(
    keyConditionBounds({ id: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] }, n: { ComparisonOperator: 'BETWEEN', AttributeValueList: [{ N: '1' }, { N: '3' }] } }, schema),
    { hash: { S: 'a' }, range: { op: 'BETWEEN', values: [{ N: '1' }, { N: '3' }] } },
  );
  assert.deepEqual(thrown(() => checkKeyConditions({})), { code: 'ValidationException', message: 'Conditions can be of length 1 or 2 only' });
  assert.deepEqual(thrown(() => keyConditionBounds({ n: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } }, schema)), { code: 'ValidationException', message: 'Query condition missed key schema element: id' });
  assert.deepEqual(thrown(() => keyConditionBounds({ id: { ComparisonOperator: 'NOT_NULL' } }, schema)), { code: 'ValidationException', message: 'Attempted conditional constraint is not an indexable operation' });
  assert.deepEqual(thrown(() => keyConditionBounds({ id: { ComparisonOperator: 'GT', AttributeValueList: [{ S: 'a' }] } }, schema)), { code: 'ValidationException', message: 'Query key condition not supported' });
  assert.deepEqual(thrown(() => keyConditionBounds({ id: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } }, schema)), invalid('Condition parameter type does not match schema type'));
});

test('AttributeUpdates: PUT, ADD (numbers, sets, lists) and DELETE (attribute or set members)', () => {
  const update = attributeUpdates({
    name: { Action: 'PUT', Value: { S: 'beta' } },
    n: { Action: 'ADD', Value: { N: '2' } },
    tags: { Action: 'DELETE', Value: { SS: ['x'] } },
    list: { Action: 'ADD', Value: { L: [{ S: 'q' }] } },
    gone: { Action: 'DELETE' },
    plain: { Value: { BOOL: true } },
  })!;
  const after = update.apply({ ...item, gone: { S: 'bye' } }, ['id']);
  assert.deepEqual(after, { id: { S: 'a' }, n: { N: '7' }, tags: { SS: ['y'] }, name: { S: 'beta' }, list: { L: [{ S: 'q' }] }, plain: { BOOL: true } });
  assert.deepEqual(update.paths.map((p) => p[0]), ['name', 'n', 'tags', 'list', 'gone', 'plain'].map((name) => ({ kind: 'name', name })));
  assert.deepEqual(thrown(() => attributeUpdates({ a: { Action: 'PUT' } })), invalid('Only DELETE action is allowed when no attribute value is specified'));
  assert.deepEqual(thrown(() => attributeUpdates({ a: { Action: 'DELETE', Value: { S: 'x' } } })), invalid('DELETE action with value is not supported for the type S'));
  assert.deepEqual(thrown(() => attributeUpdates({ a: { Action: 'ADD', Value: { S: 'x' } } })), invalid('ADD action is not supported for the type S'));
});
