/**
 * Attribute values: DynamoDB's checks on them (in its order and wording), their size as DynamoDB
 * bills and limits it, numbers in canonical form, and the JSON text items are stored as.
 *
 * In memory an item is the codec's shape (`B` as a Buffer); in the store it is the wire JSON
 * (`B` as base64), so a stored item reads back without knowing the model.
 */
import type { AttributeValue } from '../../generated/dynamodb/types.ts';
import { validation } from './errors.ts';

export type { AttributeValue };
export type AttributeMap = Record<string, AttributeValue>;

/** DynamoDB's item size limit: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;

// ---------------------------------------------------------------------------------------------
// Numbers

/** A decimal as sign, significant digits (no leading/trailing zeros) and exponent: 0.d1d2… × 10^exponent. */
export interface DecimalParts {
  negative: boolean;
  /** '' for zero. */
  digits: string;
  exponent: number;
}

const NUMBER_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a number as DynamoDB accepts it (Java BigDecimal syntax); undefined if it is not one. */
export function parseDecimal(text: string): DecimalParts | undefined {
  const trimmed = text.trim();
  if (!NUMBER_SYNTAX.test(trimmed)) return undefined;
  const negative = trimmed.startsWith('-');
  const unsigned = trimmed.replace(/^[+-]/, '');
  const [mantissa, exponentText] = unsigned.split(/[eE]/) as [string, string | undefined];
  const [intPart, fracPart = ''] = mantissa.split('.') as [string, string | undefined];
  let digits = intPart + fracPart;
  let exponent = intPart.length + (exponentText === undefined ? 0 : Number(exponentText));
  const leading = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(leading);
  exponent -= leading;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return { negative: false, digits: '', exponent: 0 };
  return { negative, digits, exponent };
}

/** Why DynamoDB refuses a number string, or undefined when it is valid. */
export function numberProblem(text: string): string | undefined {
  if (text === '') return 'The parameter cannot be converted to a numeric value';
  const parts = parseDecimal(text);
  if (!parts) return `The parameter cannot be converted to a numeric value: ${text}`;
  if (parts.digits === '') return undefined;
  // Magnitudes from 1E-130 to 9.99…E+125 (exponent here is one more than scientific notation's).
  if (parts.exponent - 1 > 125) return 'Number overflow. Attempting to store a number with magnitude larger than supported range';
  if (parts.exponent - 1 < -130) return 'Number underflow. Attempting to store a number with magnitude smaller than supported range';
  if (parts.digits.length > 38) return 'Attempting to store more than 38 significant digits in a Number';
  return undefined;
}

/** A decimal already in canonical form: no sign on zero, no leading or trailing zeros, no exponent. */
const CANONICAL_DECIMAL = /^(?:-?[1-9]\d*(?:\.\d*[1-9])?|0|-?0\.\d*[1-9])$/;

/** The plain decimal DynamoDB gives numbers back as ("1.50" → "1.5", "1e2" → "100", "-0" → "0"). */
export function canonicalDecimal(text: string): string {
  // Most numbers arrive canonical already ("21", "-3.5"): recognised without taking them apart.
  if (CANONICAL_DECIMAL.test(text)) return text;
  const parts = parseDecimal(text);
  return parts ? formatDecimal(parts) : '0';
}

