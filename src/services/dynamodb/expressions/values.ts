/**
 * Comparing attribute values as DynamoDB does: strings by their UTF-8 bytes, numbers by value,
 * binaries byte by byte, sets regardless of order, lists and maps deeply.
 */
import { compareNumbers } from './numbers.ts';
import type { AttributeType, AttributeValue } from './types.ts';

const TYPE_TAGS: AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'];

/** The type tag of a value (its single set member), or undefined for a malformed value. */
export function typeOf(value: AttributeValue): AttributeType | undefined {
  for (const tag of TYPE_TAGS) if (value[tag] !== undefined) return tag;
  return undefined;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

const utf8 = new TextEncoder();

/** DynamoDB orders strings by their UTF-8 bytes, which differs from JavaScript's UTF-16 order. */
export function compareStrings(a: string, b: string): number {
  return compareBytes(utf8.encode(a), utf8.encode(b));
}

export function utf8Length(s: string): number {
  return utf8.encode(s).length;
}

/**
 * Orders two scalars of the same ordered type (S, N or B) as DynamoDB's <, <=, >, >= and BETWEEN
 * do; undefined when the types differ or are not ordered (DynamoDB's comparison is then false).
 */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.B !== undefined && b.B !== undefined) return compareBytes(a.B, b.B);
  return undefined;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return compareBytes(a, b) === 0;
}

function setsEqual<T>(a: T[], b: T[], equal: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => equal(x, y))) && b.every((y) => a.some((x) => equal(x, y)));
}

/** Deep equality; sets compare as sets (order ignored), numbers by value. */
export function attributeValuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type === undefined || type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
      return a.S === b.S;
    case 'N':
      return compareNumbers(a.N!, b.N!) === 0;
    case 'B':
      return bytesEqual(a.B!, b.B!);
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
      return setsEqual(a.SS!, b.SS!, (x, y) => x === y);
    case 'NS':
      return setsEqual(a.NS!, b.NS!, (x, y) => compareNumbers(x, y) === 0);
    case 'BS':
      return setsEqual(a.BS!, b.BS!, bytesEqual);
    case 'L':
      return a.L!.length === b.L!.length && a.L!.every((x, i) => attributeValuesEqual(x, b.L![i]!));
    case 'M': {
      const aKeys = Object.keys(a.M!);
      if (aKeys.length !== Object.keys(b.M!).length) return false;
      return aKeys.every((k) => Object.hasOwn(b.M!, k) && attributeValuesEqual(a.M![k]!, b.M![k]!));
    }
  }
}

/** Whether `haystack` contains `needle` as a contiguous run of bytes. */
export function bytesContain(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export function bytesStartWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= bytes.length && compareBytes(bytes.subarray(0, prefix.length), prefix) === 0;
}

/** Deep copy, so updates never alias the caller's item. */
export function cloneValue(value: AttributeValue): AttributeValue {
  if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, cloneValue(v)])) };
  if (value.L !== undefined) return { L: value.L.map(cloneValue) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  // Bytes are never mutated in place, so binaries share their buffers (and stay Buffers).
  if (value.BS !== undefined) return { BS: [...value.BS] };
  return { ...value };
}
