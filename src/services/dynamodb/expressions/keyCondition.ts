/**
 * Key condition expressions of Query: a condition restricted to "hash = :v" and optionally one
 * condition on the range key (=, <, <=, >, >=, BETWEEN, begins_with), joined by AND. Problems of
 * shape are reported in DynamoDB's wording, which (unlike syntax errors) has no "Invalid
 * KeyConditionExpression:" prefix.
 */
import { validationError } from './errors.ts';
import { parseConditionAs } from './condition.ts';
import type { AttributeValue, Condition, ExpressionInput, KeyCondition, KeyRangeOperator, Operand, Parsed } from './types.ts';

interface KeyTerm {
  op: KeyRangeOperator;
  values: AttributeValue[];
}

/** The operator as seen from the key's side: ":v < k" is "k > :v". */
const FLIPPED: Record<string, KeyRangeOperator> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function invalidOperator(name: string): never {
  throw validationError(`Invalid operator used in KeyConditionExpression: ${name}`);
}

/** Walks the AND tree, turning each leaf into a term on one key attribute. */
function collectTerms(cond: Condition, terms: Map<string, KeyTerm>): void {
  switch (cond.kind) {
    case 'and':
      collectTerms(cond.left, terms);
      collectTerms(cond.right, terms);
      return;
    case 'or':
      return invalidOperator('OR');
    case 'not':
      return invalidOperator('NOT');
    case 'in':
      return invalidOperator('IN');
    case 'compare':
      if (cond.op === '<>') return invalidOperator('<>');
      return addTerm(cond.op, [cond.left, cond.right], terms);
    case 'between':
      if (cond.operand.kind !== 'path') {
        throw validationError('Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand');
      }
      return addTerm('BETWEEN', [cond.operand, cond.low, cond.high], terms);
    case 'function':
      if (cond.name !== 'begins_with') return invalidOperator(cond.name);
      if (cond.args[0]!.kind !== 'path') {
        throw validationError('Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand');
      }
      return addTerm('begins_with', cond.args, terms);
  }
}

function addTerm(op: KeyRangeOperator, operands: Operand[], terms: Map<string, KeyTerm>): void {
  let attribute: string | undefined;
  let attributeIndex = 0;
  const values: AttributeValue[] = [];
  operands.forEach((operand, i) => {
    if (operand.kind === 'size') throw validationError('KeyConditionExpressions cannot contain nested operations');
    if (operand.kind === 'value') {
      values.push(operand.value);
      return;
    }
    if (attribute !== undefined) {
      throw validationError('Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition');
    }
    if (operand.path.length > 1) throw validationError('KeyConditionExpressions cannot have conditions on nested attributes');
    attribute = (operand.path[0] as { name: string }).name;
    attributeIndex = i;
  });
  if (attribute === undefined) throw validationError('Invalid condition in KeyConditionExpression: No key attribute specified');
  if (terms.has(attribute)) throw validationError('KeyConditionExpressions must only contain one condition per key');
  terms.set(attribute, { op: attributeIndex === 0 ? op : FLIPPED[op]!, values });
}

export function parseKeyConditionExpression(
  expr: string,
  input: ExpressionInput,
  key: { hash: string; range?: string },
): Parsed<KeyCondition> {
  const parsed = parseConditionAs('KeyConditionExpression', expr, input);
  const terms = new Map<string, KeyTerm>();
  collectTerms(parsed.ast, terms);
  if (terms.size > 2) throw validationError('Conditions can be of length 1 or 2 only');

  const hash = terms.get(key.hash);
  if (hash === undefined) throw validationError(`Query condition missed key schema element: ${key.hash}`);
  for (const attribute of terms.keys()) {
    if (attribute === key.hash || attribute === key.range) continue;
    if (key.range !== undefined) throw validationError(`Query condition missed key schema element: ${key.range}`);
    throw validationError('Query key condition not supported');
  }
  if (hash.op !== '=') throw validationError('Query key condition not supported');

  const range = key.range === undefined ? undefined : terms.get(key.range);
  const ast: KeyCondition = range === undefined ? { hash: hash.values[0]! } : { hash: hash.values[0]!, range };
  return { ast, usedNames: parsed.usedNames, usedValues: parsed.usedValues };
}