/** Decimal parts written out as a plain decimal, DynamoDB's canonical form. */
export function formatDecimal(parts: DecimalParts): string {
  if (parts.digits === '') return '0';
  const { digits, exponent } = parts;
  let body: string;
  if (exponent <= 0) body = `0.${'0'.repeat(-exponent)}${digits}`;
  else if (exponent >= digits.length) body = digits + '0'.repeat(exponent - digits.length);
  else body = `${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
  return parts.negative ? `-${body}` : body;
}

// ---------------------------------------------------------------------------------------------
// Validation

const TYPES = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'] as const;

function setTypeName(type: 'SS' | 'NS' | 'BS'): string {
  return type === 'SS' ? 'string' : type === 'NS' ? 'number' : 'binary';
}

function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'base64');
  return Buffer.alloc(0);
}

function hasDuplicates(values: string[]): boolean {
  return new Set(values).size !== values.length;
}

/** Why DynamoDB refuses one attribute value (recursively), or undefined when it is valid. */
export function attributeValueProblem(value: AttributeValue): string | undefined {
  const present = TYPES.filter((t) => (value as Record<string, unknown>)[t] !== undefined);
  if (present.length === 0) return 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes';
  for (const type of present) {
    const problem = typedValueProblem(type, value);
    if (problem) return problem;
  }
  if (present.length > 1) return 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes';
  return undefined;
}

function typedValueProblem(type: (typeof TYPES)[number], value: AttributeValue): string | undefined {
  switch (type) {
    case 'N':
      return numberProblem(value.N!);
    case 'SS':
    case 'NS':
    case 'BS': {
      const members = value[type]! as unknown[];
      if (members.length === 0) return `One or more parameter values were invalid: An ${setTypeName(type)} set  may not be empty`;
      if (type === 'NS') {
        for (const n of members as string[]) {
          const problem = numberProblem(n);
          if (problem) return problem;
        }
        if (hasDuplicates((members as string[]).map(canonicalDecimal))) return 'Input collection contains duplicates';
      } else if (type === 'SS') {
        if (hasDuplicates(members as string[])) {
          return `One or more parameter values were invalid: Input collection [${(members as string[]).join(', ')}] contains duplicates.`;
        }
      } else if (hasDuplicates(members.map((b) => bytesOf(b).toString('base64')))) {
        return `One or more parameter values were invalid: Input collection [${members.map((b) => bytesOf(b).toString('base64')).join(', ')}]of type BS contains duplicates.`;
      }
      return undefined;
    }
    case 'NULL':
      return value.NULL === true ? undefined : 'One or more parameter values were invalid: Null attribute value types must have the value of true';
    case 'M':
      for (const child of Object.values(value.M!)) {
        const problem = attributeValueProblem(child);
        if (problem) return problem;
      }
      return undefined;
    case 'L':
      for (const child of value.L!) {
        const problem = attributeValueProblem(child);
        if (problem) return problem;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Throws DynamoDB's ValidationException for the first invalid value of an item or key. */
export function checkAttributeMap(map: AttributeMap, prefix = ''): void {
  for (const value of Object.values(map)) {
    const problem = attributeValueProblem(value);
    if (problem) throw validation(prefix + problem);
  }
}

// ---------------------------------------------------------------------------------------------
// Canonical form and size

/** A copy with numbers in DynamoDB's canonical form, as it stores them. */
export function canonicalValue(value: AttributeValue): AttributeValue {
  if (value.N !== undefined) return { N: canonicalDecimal(value.N) };
  if (value.NS !== undefined) return { NS: value.NS.map(canonicalDecimal) };
  if (value.M !== undefined) return { M: canonicalMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(canonicalValue) };
  return value;
}

export function canonicalMap(map: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  for (const [name, value] of Object.entries(map)) out[name] = canonicalValue(value);
  return out;
}

/**
 * DynamoDB stores numbers in base 100: one byte per pair of digits aligned on the decimal point,
 * plus one byte of exponent (the guide's "1 byte per two significant digits + 1 byte").
 */
export function numberSize(text: string): number {
  const parts = parseDecimal(text);
  if (!parts || parts.digits === '') return 1;
  // Pad so the digit pairs line up with the decimal point.
  const padded = (parts.exponent % 2 !== 0 ? '0' : '') + parts.digits;
  return Math.ceil(padded.length / 2) + 1;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The size of one value, without its name ("Item sizes and formats" in the developer guide). */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return bytesOf(value.B).length;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8Length(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + bytesOf(b).length, 0);
  // Lists and maps: 3 bytes of overhead, 1 more per element; map keys count like attribute names.
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + utf8Length(k) + valueSize(v) + 1, 0);
  }
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + valueSize(v) + 1, 0);
  return 1; // NULL, BOOL
}

/** An item's size: attribute names (UTF-8) plus values. */
export function itemSize(item: AttributeMap): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8Length(name) + valueSize(value);
  return size;
}

/** Refuses an item over 400 KB; returns its size (numbers count the same before and after canonicalMap). */
export function checkItemSize(item: AttributeMap): number {
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
  return size;
}

// ---------------------------------------------------------------------------------------------
// Storage encoding

/** The item as wire JSON: binaries as base64. */
export function encodeItem(item: AttributeMap): string {
  // wireMap copies the item to turn binaries into base64; without any, the item is its own wire form.
  return JSON.stringify(isOwnWireForm(item) ? item : wireMap(item));
}

/** True when wireMap would give back an equal copy: no binaries, and maps and lists carry nothing else. */
function isOwnWireForm(map: AttributeMap): boolean {
  for (const name in map) {
    const value = map[name]!;
    if (value.B !== undefined || value.BS !== undefined) return false;
    if (value.M !== undefined && (Object.keys(value).length !== 1 || !isOwnWireForm(value.M))) return false;
    if (value.L !== undefined && (Object.keys(value).length !== 1 || !value.L.every((v) => isOwnWireForm({ v })))) return false;
  }
  return true;
}

function wireValue(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: bytesOf(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => bytesOf(b).toString('base64')) };
  if (value.M !== undefined) return { M: wireMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(wireValue) };
  return value;
}

function wireMap(map: AttributeMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(map)) out[name] = wireValue(value);
  return out;
}

/** Reads a stored item back into the codec's shape (binaries as Buffers). */
export function decodeItem(text: string): AttributeMap {
  const parsed = JSON.parse(text) as AttributeMap;
  // Only B and BS need reviving. Without either key anywhere in the text (escaped quotes inside
  // strings cannot match), the parsed item already is the codec's shape.
  return text.includes('"B":') || text.includes('"BS":') ? reviveMap(parsed) : parsed;
}

function reviveValue(value: AttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B as unknown as string, 'base64') };
  if (value.BS !== undefined) return { BS: (value.BS as unknown as string[]).map((b) => Buffer.from(b, 'base64')) };
  if (value.M !== undefined) return { M: reviveMap(value.M) };
  if (value.L !== undefined) return { L: value.L.map(reviveValue) };
  return value;
}

function reviveMap(map: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  for (const [name, value] of Object.entries(map)) out[name] = reviveValue(value);
  return out;
}

/** The single type tag of a value ('S', 'N', …). */
export function typeOf(value: AttributeValue): string {
  return TYPES.find((t) => (value as Record<string, unknown>)[t] !== undefined) ?? '';
}

export { bytesOf };
