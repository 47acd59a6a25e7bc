/**
 * Model-driven input validation: the constraints AWS's models declare (required members, string
 * length/pattern/enum, numeric range, list and map sizes, blob length), reported in the wording of
 * the request's protocol (see styles.ts).
 *
 * Wording and paths follow AWS's Coral validator as observed on live services:
 * - the path is the member name with its first letter lower-cased, nested with '.', list elements
 *   as `<list>.<n>.member` (1-based) and map values as `<map>.<key>.member`
 *   (`keySchema.1.member.attributeName`, `tags.1.member.key`), for query and json alike;
 * - the value is quoted whatever its type (`Value '100' at 'durationSeconds'`), `null` when
 *   missing, lists as `[a, b]`, maps as `{k=v}`, blobs as Java prints a ByteBuffer, and left out
 *   for sensitive shapes (`Value at 'password' ...`);
 * - violations come in model member order, at most 10 are listed;
 * - a list (or map) of scalars is reported once at the list with all the element shape's
 *   constraints: `Member must satisfy constraint: [Member must have length less than or equal to
 *   253, Member must have length greater than or equal to 1, Member must satisfy regular
 *   expression pattern: ...]` (`Map keys must ...` / `Map value must ...` for maps).
 *
 * Validators are compiled per shape on first use and cached per model, so validating a small
 * input costs a few microseconds.
 */
import type { AwsError } from '../core/errors.ts';
import type { OperationModel, Protocol, Shape, ShapeRef, ServiceModel } from '../protocols/model.ts';
import { compileModelPattern } from './patterns.ts';
import { MAX_LISTED_VIOLATIONS, VALIDATION_STYLES, type Violation } from './styles.ts';

