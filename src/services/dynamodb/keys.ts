/**
 * Primary keys: which attributes a table's key has, checking a key or an item against it in
 * DynamoDB's wording, and a byte-sortable encoding of key values.
 *
 * Items are stored with their hash and range key values encoded as lowercase hex of bytes whose
 * order is DynamoDB's order for the key type, so that SQL's ORDER BY on the encoded column is
 * Query's range order on both SQLite (BINARY collation) and PostgreSQL (COLLATE "C"):
 * - S: the UTF-8 bytes (DynamoDB compares strings by their UTF-8 bytes);
 * - B: the bytes themselves (compared as unsigned bytes);
 * - N: a sign byte (01 negative, 02 zero, 03 positive), then for positives the exponent biased
 *   into one byte and the significant digits one per byte; for negatives the exponent and the
 *   digits are complemented and a terminator (0a) that sorts above every complemented digit ends
 *   the digits, so that a longer negative mantissa sorts before its prefix (-0.121 < -0.12).
 */
import type { KeySchemaElement, AttributeDefinition } from '../../generated/dynamodb/types.ts';
import { bytesOf, formatDecimal, parseDecimal, type AttributeMap, type AttributeValue } from './attributes.ts';
import { invalidParameter, keyMismatch, validation } from './errors.ts';

export type KeyType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export interface KeySchema {
  hash: KeyAttribute;
  range?: KeyAttribute;
}

/** The table's (or an index's) key attributes with their declared types. */
export function keySchemaOf(elements: KeySchemaElement[], definitions: AttributeDefinition[]): KeySchema {
  const typeOf = (name: string) => definitions.find((d) => d.AttributeName === name)!.AttributeType as KeyType;
  const hash = elements.find((e) => e.KeyType === 'HASH')!;
  const range = elements.find((e) => e.KeyType === 'RANGE');
  return {
    hash: { name: hash.AttributeName, type: typeOf(hash.AttributeName) },
    range: range ? { name: range.AttributeName, type: typeOf(range.AttributeName) } : undefined,
  };
}

export function keyAttributes(schema: KeySchema): KeyAttribute[] {
  return schema.range ? [schema.hash, schema.range] : [schema.hash];
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Bias that puts every legal exponent (-129 … 126 in 0.d×10^e form) into one unsigned byte. */
const EXPONENT_BIAS = 129;
const NEGATIVE_TERMINATOR = 0x0a;

export function encodeNumberKey(text: string): Buffer {
  const parts = parseDecimal(text);
  if (!parts || parts.digits === '') return Buffer.from([0x02]);
  const exponentByte = parts.exponent + EXPONENT_BIAS;
  const digits = [...parts.digits].map(Number);
  if (!parts.negative) return Buffer.from([0x03, exponentByte, ...digits]);
  return Buffer.from([0x01, 255 - exponentByte, ...digits.map((d) => 9 - d), NEGATIVE_TERMINATOR]);
}

/** The sortable encoding (lowercase hex) of a key value of the given type. */
export function encodeKeyValue(type: KeyType, value: AttributeValue): string {
  switch (type) {
    case 'S':
      return Buffer.from(value.S!, 'utf8').toString('hex');
    case 'B':
      return bytesOf(value.B).toString('hex');
    case 'N':
      return encodeNumberKey(value.N!).toString('hex');
  }
}

/**
 * The key value an encoding came from, in the canonical form items are stored with (numbers as
 * canonicalDecimal writes them). Undefined for a string whose UTF-8 does not decode back to
 * itself (a lone surrogate was encoded as U+FFFD): the caller reads the stored item instead.
 */
export function decodeKeyValue(type: KeyType, hex: string): AttributeValue | undefined {
  const bytes = Buffer.from(hex, 'hex');
  switch (type) {
    case 'S': {
      const text = bytes.toString('utf8');
      return text.includes('\uFFFD') ? undefined : { S: text };
    }
    case 'B':
      return { B: bytes };
    case 'N':
      return { N: decodeNumberKey(bytes) };
  }
}

/** The inverse of encodeNumberKey, as a canonical decimal. */
function decodeNumberKey(bytes: Buffer): string {
  if (bytes[0] === 0x02) return '0';
  const negative = bytes[0] === 0x01;
  const exponent = (negative ? 255 - bytes[1]! : bytes[1]!) - EXPONENT_BIAS;
  let digits = '';
  for (let i = 2; i < bytes.length; i++) {
    if (negative && bytes[i] === NEGATIVE_TERMINATOR) break;
    digits += String(negative ? 9 - bytes[i]! : bytes[i]!);
  }
  return formatDecimal({ negative, digits, exponent });
}

export interface EncodedKey {
  hash: string;
  /** '' for tables without a range key. */
  range: string;
}

export function encodeKey(schema: KeySchema, key: AttributeMap): EncodedKey {
  return {
    hash: encodeKeyValue(schema.hash.type, key[schema.hash.name]!),
    range: schema.range ? encodeKeyValue(schema.range.type, key[schema.range.name]!) : '',
  };
}

// ---------------------------------------------------------------------------------------------
// Checks

function actualType(value: AttributeValue): string {
  return Object.keys(value).find((k) => (value as Record<string, unknown>)[k] !== undefined) ?? '';
}

/** Empty strings/binaries are allowed everywhere except in key attributes. */
function checkKeyValueNotEmpty(attribute: KeyAttribute, value: AttributeValue): void {
  if (attribute.type === 'S' && value.S === '') {
    throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${attribute.name}`);
  }
  if (attribute.type === 'B' && bytesOf(value.B).length === 0) {
    throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: ${attribute.name}`);
  }
}

