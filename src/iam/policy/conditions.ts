/**
 * Condition operators ("IAM JSON policy elements: Condition operators") and their evaluation
 * ("Condition element", "Single-valued vs. multivalued context keys").
 *
 * Semantics, as documented:
 * - keys are case-insensitive; several keys in one operator block are ANDed; several operator
 *   blocks are ANDed; several values for one key are ORed (for negated operators the value list
 *   is a NOR: the request value must match none of them).
 * - a key missing from the request makes the condition false, except for negated operators
 *   (StringNotEquals, ArnNotLike, NotIpAddress, …) where it is true; `…IfExists` makes a missing
 *   key true; Null tests presence itself.
 * - ForAllValues: true when every request value matches (negated: matches none of the policy
 *   values); true when the key is missing or has no values.
 * - ForAnyValue: true when at least one request value matches (negated: at least one request
 *   value matches none of the policy values); false when the key is missing or empty, unless
 *   IfExists.
 * - a single-valued operator given a multivalued key matches when any request value matches
 *   (negated: when none does).
 */
import { isIP } from 'node:net';
import { ContextView, scalarToString, type ContextScalar, type ContextValue } from './context.ts';
import {
  arnMatchers,
  globMatchers,
  parseTemplate,
  resolveTemplate,
  unescapePattern,
  type Template,
} from './patterns.ts';
import type { ConditionBlock, ConditionValue } from './types.ts';

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

interface OperatorInfo {
  family: Family;
  comparison: Comparison;
  /** Negated operators evaluate as NOT(any policy value matches) for each request value. */
  negated: boolean;
}

const OPERATORS: Record<string, OperatorInfo> = {};
function define(names: string[], family: Family, comparison: Comparison = 'eq', negated = false): void {
  for (const name of names) OPERATORS[name] = { family, comparison, negated };
}
define(['StringEquals'], 'string');
define(['StringNotEquals'], 'string', 'eq', true);
define(['StringEqualsIgnoreCase'], 'stringIgnoreCase');
define(['StringNotEqualsIgnoreCase'], 'stringIgnoreCase', 'eq', true);
define(['StringLike'], 'stringLike');
define(['StringNotLike'], 'stringLike', 'eq', true);
define(['NumericEquals'], 'numeric');
define(['NumericNotEquals'], 'numeric', 'eq', true);
define(['NumericLessThan'], 'numeric', 'lt');
define(['NumericLessThanEquals'], 'numeric', 'lte');
define(['NumericGreaterThan'], 'numeric', 'gt');
define(['NumericGreaterThanEquals'], 'numeric', 'gte');
define(['DateEquals'], 'date');
define(['DateNotEquals'], 'date', 'eq', true);
define(['DateLessThan'], 'date', 'lt');
define(['DateLessThanEquals'], 'date', 'lte');
define(['DateGreaterThan'], 'date', 'gt');
define(['DateGreaterThanEquals'], 'date', 'gte');
define(['Bool'], 'bool');
define(['BinaryEquals'], 'binary');
define(['IpAddress'], 'ip');
define(['NotIpAddress'], 'ip', 'eq', true);
define(['ArnEquals', 'ArnLike'], 'arn');
define(['ArnNotEquals', 'ArnNotLike'], 'arn', 'eq', true);
define(['Null'], 'null');

export type SetQualifier = 'none' | 'ForAnyValue' | 'ForAllValues';

export interface ParsedOperator extends OperatorInfo {
  base: string;
  ifExists: boolean;
  set: SetQualifier;
}

/** Splits "ForAnyValue:StringLikeIfExists" into its parts; undefined for unknown operators. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: SetQualifier = 'none';
  for (const qualifier of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(qualifier + ':')) {
      set = qualifier;
      rest = rest.slice(qualifier.length + 1);
      break;
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const info = Object.prototype.hasOwnProperty.call(OPERATORS, rest) ? OPERATORS[rest] : undefined;
  if (!info) return undefined;
  // Null tests presence; "…IfExists" or a set qualifier would be meaningless on it.
  if (info.family === 'null' && (ifExists || set !== 'none')) return undefined;
  return { ...info, base: rest, ifExists, set };
}

// ---------------------------------------------------------------------------------------------
// Compilation

/** One operator × key pair of a Condition element, ready to evaluate. */
export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  evaluate(context: ContextView): boolean;
}