export function validateInput(
  model: ServiceModel,
  operation: OperationModel,
  input: Record<string, unknown>,
  protocol: Protocol = model.metadata.protocol,
): AwsError | undefined {
  const style = VALIDATION_STYLES[protocol];
  if (!style || style.scope === 'none' || !operation.input) return undefined;
  const validators = validatorsFor(model);
  const violations: Violation[] = [];
  if (style.scope === 'missing') {
    const missing = validators.firstMissingMember(operation.input.shape, input);
    if (missing) violations.push(missing);
  } else {
    validators.shape(operation.input.shape).check(input, '', violations);
  }
  return violations.length ? style.toError(violations) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Compiled validators

interface ShapeValidator {
  /** Appends the value's violations (at `path`) to `out`, stopping once 10 are collected. */
  check(value: unknown, path: string, out: Violation[]): void;
  /** The constraints broken by the value itself (not its members or elements). */
  ownFailures(value: unknown): string[];
  /** Every constraint of the shape itself, for the bracketed list/map element messages. */
  readonly constraints: string[];
}

const perModel = new WeakMap<ServiceModel, ModelValidators>();

function validatorsFor(model: ServiceModel): ModelValidators {
  let validators = perModel.get(model);
  if (!validators) {
    validators = new ModelValidators(model);
    perModel.set(model, validators);
  }
  return validators;
}

const NOT_NULL = 'Member must not be null';

class ModelValidators {
  private readonly byShape = new Map<string, ShapeValidator>();
  private readonly trivialByShape = new Map<string, boolean>();

  constructor(private readonly model: ServiceModel) {}

  shape(name: string): ShapeValidator {
    let validator = this.byShape.get(name);
    if (!validator) {
      validator = this.compile(name);
      this.byShape.set(name, validator);
    }
    return validator;
  }

  /** EC2 style: the first required member of the input structure that is absent (or an empty list). */
  firstMissingMember(shapeName: string, input: Record<string, unknown>): Violation | undefined {
    const shape = this.model.shapes[shapeName];
    for (const member of shape?.required ?? []) {
      const value = input[member];
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
        const ref = shape!.members![member]!;
        return { path: lowerFirst(member), value: null, constraint: NOT_NULL, wireName: ec2WireName(member, ref) };
      }
    }
    return undefined;
  }

  private compile(name: string): ShapeValidator {
    const shape = this.model.shapes[name];
    if (!shape) return NO_CHECKS;
    switch (shape.type) {
      case 'structure':
        return shape.document ? NO_CHECKS : this.structure(shape);
      case 'list':
        return this.list(shape);
      case 'map':
        return this.map(shape);
      case 'string':
        return scalar(shape, stringFailures(shape), stringConstraints(shape));
      case 'blob':
        return scalar(shape, blobFailures(shape), lengthConstraints(shape));
      case 'integer': case 'long': case 'short': case 'byte': case 'float': case 'double':
      case 'bigdecimal': case 'biginteger':
        return scalar(shape, numberFailures(shape), rangeConstraints(shape));
      default:
        return NO_CHECKS;
    }
  }

  /** Whether a shape and everything reachable from it is free of constraints (cycles count as not trivial). */
  private isTrivial(name: string): boolean {
    const known = this.trivialByShape.get(name);
    if (known !== undefined) return known;
    this.trivialByShape.set(name, false); // in progress: a recursive shape is assumed to need checks
    const shape = this.model.shapes[name];
    let trivial = true;
    if (shape) {
      if (shape.min !== undefined || shape.max !== undefined || shape.pattern !== undefined || shape.enum) trivial = false;
      else if (shape.type === 'structure' && !shape.document) {
        trivial = (shape.required ?? []).length === 0 && Object.values(shape.members ?? {}).every((ref) => this.isTrivial(ref.shape));
      } else if (shape.type === 'list') trivial = this.isTrivial(shape.member!.shape);
      else if (shape.type === 'map') trivial = this.isTrivial(shape.key!.shape) && this.isTrivial(shape.value!.shape);
    }
    this.trivialByShape.set(name, trivial);
    return trivial;
  }

  private structure(shape: Shape): ShapeValidator {
    // Members are resolved on first check, so recursive shapes compile without looping.
    let members: { name: string; segment: string; required: boolean; sensitive: boolean; shape: string }[] | undefined;
    const resolve = () =>
      (members ??= Object.entries(shape.members ?? {})
        .map(([member, ref]) => ({
          name: member,
          segment: lowerFirst(member),
          required: (shape.required ?? []).includes(member),
          sensitive: this.model.shapes[ref.shape]?.sensitive === true,
          shape: ref.shape,
        }))
        .filter((m) => m.required || !this.isTrivial(m.shape)));
    return {
      constraints: [],
      ownFailures: () => [],
      check: (value, path, out) => {
        if (!isPlainObject(value)) return;
        for (const member of resolve()) {
          if (out.length >= MAX_LISTED_VIOLATIONS) return;
          const memberValue = value[member.name];
          const memberPath = path ? `${path}.${member.segment}` : member.segment;
          if (memberValue === undefined || memberValue === null) {
            if (member.required) {
              out.push({ path: memberPath, value: member.sensitive ? undefined : null, constraint: NOT_NULL, wireName: member.name });
            }
            continue;
          }
          this.shape(member.shape).check(memberValue, memberPath, out);
        }
      },
    };
  }

  private list(shape: Shape): ShapeValidator {
    const own = countFailures(shape);
    const elementName = shape.member!.shape;
    const elementIsStructure = this.model.shapes[elementName]?.type === 'structure';
    return {
      constraints: lengthConstraints(shape),
      ownFailures: (value) => (Array.isArray(value) ? own(value.length) : []),
      check: (value, path, out) => {
        if (!Array.isArray(value)) return;
        report(out, path, value, shape, own(value.length));
        const element = this.shape(elementName);
        if (elementIsStructure) {
          for (let i = 0; i < value.length && out.length < MAX_LISTED_VIOLATIONS; i++) {
            if (value[i] !== null && value[i] !== undefined) element.check(value[i], `${path}.${i + 1}.member`, out);
          }
        } else if (element.constraints.length && value.some((v) => v !== null && v !== undefined && element.ownFailures(v).length)) {
          report(out, path, value, shape, [`Member must satisfy constraint: [${element.constraints.join(', ')}]`]);
        }
      },
    };
  }

  private map(shape: Shape): ShapeValidator {
    const own = countFailures(shape);
    const valueName = shape.value!.shape;
    const valueIsStructure = this.model.shapes[valueName]?.type === 'structure';
    return {
      constraints: lengthConstraints(shape),
      ownFailures: (value) => (isPlainObject(value) ? own(Object.keys(value).length) : []),
      check: (value, path, out) => {
        if (!isPlainObject(value)) return;
        const entries = Object.entries(value);
        report(out, path, value, shape, own(entries.length));
        const key = this.shape(shape.key!.shape);
        if (key.constraints.length && entries.some(([k]) => key.ownFailures(k).length)) {
          report(out, path, value, shape, [`Map keys must satisfy constraint: [${key.constraints.join(', ')}]`]);
        }
        const element = this.shape(valueName);
        if (valueIsStructure) {
          for (const [k, v] of entries) {
            if (out.length >= MAX_LISTED_VIOLATIONS) return;
            if (v !== null && v !== undefined) element.check(v, `${path}.${k}.member`, out);
          }
        } else if (element.constraints.length && entries.some(([, v]) => v !== null && v !== undefined && element.ownFailures(v).length)) {
          report(out, path, value, shape, [`Map value must satisfy constraint: [${element.constraints.join(', ')}]`]);
        }
      },
    };
  }
}

