/**
 * DynamoDB's legacy conditional parameters ("Legacy conditional parameters" in the developer
 * guide): Expected, ConditionalOperator, AttributeUpdates, KeyConditions, QueryFilter and
 * ScanFilter. Each is checked with DynamoDB's own wording and then converted into the trees the
 * expression language produces (./expressions/types.ts), so one evaluator (evaluateCondition,
 * applyUpdate) and the same key-range reads serve both forms of a request.
 */
import * as expressions from './expressions/index.ts';
import type { Condition, Operand, Update, UpdateAction } from './expressions/index.ts';
import { checkAttributeMap, type AttributeMap, type AttributeValue } from './attributes.ts';
import { invalidParameter, validation } from './errors.ts';
import type { CompiledCondition, CompiledUpdate, KeyConditionBounds } from './expr.ts';
import type { KeySchema } from './keys.ts';

export type ComparisonOperator =
  | 'EQ' | 'NE' | 'LE' | 'LT' | 'GE' | 'GT' | 'NOT_NULL' | 'NULL' | 'CONTAINS' | 'NOT_CONTAINS' | 'BEGINS_WITH' | 'IN' | 'BETWEEN';

export interface LegacyCondition {
  ComparisonOperator: ComparisonOperator | string;
  AttributeValueList?: AttributeValue[];
}

export interface LegacyExpected {
  Value?: AttributeValue;
  Exists?: boolean;
  ComparisonOperator?: ComparisonOperator | string;
  AttributeValueList?: AttributeValue[];
}

export interface LegacyAttributeUpdate {
  Value?: AttributeValue;
  Action?: 'PUT' | 'ADD' | 'DELETE' | string;
}

// ---------------------------------------------------------------------------------------------
// Mixing legacy and expression parameters

/**
 * "Can not use both expression and non-expression parameters in the same request: …". As on
 * DynamoDB, KeyConditions counts as non-expression only next to a KeyConditionExpression: a
 * Query may combine KeyConditions with a FilterExpression or ProjectionExpression.
 */
export function checkExpressionMixing(input: Record<string, unknown>, legacy: string[], expression: string[]): void {
  const usedExpression = expression.filter((n) => input[n] !== undefined);
  if (!usedExpression.length) return;
  const countsAsLegacy = (name: string) =>
    input[name] !== undefined && !(name === 'KeyConditions' && input.KeyConditionExpression === undefined);
  const usedLegacy = legacy.filter(countsAsLegacy);
  if (usedLegacy.length) {
    throw validation(
      `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${usedLegacy.join(', ')}} Expression parameters: {${usedExpression.join(', ')}}`,
    );
  }
}

/** ConditionalOperator joins two or more conditions of Expected, QueryFilter or ScanFilter. */
export function checkConditionalOperator(operator: string | undefined, conditions: object | undefined): void {
  if (operator === undefined) return;
  if (conditions === undefined) throw validation('ConditionalOperator cannot be used without Filter or Expected');
  if (Object.keys(conditions).length < 2) throw validation('ConditionalOperator can only be used when Filter or Expected has two or more elements');
}

// ---------------------------------------------------------------------------------------------
// Comparison operators → condition trees

/** How many values each operator takes: a number, or [min, max]. */
const ARGUMENT_COUNTS: Record<ComparisonOperator, number | [number, number]> = {
  EQ: 1, NE: 1, LE: 1, LT: 1, GE: 1, GT: 1, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1,
  NOT_NULL: 0, NULL: 0, IN: [1, Infinity], BETWEEN: 2,
};

/** The AttributeValue types each operator accepts (EQ and NE accept every type). */
const ACCEPTED_TYPES: Partial<Record<ComparisonOperator, string[]>> = {
  LE: ['S', 'N', 'B'], LT: ['S', 'N', 'B'], GE: ['S', 'N', 'B'], GT: ['S', 'N', 'B'],
  CONTAINS: ['S', 'N', 'B'], NOT_CONTAINS: ['S', 'N', 'B'], BEGINS_WITH: ['S', 'B'],
  IN: ['S', 'N', 'B'], BETWEEN: ['S', 'N', 'B'],
};

function typeName(value: AttributeValue): string {
  return Object.keys(value)[0] ?? '';
}