function checkKeySize(attribute: KeyAttribute, value: AttributeValue, isHash: boolean): void {
  if (attribute.type === 'N') return;
  const size = attribute.type === 'S' ? Buffer.byteLength(value.S!, 'utf8') : bytesOf(value.B).length;
  if (isHash && size > 2048) throw invalidParameter('Size of hashkey has exceeded the maximum size limit of2048 bytes');
  if (!isHash && size > 1024) throw invalidParameter('Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
}

/**
 * A `Key` parameter (GetItem, DeleteItem, UpdateItem, BatchGetItem, DeleteRequest): exactly the
 * key attributes, each of its declared type. Returns the key with only those attributes.
 */
export function checkKey(schema: KeySchema, key: AttributeMap): AttributeMap {
  const attributes = keyAttributes(schema);
  if (Object.keys(key).length !== attributes.length) throw keyMismatch();
  const out: AttributeMap = {};
  attributes.forEach((attribute, i) => {
    const value = key[attribute.name];
    if (!value || (value as Record<string, unknown>)[attribute.type] === undefined) throw keyMismatch();
    checkKeyValueNotEmpty(attribute, value);
    checkKeySize(attribute, value, i === 0);
    out[attribute.name] = value;
  });
  return out;
}

/** An item to write (PutItem, PutRequest): it must hold the key attributes with their declared types. */
export function checkItemKey(schema: KeySchema, item: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  keyAttributes(schema).forEach((attribute, i) => {
    const value = item[attribute.name];
    if (!value) throw invalidParameter(`Missing the key ${attribute.name} in the item`);
    if ((value as Record<string, unknown>)[attribute.type] === undefined) {
      throw invalidParameter(`Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${actualType(value)}`);
    }
    checkKeyValueNotEmpty(attribute, value);
    checkKeySize(attribute, value, i === 0);
    out[attribute.name] = value;
  });
  return out;
}

/** The key attributes of a stored item (always present and valid). */
export function keyOf(schema: KeySchema, item: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  for (const attribute of keyAttributes(schema)) out[attribute.name] = item[attribute.name]!;
  return out;
}