/** Compiles a statement's Condition element. `variables` is false for the 2008-10-17 language. */
export function compileConditions(block: ConditionBlock | undefined, variables: boolean): CompiledCondition[] {
  if (!block) return [];
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block)) {
    const op = parseOperator(operator);
    if (!op) throw new Error(`unknown condition operator ${operator} (parsePolicy should have rejected it)`);
    for (const [key, values] of Object.entries(keys)) out.push(compileOne(operator, op, key, values, variables));
  }
  return out;
}

/** Does one request value match any of the policy values (before negation)? */
type ValueTest = (value: ContextScalar, context: ContextView) => boolean;

function compileOne(operator: string, op: ParsedOperator, key: string, values: ConditionValue[], variables: boolean): CompiledCondition {
  const lowerKey = key.toLowerCase();
  if (op.family === 'null') {
    const wantsAbsent = values.map((v) => String(v).toLowerCase() === 'true');
    return {
      operator,
      key,
      evaluate: (context) => wantsAbsent.includes(isAbsent(context.get(lowerKey))),
    };
  }
  const anyMatches = compileValueTest(op, values, variables);
  const single: ValueTest = op.negated ? (v, c) => !anyMatches(v, c) : anyMatches;
  return {
    operator,
    key,
    evaluate(context) {
      const raw = context.get(lowerKey);
      if (isAbsent(raw)) return absentResult(op);
      // Loops rather than every/some callbacks: no closure per evaluation on this hot path.
      if (!Array.isArray(raw)) {
        // One request value: every set qualifier reduces to testing it.
        return op.set === 'none' ? anyMatches(raw as ContextScalar, context) !== op.negated : single(raw as ContextScalar, context);
      }
      switch (op.set) {
        case 'ForAllValues':
          for (let i = 0; i < raw.length; i++) if (!single(raw[i]!, context)) return false;
          return true;
        case 'ForAnyValue':
          for (let i = 0; i < raw.length; i++) if (single(raw[i]!, context)) return true;
          return false;
        default: {
          let positive = false;
          for (let i = 0; i < raw.length; i++) if (anyMatches(raw[i]!, context)) { positive = true; break; }
          return op.negated ? !positive : positive;
        }
      }
    },
  };
}

function isAbsent(value: ContextValue): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** The documented result when the key is missing (or a multivalued key has no values). */
function absentResult(op: ParsedOperator): boolean {
  if (op.ifExists) return true;
  if (op.set === 'ForAllValues') return true;
  if (op.set === 'ForAnyValue') return false;
  return op.negated;
}

function compileValueTest(op: ParsedOperator, values: ConditionValue[], variables: boolean): ValueTest {
  switch (op.family) {
    case 'string':
      return stringTest(values, variables, (policy, value) => policy === value);
    case 'stringIgnoreCase':
      return stringTest(values, variables, (policy, value) => policy.toLowerCase() === value.toLowerCase());
    case 'stringLike':
      return likeTest(values, variables, (escaped) => globMatchers.get(escaped));
    case 'arn':
      return likeTest(values, variables, (escaped) => arnMatchers.get(escaped));
    case 'numeric': {
      const numbers = values.map(toNumber);
      return (v) => {
        const n = toNumber(v);
        return !Number.isNaN(n) && numbers.some((p) => !Number.isNaN(p) && compare(n, p, op.comparison));
      };
    }
    case 'date': {
      const times = values.map(toEpochMs);
      return (v) => {
        const t = toEpochMs(v);
        return !Number.isNaN(t) && times.some((p) => !Number.isNaN(p) && compare(t, p, op.comparison));
      };
    }
    case 'bool': {
      const wanted = values.map(toBool);
      return (v) => {
        const b = toBool(v);
        return b !== undefined && wanted.includes(b);
      };
    }
    case 'binary': {
      const wanted = values.map((v) => normaliseBase64(String(v)));
      return (v) => wanted.includes(normaliseBase64(scalarToString(v)));
    }
    case 'ip': {
      const ranges = values.map((v) => parseCidr(String(v))).filter((r): r is Cidr => r !== undefined);
      return (v) => {
        const ip = parseIpCached(scalarToString(v));
        if (ip === undefined) return false;
        for (let i = 0; i < ranges.length; i++) if (cidrContains(ranges[i]!, ip)) return true;
        return false;
      };
    }
    case 'null':
      throw new Error('Null is handled by compileOne');
  }
}

