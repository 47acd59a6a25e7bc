/**
 * Scalar (de)serialisation shared by every codec: timestamps in the three wire formats, blobs,
 * numbers (including the NaN/Infinity spellings AWS uses for floats) and booleans.
 * Each protocol has a default timestamp format; a member or shape `timestampFormat` overrides it.
 */
import { AwsError } from '../core/errors.ts';
import type { Shape, ShapeRef } from './model.ts';

export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

/** The timestamp format a member uses on the wire: the ref's override, the shape's, else the protocol default. */
export function timestampFormatOf(ref: ShapeRef | undefined, shape: Shape, protocolDefault: TimestampFormat): TimestampFormat {
  return ref?.timestampFormat ?? shape.timestampFormat ?? protocolDefault;
}

/**
 * ISO 8601 as AWS XML services write it: seconds precision ("2024-01-01T00:00:00Z") unless the
 * instant has milliseconds, or `alwaysMillis` for services such as EC2 that always print them.
 */
export function formatIso8601(date: Date, alwaysMillis = false): string {
  const iso = date.toISOString();
  return !alwaysMillis && date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : iso;
}

/** RFC 822 / HTTP-date, as used in headers (Last-Modified, Expires). */
export function formatRfc822(date: Date): string {
  return date.toUTCString();
}

/** Epoch seconds, fractional to the millisecond ("1704067200.5"), as JSON protocols send them. */
export function formatEpochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function formatTimestamp(date: Date, format: TimestampFormat, alwaysMillis = false): string {
  switch (format) {
    case 'iso8601':
      return formatIso8601(date, alwaysMillis);
    case 'rfc822':
      return formatRfc822(date);
    case 'unixTimestamp':
      return String(formatEpochSeconds(date));
  }
}

/** Coerces whatever a provider handed back (Date, epoch ms number, ISO string) into a Date. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string') return new Date(value);
  throw new TypeError(`not a timestamp: ${String(value)}`);
}

/**
 * Reads a timestamp from the wire. Clients disagree on formats (botocore sends ISO 8601 with
 * microseconds, SDK v3 milliseconds, some send epoch seconds), so every format is accepted and
 * the declared one is only a hint. Returns undefined when nothing parses.
 */
export function parseTimestamp(text: string | number): Date | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? new Date(Math.round(text * 1000)) : undefined;
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return new Date(Math.round(Number(t) * 1000));
  // Date.parse handles ISO 8601 and RFC 822/1123; fractional seconds beyond milliseconds are cut first.
  const normalised = t.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function decodeBase64Blob(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

export function encodeBase64Blob(value: unknown): string {
  return toBuffer(value).toString('base64');
}

export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new TypeError('blob members take a Buffer, Uint8Array or string');
}

const INTEGER_TYPES = new Set(['integer', 'long', 'short', 'byte']);
const FLOAT_TYPES = new Set(['float', 'double']);

export function isIntegerType(type: string): boolean {
  return INTEGER_TYPES.has(type);
}

export function isFloatType(type: string): boolean {
  return FLOAT_TYPES.has(type);
}

/** Floats as text: AWS spells the non-finite values NaN, Infinity and -Infinity. */
export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Thrown for a string that does not parse as the member's declared scalar type. */
export type ScalarErrorFactory = (memberPath: string, text: string, type: string) => AwsError;

/**
 * Reads a scalar from its text form (query strings, XML text, headers). `onError` builds the
 * protocol's own error for text that does not fit the declared type.
 */
export function parseScalarText(text: string, shape: Shape, ref: ShapeRef | undefined, memberPath: string, onError: ScalarErrorFactory): unknown {
  switch (shape.type) {
    case 'string':
      return text;
    case 'boolean':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw onError(memberPath, text, shape.type);
    case 'integer':
    case 'long':
    case 'short':
    case 'byte': {
      if (!/^[-+]?\d+$/.test(text.trim())) throw onError(memberPath, text, shape.type);
      return Number(text);
    }
    case 'float':
    case 'double': {
      const t = text.trim();
      if (t === 'NaN') return NaN;
      if (t === 'Infinity') return Infinity;
      if (t === '-Infinity') return -Infinity;
      const n = Number(t);
      if (t === '' || Number.isNaN(n)) throw onError(memberPath, text, shape.type);
      return n;
    }
    case 'bigdecimal':
    case 'biginteger':
      return text; // kept as text: JavaScript numbers would lose precision
    case 'timestamp': {
      const d = parseTimestamp(text);
      if (!d) throw onError(memberPath, text, shape.type);
      return d;
    }
    case 'blob':
      return decodeBase64Blob(text);
    default:
      void ref;
      throw onError(memberPath, text, shape.type);
  }
}

/** Text form of a scalar for XML bodies, query strings and headers. */
export function formatScalarText(value: unknown, shape: Shape, format: TimestampFormat, alwaysMillis = false): string {
  switch (shape.type) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'float':
    case 'double':
      return formatFloat(Number(value));
    case 'timestamp':
      return formatTimestamp(toDate(value), format, alwaysMillis);
    case 'blob':
      return encodeBase64Blob(value);
    default:
      return String(value);
  }
}