function argumentCountFits(operator: ComparisonOperator, count: number): boolean {
  const expected = ARGUMENT_COUNTS[operator];
  return typeof expected === 'number' ? count === expected : count >= expected[0] && count <= expected[1];
}

function invalidArgumentCount(operator: string): Error {
  return invalidParameter(`Invalid number of argument(s) for the ${operator} ComparisonOperator`);
}

function checkSameType(values: AttributeValue[]): void {
  if (values.length && values.some((v) => typeName(v) !== typeName(values[0]!))) {
    throw invalidParameter('AttributeValues inside AttributeValueList must be of same type');
  }
}

function checkBetweenOrder(values: AttributeValue[]): void {
  const order = expressions.compareValues(values[0]!, values[1]!);
  if (order !== undefined && order > 0) {
    throw validation('The BETWEEN condition was provided a range where the lower bound is greater than the upper bound');
  }
}

/** The checks DynamoDB makes on one Condition of KeyConditions, QueryFilter or ScanFilter. */
export function checkCondition(condition: LegacyCondition): void {
  const operator = condition.ComparisonOperator as ComparisonOperator;
  const values = condition.AttributeValueList ?? [];
  if (values.length) checkAttributeMap(Object.fromEntries(values.map((v, i) => [String(i), v])));
  if (!argumentCountFits(operator, values.length)) throw invalidArgumentCount(operator);
  checkSameType(values);
  const accepted = ACCEPTED_TYPES[operator];
  for (const value of values) {
    if (accepted && !accepted.includes(typeName(value))) {
      throw invalidParameter(`ComparisonOperator ${operator} is not valid for ${typeName(value)} AttributeValue type`);
    }
  }
  if (operator === 'BETWEEN') checkBetweenOrder(values);
}

function path(name: string): Operand {
  return { kind: 'path', path: [{ kind: 'name', name }] };
}

function value(v: AttributeValue, index: number): Operand {
  return { kind: 'value', placeholder: `:legacy${index}`, value: v };
}

/** One attribute's comparison as the condition-expression tree that means the same. */
export function comparisonTree(attribute: string, operator: ComparisonOperator, values: AttributeValue[]): Condition {
  const subject = path(attribute);
  const [first, second] = values.map(value);
  const compare = (op: expressions.Comparator): Condition => ({ kind: 'compare', op, left: subject, right: first! });
  switch (operator) {
    case 'EQ': return compare('=');
    case 'NE': return compare('<>');
    case 'LE': return compare('<=');
    case 'LT': return compare('<');
    case 'GE': return compare('>=');
    case 'GT': return compare('>');
    case 'NOT_NULL': return { kind: 'function', name: 'attribute_exists', args: [subject] };
    case 'NULL': return { kind: 'function', name: 'attribute_not_exists', args: [subject] };
    case 'CONTAINS': return { kind: 'function', name: 'contains', args: [subject, first!] };
    case 'NOT_CONTAINS': return { kind: 'not', condition: { kind: 'function', name: 'contains', args: [subject, first!] } };
    case 'BEGINS_WITH': return { kind: 'function', name: 'begins_with', args: [subject, first!] };
    case 'IN': return { kind: 'in', operand: subject, list: values.map(value) };
    case 'BETWEEN': return { kind: 'between', operand: subject, low: first!, high: second! };
  }
}

function join(trees: Condition[], operator: string | undefined): Condition {
  const kind = operator === 'OR' ? 'or' : 'and';
  return trees.reduce((left, right) => ({ kind, left, right }));
}

function compiled(tree: Condition): CompiledCondition {
  return { test: (item) => expressions.evaluateCondition(tree, item as expressions.Item | undefined) };
}

// ---------------------------------------------------------------------------------------------
// Expected (PutItem, UpdateItem, DeleteItem)