function compare(a: number, b: number, comparison: Comparison): boolean {
  switch (comparison) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
  }
}

/** String equality with policy variables substituted (values of a variable are literal). */
function stringTest(values: ConditionValue[], variables: boolean, equal: (policy: string, value: string) => boolean): ValueTest {
  const templates = values.map((v) => parseTemplate(String(v), variables));
  if (templates.every((t) => t.fixed !== undefined)) {
    const literals = templates.map((t) => unescapePattern(t.fixed!));
    return (v) => {
      const s = scalarToString(v);
      for (let i = 0; i < literals.length; i++) if (equal(literals[i]!, s)) return true;
      return false;
    };
  }
  return (v, context) => {
    const s = scalarToString(v);
    return templates.some((t) => {
      const escaped = resolveTemplate(t, context);
      return escaped !== undefined && equal(unescapePattern(escaped), s);
    });
  };
}

function likeTest(values: ConditionValue[], variables: boolean, matcherFor: (escaped: string) => (v: string) => boolean): ValueTest {
  const templates: Template[] = values.map((v) => parseTemplate(String(v), variables));
  return (v, context) => {
    const s = scalarToString(v);
    return templates.some((t) => {
      const escaped = resolveTemplate(t, context);
      return escaped !== undefined && matcherFor(escaped)(s);
    });
  };
}

function toNumber(value: ConditionValue | ContextScalar): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return NaN;
  return Number(value);
}

/** ISO 8601 dates and times, or epoch seconds (numbers or digit strings). */
export function toEpochMs(value: ConditionValue | ContextScalar): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return NaN;
  return Date.parse(value);
}

function toBool(value: ConditionValue | ContextScalar): 'true' | 'false' | undefined {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' || lower === 'false' ? lower : undefined;
}

function normaliseBase64(value: string): string {
  return Buffer.from(value, 'base64').toString('base64');
}

// ---------------------------------------------------------------------------------------------
// IP addresses (IPv4 and IPv6, RFC 4632 CIDR)

interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

/** "203.0.113.0/24", "2001:DB8:1234:5678::/64", or a bare address (a single host). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { bytes, prefix } : undefined;
}

/**
 * parseIp for request values: callers come from the same few addresses, so the last few parsed
 * are remembered (the bytes are never mutated by callers).
 */
const parsedIps = new Map<string, Uint8Array | undefined>();
function parseIpCached(text: string): Uint8Array | undefined {
  if (parsedIps.has(text)) return parsedIps.get(text);
  if (parsedIps.size >= 256) parsedIps.clear();
  const ip = parseIp(text);
  parsedIps.set(text, ip);
  return ip;
}

/** An address as bytes (4 for IPv4, 16 for IPv6); IPv4-mapped IPv6 addresses become IPv4. */
export function parseIp(text: string): Uint8Array | undefined {
  const family = isIP(text);
  if (family === 4) return Uint8Array.from(text.split('.').map(Number));
  if (family !== 6) return undefined;
  const bytes = parseIpv6(text);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

function parseIpv6(text: string): Uint8Array {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const [headText, tailText] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (part: string | undefined): number[] => {
    if (!part) return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = g.split('.').map(Number);
        out.push((a! << 8) | b!, (c! << 8) | d!);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(headText);
  const tail = groups(tailText);
  const all = tailText === undefined ? head : [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

function cidrContains(range: Cidr, ip: Uint8Array): boolean {
  if (range.bytes.length !== ip.length) return false;
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((range.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}
