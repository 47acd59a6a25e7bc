/**
 * Types shared by DynamoDB's expression languages: attribute values, document paths and the
 * syntax trees the parsers produce. The trees are plain data so the storage layer can keep a
 * parsed expression and evaluate it many times (a Scan filter runs once per item).
 */

export type AttributeValue = {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
};

export type Item = Record<string, AttributeValue>;

/** The type tags DynamoDB knows, as they appear in an AttributeValue. */
export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'M' | 'L' | 'SS' | 'NS' | 'BS';

/** ExpressionAttributeNames and ExpressionAttributeValues of a request. */
export interface ExpressionInput {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

/** A parsed expression and the placeholders it used (for the "unused in expressions" check). */
export interface Parsed<T> {
  ast: T;
  usedNames: Set<string>;
  usedValues: Set<string>;
}

/** One step of a document path: a map key / attribute name, or a list index. */
export type PathElement = { kind: 'name'; name: string } | { kind: 'index'; index: number };
export type Path = PathElement[];

/** An operand of a condition: a path, a placeholder value, or size(path). */
export type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; placeholder: string; value: AttributeValue }
  | { kind: 'size'; operand: Operand };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ConditionFunction = 'attribute_exists' | 'attribute_not_exists' | 'attribute_type' | 'begins_with' | 'contains';

export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; list: Operand[] }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] };

/** The right-hand side of a SET action. */
export type UpdateValue =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; placeholder: string; value: AttributeValue }
  | { kind: 'if_not_exists'; path: Path; fallback: UpdateValue }
  | { kind: 'list_append'; first: UpdateValue; second: UpdateValue }
  | { kind: '+' | '-'; left: UpdateValue; right: UpdateValue };

export type UpdateAction =
  | { kind: 'SET'; path: Path; value: UpdateValue }
  | { kind: 'REMOVE'; path: Path }
  | { kind: 'ADD'; path: Path; value: AttributeValue }
  | { kind: 'DELETE'; path: Path; value: AttributeValue };

export interface Update {
  actions: UpdateAction[];
}

export interface Projection {
  paths: Path[];
}

export type KeyRangeOperator = '=' | '<' | '<=' | '>' | '>=' | 'BETWEEN' | 'begins_with';

export interface KeyCondition {
  hash: AttributeValue;
  range?: { op: KeyRangeOperator; values: AttributeValue[] };
}