/** The checks of one Expected entry, in DynamoDB's order and words. */
function checkExpectedEntry(attribute: string, entry: LegacyExpected): void {
  const has = (name: keyof LegacyExpected) => entry[name] !== undefined;
  if (has('AttributeValueList') && has('Value')) {
    throw invalidParameter(`Value and AttributeValueList cannot be used together for Attribute: ${attribute}`);
  }
  if (has('ComparisonOperator')) {
    const operator = entry.ComparisonOperator as ComparisonOperator;
    if (has('Exists')) throw invalidParameter(`Exists and ComparisonOperator cannot be used together for Attribute: ${attribute}`);
    if (operator !== 'NULL' && operator !== 'NOT_NULL' && !has('AttributeValueList') && !has('Value')) {
      throw invalidParameter(`Value or AttributeValueList must be used with ComparisonOperator: ${operator} for Attribute: ${attribute}`);
    }
    const values = entry.AttributeValueList ?? (entry.Value ? [entry.Value] : []);
    if (!argumentCountFits(operator, values.length)) throw invalidArgumentCount(operator);
    if (values.length) checkAttributeMap(Object.fromEntries(values.map((v, i) => [String(i), v])));
    checkSameType(values);
    if (operator === 'BETWEEN') checkBetweenOrder(values);
    return;
  }
  if (has('AttributeValueList')) {
    throw invalidParameter(`AttributeValueList can only be used with a ComparisonOperator for Attribute: ${attribute}`);
  }
  const exists = entry.Exists ?? true;
  if (exists && !has('Value')) {
    throw invalidParameter(`Value must be provided when Exists is ${entry.Exists === undefined ? 'null' : String(entry.Exists)} for Attribute: ${attribute}`);
  }
  if (!exists && has('Value')) throw invalidParameter(`Value cannot be used when Exists is false for Attribute: ${attribute}`);
  if (entry.Value) checkAttributeMap({ [attribute]: entry.Value });
}

function expectedTree(attribute: string, entry: LegacyExpected): Condition {
  if (entry.ComparisonOperator !== undefined) {
    const values = entry.AttributeValueList ?? (entry.Value ? [entry.Value] : []);
    return comparisonTree(attribute, entry.ComparisonOperator as ComparisonOperator, values);
  }
  if (entry.Exists === false) return comparisonTree(attribute, 'NULL', []);
  return comparisonTree(attribute, 'EQ', [entry.Value!]);
}

/** Expected (with ConditionalOperator) as a condition on the item; undefined when absent. */
export function expectedCondition(
  expected: Record<string, LegacyExpected> | undefined,
  operator: string | undefined,
): CompiledCondition | undefined {
  checkConditionalOperator(operator, expected);
  if (expected === undefined) return undefined;
  const entries = Object.entries(expected);
  for (const [attribute, entry] of entries) checkExpectedEntry(attribute, entry);
  if (!entries.length) return undefined;
  return compiled(join(entries.map(([attribute, entry]) => expectedTree(attribute, entry)), operator));
}

// ---------------------------------------------------------------------------------------------
// QueryFilter and ScanFilter

/** A QueryFilter or ScanFilter (with ConditionalOperator) as a filter; undefined when absent. */
export function filterCondition(
  filter: Record<string, LegacyCondition> | undefined,
  operator: string | undefined,
): CompiledCondition | undefined {
  checkConditionalOperator(operator, filter);
  if (filter === undefined) return undefined;
  const entries = Object.entries(filter);
  for (const [, condition] of entries) checkCondition(condition);
  if (!entries.length) return undefined;
  return compiled(join(entries.map(([a, c]) => comparisonTree(a, c.ComparisonOperator as ComparisonOperator, c.AttributeValueList ?? [])), operator));
}

