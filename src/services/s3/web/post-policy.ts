/**
 * The policy document of a browser POST upload (S3 API Reference, "Creating a POST policy"):
 * base64 JSON with an `expiration` (ISO 8601, UTC) and `conditions`, each either
 *   {"field": "value"}                            exact match ("eq")
 *   ["eq" | "starts-with", "$field", "value"]     starts-with on Content-Type checks each listed type
 *   ["content-length-range", min, max]            the file's size, checked once it is received
 * Field names compare case-insensitively; `bucket` is the bucket's name. Every form field except
 * x-amz-signature, file, policy and x-ignore-* must be named by some condition.
 * Pure functions: parsing throws InvalidPolicyDocument, checking throws AccessDenied with S3's
 * "Invalid according to Policy: …" wording.
 */
import { AwsError } from '../../../core/errors.ts';

export interface FieldCondition {
  kind: 'eq' | 'starts-with';
  /** The field name lower-cased, without the "$" ("key", "content-type", "bucket"). */
  field: string;
  value: string;
  /** How S3 quotes the condition when it fails: ["eq", "$key", "x"]. */
  text: string;
  /** False for ["eq", "key", "x"]: a field reference without "$" never holds. */
  validReference: boolean;
}

export interface LengthRange {
  min: number;
  max: number;
}

export interface PostPolicy {
  expiration: Date;
  conditions: FieldCondition[];
  lengthRange?: LengthRange;
}

function invalidPolicy(detail: string): AwsError {
  return new AwsError('InvalidPolicyDocument', `Invalid Policy: ${detail}`, { status: 400 });
}

function violation(detail: string): AwsError {
  return new AwsError('AccessDenied', `Invalid according to Policy: ${detail}`, { status: 403 });
}

/** yyyy-mm-ddThh:mm:ss[.fff]Z, a real date. */
const EXPIRATION = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

function parseExpiration(value: unknown): Date {
  if (typeof value !== 'string') throw invalidPolicy('Policy missing expiration.');
  const m = EXPIRATION.exec(value);
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Math.floor(Number(m[7]) * 1000) : 0)) : undefined;
  // Date.UTC rolls 30 February over into March: a rolled date is not the one written.
  if (!m || !date || date.getUTCDate() !== +m[3]! || date.getUTCMonth() !== +m[2]! - 1 || +m[4]! > 23 || +m[5]! > 59 || +m[6]! > 59) {
    throw invalidPolicy(`Invalid 'expiration' value: '${value}'`);
  }
  return date;
}

function quote(parts: string[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(', ')}]`;
}

function fieldCondition(kind: 'eq' | 'starts-with', reference: string, value: string): FieldCondition {
  const validReference = reference.startsWith('$');
  return {
    kind,
    field: (validReference ? reference.slice(1) : reference).toLowerCase(),
    value,
    text: quote([kind, reference, value]),
    validReference,
  };
}

function sizeOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function parseCondition(condition: unknown, policy: PostPolicy): void {
  if (Array.isArray(condition)) {
    const [operation, first, second] = condition as unknown[];
    if (typeof operation !== 'string' || condition.length !== 3) throw invalidPolicy('Invalid Condition: wrong number of arguments.');
    const op = operation.toLowerCase();
    if (op === 'content-length-range') {
      const min = sizeOf(first);
      const max = sizeOf(second);
      if (min === undefined || max === undefined) throw invalidPolicy('Invalid content-length-range: the bounds must be non-negative integers.');
      policy.lengthRange = { min, max };
      return;
    }
    if ((op !== 'eq' && op !== 'starts-with') || typeof first !== 'string' || typeof second !== 'string') {
      throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}.`);
    }
    policy.conditions.push(fieldCondition(op, first, second));
    return;
  }
  if (condition !== null && typeof condition === 'object') {
    const entries = Object.entries(condition);
    if (entries.length !== 1) throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0]!;
    if (typeof value !== 'string') throw invalidPolicy(`Invalid Simple-Condition: the value of '${name}' must be a string.`);
    policy.conditions.push(fieldCondition('eq', `$${name}`, value));
    return;
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(condition)}.`);
}

/** Decodes and parses the `policy` form field; InvalidPolicyDocument when it is not a policy. */
export function parsePostPolicy(base64: string): PostPolicy {
  let document: unknown;
  try {
    const text = Buffer.from(base64, 'base64').toString('utf8');
    document = JSON.parse(text);
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  const policy: PostPolicy = { expiration: parseExpiration(expiration), conditions: [] };
  if (!Array.isArray(conditions)) throw invalidPolicy('Policy missing conditions.');
  for (const condition of conditions) parseCondition(condition, policy);
  return policy;
}

/** Form fields no condition needs to name (S3 API Reference, "Creating a POST policy"). */
function exemptFromConditions(field: string): boolean {
  return field === 'x-amz-signature' || field === 'file' || field === 'policy' || field.startsWith('x-ignore-');
}

function conditionHolds(condition: FieldCondition, value: string | undefined): boolean {
  if (!condition.validReference) return false;
  if (condition.kind === 'eq') return value === condition.value;
  if (value === undefined) return condition.value === '';
  // Content-Type may list several types ("image/png, image/gif"): each must have the prefix.
  if (condition.field === 'content-type') return value.split(',').every((t) => t.trim().startsWith(condition.value));
  return value.startsWith(condition.value);
}

/**
 * Checks the policy against the form: not expired at `nowMs`, every condition holds, every field
 * covered. `fields` maps lower-cased names to values (after ${filename} was replaced).
 */
export function checkPostPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, bucket: string, nowMs: number): void {
  if (policy.expiration.getTime() < nowMs) throw violation('Policy expired.');
  const values = new Map(fields);
  values.set('bucket', bucket);
  for (const condition of policy.conditions) {
    if (!conditionHolds(condition, values.get(condition.field))) throw violation(`Policy Condition failed: ${condition.text}`);
  }
  const covered = new Set(policy.conditions.filter((c) => c.validReference).map((c) => c.field));
  for (const field of [...fields.keys(), 'bucket']) {
    if (!exemptFromConditions(field) && !covered.has(field)) throw violation(`Extra input fields: ${field}`);
  }
}

/** content-length-range, once the file's size is known. */
export function checkContentLength(range: LengthRange | undefined, size: number): void {
  if (!range) return;
  if (size > range.max) {
    throw new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
      status: 400,
      fields: { ProposedSize: size, MaxSizeAllowed: range.max },
    });
  }
  if (size < range.min) {
    throw new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
      status: 400,
      fields: { ProposedSize: size, MinSizeAllowed: range.min },
    });
  }
}
