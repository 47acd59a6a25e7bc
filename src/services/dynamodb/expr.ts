/**
 * The one place the item operations meet the expression language (./expressions/): request
 * parameters in, compiled conditions, updates, projections and key conditions out, plus the
 * checks on ExpressionAttributeNames/Values that DynamoDB makes once per request.
 */
import * as expressions from './expressions/index.ts';
import type { AttributeMap, AttributeValue } from './attributes.ts';
import { validation } from './errors.ts';
import type { KeySchema } from './keys.ts';

export interface ExpressionParams {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: AttributeMap;
}

export type Path = expressions.Path;

export interface CompiledCondition {
  test(item: AttributeMap | undefined): boolean;
}

export interface CompiledUpdate {
  /** The item after the update (a new object), from the item before it; key attributes may not be updated. */
  apply(item: AttributeMap, keyAttributes: string[]): AttributeMap;
  /** The document paths the update sets, removes, adds to or deletes from. */
  paths: Path[];
}

export interface CompiledProjection {
  apply(item: AttributeMap): AttributeMap;
  /** Top-level attribute names read. */
  attributes: string[];
}

export interface KeyConditionBounds {
  hash: AttributeValue;
  range?: { op: expressions.KeyRangeOperator; values: AttributeValue[] };
}

/** Compiles the expressions of one request and checks every placeholder was used. */
export class RequestExpressions {
  private readonly input: expressions.ExpressionInput;
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(params: ExpressionParams) {
    this.input = { names: params.ExpressionAttributeNames, values: params.ExpressionAttributeValues as expressions.ExpressionInput['values'] };
  }

  private track<T>(parsed: expressions.Parsed<T>): T {
    for (const n of parsed.usedNames) this.usedNames.add(n);
    for (const v of parsed.usedValues) this.usedValues.add(v);
    return parsed.ast;
  }

  condition(kind: 'ConditionExpression' | 'FilterExpression', text: string | undefined): CompiledCondition | undefined {
    if (text === undefined) return undefined;
    const ast = this.track(expressions.parseConditionExpression(text, this.input, kind));
    return { test: (item) => expressions.evaluateCondition(ast, item as expressions.Item | undefined) };
  }

  update(text: string | undefined): CompiledUpdate | undefined {
    if (text === undefined) return undefined;
    const ast = this.track(expressions.parseUpdateExpression(text, this.input));
    return {
      apply: (item, keyAttributes) => expressions.applyUpdate(ast, item as expressions.Item, keyAttributes) as AttributeMap,
      paths: ast.actions.map((a) => a.path),
    };
  }

  projection(text: string | undefined): CompiledProjection | undefined {
    if (text === undefined) return undefined;
    const ast = this.track(expressions.parseProjectionExpression(text, this.input));
    return projectionOf(ast);
  }

  keyCondition(text: string, schema: KeySchema): KeyConditionBounds {
    return this.track(expressions.parseKeyConditionExpression(text, this.input, { hash: schema.hash.name, range: schema.range?.name }));
  }

  /** "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}", and its twin for names. */
  checkAllUsed(): void {
    expressions.checkAllUsed(this.input, [{ ast: undefined, usedNames: this.usedNames, usedValues: this.usedValues }]);
  }
}

function projectionOf(ast: expressions.Projection): CompiledProjection {
  return {
    apply: (item) => expressions.project(ast, item as expressions.Item) as AttributeMap,
    attributes: [...new Set(ast.paths.map((p) => (p[0]!.kind === 'name' ? p[0]!.name : '')))],
  };
}

/** AttributesToGet, the legacy projection: top-level names only. */
export function attributesToGet(names: string[]): CompiledProjection {
  if (new Set(names).size !== names.length) {
    throw validation(`One or more parameter values were invalid: Duplicate value in attribute name: ${names.find((n, i) => names.indexOf(n) !== i)}`);
  }
  return projectionOf({ paths: names.map((name) => [{ kind: 'name', name }]) });
}

/** Keeps only the given document paths of an item (UPDATED_OLD / UPDATED_NEW). */
export function projectPaths(item: AttributeMap, paths: Path[]): AttributeMap {
  return expressions.project({ paths }, item as expressions.Item) as AttributeMap;
}