/** "QueryFilter can only contain non-primary key attributes: Primary key attribute: id". */
export function checkQueryFilterKeys(filter: Record<string, LegacyCondition> | undefined, schema: KeySchema): void {
  if (!filter) return;
  for (const key of [schema.hash, schema.range]) {
    if (key && filter[key.name] !== undefined) {
      throw validation(`QueryFilter can only contain non-primary key attributes: Primary key attribute: ${key.name}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// KeyConditions (Query)

/** The checks that need no table: each condition, then how many there are. */
export function checkKeyConditions(conditions: Record<string, LegacyCondition>): void {
  for (const condition of Object.values(conditions)) checkCondition(condition);
  const count = Object.keys(conditions).length;
  if (count !== 1 && count !== 2) throw validation('Conditions can be of length 1 or 2 only');
}

const NOT_INDEXABLE: ReadonlySet<string> = new Set(['NULL', 'NOT_NULL', 'NE', 'CONTAINS', 'NOT_CONTAINS', 'IN']);
const RANGE_OPERATORS: Record<string, expressions.KeyRangeOperator> = {
  EQ: '=', LT: '<', LE: '<=', GT: '>', GE: '>=', BETWEEN: 'BETWEEN', BEGINS_WITH: 'begins_with',
};

/** KeyConditions against the key being read (the table's or an index's), as key bounds. */
export function keyConditionBounds(conditions: Record<string, LegacyCondition>, schema: KeySchema): KeyConditionBounds {
  const count = Object.keys(conditions).length;
  if (!schema.range && count > 1) throw validation('Query key condition not supported');
  let bounds: KeyConditionBounds | undefined;
  for (const [key, isHash] of [[schema.hash, true], [schema.range, false]] as const) {
    if (!key) continue;
    const condition = conditions[key.name];
    if (!condition) {
      if (isHash || count > 1) throw validation(`Query condition missed key schema element: ${key.name}`);
      continue;
    }
    const operator = condition.ComparisonOperator;
    if (NOT_INDEXABLE.has(operator)) throw validation('Attempted conditional constraint is not an indexable operation');
    const values = condition.AttributeValueList ?? [];
    if (values.some((v) => (v as Record<string, unknown>)[key.type] === undefined)) {
      throw invalidParameter('Condition parameter type does not match schema type');
    }
    if (isHash) {
      if (operator !== 'EQ') throw validation('Query key condition not supported');
      bounds = { hash: values[0]! };
    } else {
      bounds = { ...bounds!, range: { op: RANGE_OPERATORS[operator]!, values } };
    }
  }
  return bounds!;
}

// ---------------------------------------------------------------------------------------------
// AttributeUpdates (UpdateItem)

const ADDABLE: ReadonlySet<string> = new Set(['L', 'SS', 'NS', 'BS', 'N']);
const SETS: ReadonlySet<string> = new Set(['SS', 'NS', 'BS']);

function checkAttributeUpdate(update: LegacyAttributeUpdate): void {
  if (update.Value !== undefined) checkAttributeMap({ v: update.Value });
  const action = update.Action ?? 'PUT';
  if (update.Value === undefined && action !== 'DELETE') {
    throw invalidParameter('Only DELETE action is allowed when no attribute value is specified');
  }
  if (update.Value !== undefined && action === 'DELETE' && !SETS.has(typeName(update.Value))) {
    throw invalidParameter(`DELETE action with value is not supported for the type ${typeName(update.Value)}`);
  }
  if (update.Value !== undefined && action === 'ADD' && !ADDABLE.has(typeName(update.Value))) {
    throw invalidParameter(`ADD action is not supported for the type ${typeName(update.Value)}`);
  }
}

/** One attribute update as the update-expression action that means the same. */
function updateAction(attribute: string, update: LegacyAttributeUpdate, index: number): UpdateAction {
  const target = [{ kind: 'name' as const, name: attribute }];
  const v = update.Value;
  switch (update.Action ?? 'PUT') {
    case 'DELETE':
      return v === undefined ? { kind: 'REMOVE', path: target } : { kind: 'DELETE', path: target, value: v };
    case 'ADD':
      // ADD of a list appends to the list (or starts one), which the expression form says with SET.
      if (v!.L !== undefined) {
        const placeholder = `:legacy${index}`;
        return {
          kind: 'SET',
          path: target,
          value: {
            kind: 'list_append',
            first: { kind: 'if_not_exists', path: target, fallback: { kind: 'value', placeholder, value: { L: [] } } },
            second: { kind: 'value', placeholder, value: v! },
          },
        };
      }
      return { kind: 'ADD', path: target, value: v! };
    default:
      return { kind: 'SET', path: target, value: { kind: 'value', placeholder: `:legacy${index}`, value: v! } };
  }
}

/** AttributeUpdates as an update; undefined when absent. */
export function attributeUpdates(updates: Record<string, LegacyAttributeUpdate> | undefined): CompiledUpdate | undefined {
  if (updates === undefined) return undefined;
  const entries = Object.entries(updates);
  for (const [, update] of entries) checkAttributeUpdate(update);
  const ast: Update = { actions: entries.map(([attribute, update], i) => updateAction(attribute, update, i)) };
  return {
    apply: (item, keyAttributes) => expressions.applyUpdate(ast, item as expressions.Item, keyAttributes) as AttributeMap,
    paths: ast.actions.map((a) => a.path),
  };
}
