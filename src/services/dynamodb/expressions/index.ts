/**
 * DynamoDB's expression languages (condition, filter, update, projection, key condition) and
 * exact decimal numbers, as pure functions for the DynamoDB provider. Every error is a
 * ValidationException in DynamoDB's own wording.
 */
import { validationError } from './errors.ts';
import type { ExpressionInput, Parsed } from './types.ts';

export type {
  AttributeType,
  AttributeValue,
  Comparator,
  Condition,
  ConditionFunction,
  ExpressionInput,
  Item,
  KeyCondition,
  KeyRangeOperator,
  Operand,
  Parsed,
  Path,
  PathElement,
  Projection,
  Update,
  UpdateAction,
  UpdateValue,
} from './types.ts';
export { evaluateCondition, parseConditionExpression, sizeOf } from './condition.ts';
export { applyUpdate, parseUpdateExpression, updatedAttributes } from './update.ts';
export { parseProjectionExpression, project } from './projection.ts';
export { parseKeyConditionExpression } from './keyCondition.ts';
export { addNumbers, canonicalNumber, compareNumbers, subtractNumbers } from './numbers.ts';
export { attributeValuesEqual, compareValues, typeOf } from './values.ts';
export { valueAtPath } from './paths.ts';
export { isReservedWord } from './reserved.ts';

/**
 * After all of a request's expressions are parsed: every #name and :value supplied must have been
 * used by one of them. Names are checked before values, as DynamoDB does.
 */
export function checkAllUsed(input: ExpressionInput, parsed: Parsed<unknown>[]): void {
  const unused = (supplied: Record<string, unknown> | undefined, used: (p: Parsed<unknown>) => Set<string>) =>
    Object.keys(supplied ?? {}).filter((key) => !parsed.some((p) => used(p).has(key)));
  const names = unused(input.names, (p) => p.usedNames);
  if (names.length > 0) {
    throw validationError(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(', ')}}`);
  }
  const values = unused(input.values, (p) => p.usedValues);
  if (values.length > 0) {
    throw validationError(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(', ')}}`);
  }
}
