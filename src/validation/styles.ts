/**
 * How each wire protocol reports a request that breaks the model's constraints. AWS's services
 * built on its Coral framework (query: IAM, STS, RDS, ...; json/rest-json: DynamoDB, Lambda, ...)
 * validate every constraint and answer
 *   `N validation error(s) detected: Value 'x' at 'path' failed to satisfy constraint: ...; ...`
 * with at most 10 violations listed. EC2 reports only the first missing required parameter, and
 * S3 validates in its handlers. One table, keyed by protocol, so no codec or service branches on
 * a service name.
 */
import { AwsError } from '../core/errors.ts';
import type { Protocol } from '../protocols/model.ts';

/** One broken constraint, before rendering. */
export interface Violation {
  /** Coral path: lower-first member names joined by '.', list elements as `.<n>.member`. */
  path: string;
  /** The offending value formatted Java-style; null when it is missing; undefined to omit it (sensitive shapes). */
  value: string | null | undefined;
  /** e.g. "Member must not be null". */
  constraint: string;
  /** The member's wire name, for styles that only name the parameter (EC2). */
  wireName: string;
}

export interface ValidationStyle {
  /**
   * 'constraints': every constraint at every depth; 'missing': only missing required members of
   * the input structure itself; 'none': the service validates in its handlers.
   */
  scope: 'constraints' | 'missing' | 'none';
  /** Builds the error from the violations found (never called with an empty list). */
  toError(violations: Violation[]): AwsError;
}

/** AWS lists at most this many violations (and counts no further): "10 validation errors detected". */
export const MAX_LISTED_VIOLATIONS = 10;

export function coralMessage(violations: Violation[]): string {
  const listed = violations.slice(0, MAX_LISTED_VIOLATIONS);
  const count = listed.length;
  const details = listed.map((v) => {
    const value = v.value === undefined ? '' : v.value === null ? ' null' : ` '${v.value}'`;
    return `Value${value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`;
  });
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${details.join('; ')}`;
}

function coral(code: string): ValidationStyle {
  return {
    scope: 'constraints',
    toError: (violations) => new AwsError(code, coralMessage(violations), { status: 400, fault: 'client' }),
  };
}

/** EC2: `MissingParameter`, "The request must contain the parameter InstanceId" (no final period). */
const ec2: ValidationStyle = {
  scope: 'missing',
  toError: (violations) =>
    new AwsError('MissingParameter', `The request must contain the parameter ${violations[0]!.wireName}`, { status: 400, fault: 'client' }),
};

const handlersValidate: ValidationStyle = {
  scope: 'none',
  toError: () => {
    throw new Error('a style with scope none never reports violations');
  },
};

export const VALIDATION_STYLES: Record<Protocol, ValidationStyle> = {
  query: coral('ValidationError'),
  json: coral('ValidationException'),
  'rest-json': coral('ValidationException'),
  'smithy-rpc-v2-cbor': coral('ValidationException'),
  ec2,
  'rest-xml': handlersValidate,
};