const NO_CHECKS: ShapeValidator = {
  constraints: [],
  ownFailures: () => [],
  check: () => {},
};

function scalar(shape: Shape, failures: (value: unknown) => string[], constraints: string[]): ShapeValidator {
  return {
    constraints,
    ownFailures: failures,
    check: (value, path, out) => report(out, path, value, shape, failures(value)),
  };
}

function report(out: Violation[], path: string, value: unknown, shape: Shape, constraints: string[]): void {
  for (const constraint of constraints) {
    if (out.length >= MAX_LISTED_VIOLATIONS) return;
    out.push({ path, value: shape.sensitive ? undefined : formatValue(value), constraint, wireName: path });
  }
}

// ---------------------------------------------------------------------------------------------
// Constraints per shape type. Order of individual failures: enum, pattern, min, max (AWS's own
// order varies between services; this matches DynamoDB's index-name messages). Bracketed lists
// use AWS's order: max, min, pattern.

function stringFailures(shape: Shape): (value: unknown) => string[] {
  const enumSet = shape.enum ? new Set(shape.enum) : undefined;
  const enumMessage = shape.enum ? enumConstraint(shape.enum) : '';
  const pattern = shape.pattern === undefined ? undefined : compileModelPattern(shape.pattern);
  const patternMessage = `Member must satisfy regular expression pattern: ${shape.pattern}`;
  const length = lengthFailures(shape);
  return (value) => {
    if (typeof value !== 'string') return [];
    const failures: string[] = [];
    if (enumSet && !enumSet.has(value)) failures.push(enumMessage);
    if (pattern && !pattern.test(value)) failures.push(patternMessage);
    failures.push(...length(value.length));
    return failures;
  };
}

function stringConstraints(shape: Shape): string[] {
  const constraints = lengthConstraints(shape);
  if (shape.pattern !== undefined && compileModelPattern(shape.pattern)) {
    constraints.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (shape.enum) constraints.push(enumConstraint(shape.enum));
  return constraints;
}

function enumConstraint(values: string[]): string {
  return `Member must satisfy enum value set: [${values.join(', ')}]`;
}

function blobFailures(shape: Shape): (value: unknown) => string[] {
  const length = lengthFailures(shape);
  return (value) => (value instanceof Uint8Array ? length(value.byteLength) : []);
}

function lengthFailures(shape: Shape): (length: number) => string[] {
  const { min, max } = shape;
  if (min === undefined && max === undefined) return () => [];
  return (length) => {
    if (min !== undefined && length < min) return [`Member must have length greater than or equal to ${min}`];
    if (max !== undefined && length > max) return [`Member must have length less than or equal to ${max}`];
    return [];
  };
}

const countFailures = lengthFailures;

function lengthConstraints(shape: Shape): string[] {
  const constraints: string[] = [];
  if (shape.max !== undefined) constraints.push(`Member must have length less than or equal to ${shape.max}`);
  if (shape.min !== undefined) constraints.push(`Member must have length greater than or equal to ${shape.min}`);
  return constraints;
}

function numberFailures(shape: Shape): (value: unknown) => string[] {
  const { min, max } = shape;
  if (min === undefined && max === undefined) return () => [];
  const bound = boundFormatter(shape);
  return (value) => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isNaN(n)) return [];
    if (min !== undefined && n < min) return [`Member must have value greater than or equal to ${bound(min)}`];
    if (max !== undefined && n > max) return [`Member must have value less than or equal to ${bound(max)}`];
    return [];
  };
}

function rangeConstraints(shape: Shape): string[] {
  const bound = boundFormatter(shape);
  const constraints: string[] = [];
  if (shape.max !== undefined) constraints.push(`Member must have value less than or equal to ${bound(shape.max)}`);
  if (shape.min !== undefined) constraints.push(`Member must have value greater than or equal to ${bound(shape.min)}`);
  return constraints;
}

/** Java prints double bounds with a decimal point (`1.0`), integral bounds without. */
function boundFormatter(shape: Shape): (n: number) => string {
  const floating = shape.type === 'float' || shape.type === 'double' || shape.type === 'bigdecimal';
  return (n) => (floating && Number.isInteger(n) ? `${n}.0` : String(n));
}

// ---------------------------------------------------------------------------------------------
// Helpers

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The parameter name EC2 clients send: queryName, else the capitalised locationName, else the member. */
function ec2WireName(member: string, ref: ShapeRef): string {
  if (ref.queryName) return ref.queryName;
  if (ref.locationName) return ref.locationName.charAt(0).toUpperCase() + ref.locationName.slice(1);
  return member;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

/** Renders a value as AWS's Java services print it in validation messages. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${formatValue(v)}`).join(', ')}}`;
  }
  return String(value);
}
