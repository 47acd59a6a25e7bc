/**
 * Model-driven conversion between JSON documents and input/output objects, shared by the json and
 * rest-json codecs: timestamps are epoch seconds unless `timestampFormat` says otherwise, blobs are
 * base64, members are named by locationName when the model gives one.
 */
import { AwsError } from '../core/errors.ts';
import type { ServiceModel, Shape, ShapeRef } from './model.ts';
import { decodeBase64Blob, encodeBase64Blob, formatEpochSeconds, formatTimestamp, parseTimestamp, toDate, type TimestampFormat } from './scalars.ts';

export function serializationError(message: string): AwsError {
  return new AwsError('SerializationException', message);
}

function shapeOf(model: ServiceModel, ref: ShapeRef): Shape {
  const s = model.shapes[ref.shape];
  if (!s) throw new Error(`model has no shape ${ref.shape}`);
  return s;
}

/** A structure member as the JSON codecs walk it: its name, shape ref and JSON key. */
interface JsonMember {
  name: string;
  ref: ShapeRef;
  /** The member's key in the document: locationName, else the member name. */
  key: string;
  /** Bound to the URI, query string or headers (rest-json), not the body. */
  bound: boolean;
}

/**
 * Each structure's members, listed once: Object.entries on every structure of every request
 * (a DynamoDB item is one AttributeValue structure per attribute) was a measurable share of parsing.
 */
const membersByShape = new WeakMap<Shape, JsonMember[]>();

function jsonMembers(shape: Shape): JsonMember[] {
  let members = membersByShape.get(shape);
  if (!members) {
    members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({ name, ref, key: ref.locationName ?? name, bound: Boolean(ref.location) }));
    membersByShape.set(shape, members);
  }
  return members;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a parsed JSON value as the shape `ref` describes; `path` names it in error messages. */
export function readJsonValue(model: ServiceModel, ref: ShapeRef, value: unknown, path: string): unknown {
  if (value === null) return undefined;
  const shape = shapeOf(model, ref);
  if (shape.document) return value;
  const mismatch = () => serializationError(`Unexpected value type for ${path}: expected ${shape.type}`);
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(value)) throw mismatch();
      return readJsonStructure(model, shape, value, path);
    }
    case 'list': {
      if (!Array.isArray(value)) throw mismatch();
      return value.map((item, i) => readJsonValue(model, shape.member!, item, `${path}[${i}]`) ?? null);
    }
    case 'map': {
      if (!isPlainObject(value)) throw mismatch();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = readJsonValue(model, shape.value!, v, `${path}.${k}`) ?? null;
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw mismatch();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw mismatch();
      return value;
    case 'float':
    case 'double':
      if (typeof value === 'number') return value;
      if (value === 'NaN') return NaN;
      if (value === 'Infinity') return Infinity;
      if (value === '-Infinity') return -Infinity;
      throw mismatch();
    case 'bigdecimal':
    case 'biginteger':
      if (typeof value !== 'number' && typeof value !== 'string') throw mismatch();
      return String(value);
    case 'timestamp': {
      if (typeof value !== 'number' && typeof value !== 'string') throw mismatch();
      const d = parseTimestamp(value);
      if (!d) throw mismatch();
      return d;
    }
    case 'blob':
      if (typeof value !== 'string') throw mismatch();
      return decodeBase64Blob(value);
  }
}

export function readJsonStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, skipBound = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, ref, key, bound } of jsonMembers(shape)) {
    if (skipBound && bound) continue;
    if (!(key in value)) continue;
    const v = readJsonValue(model, ref, value[key], path ? `${path}.${name}` : name);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function jsonTimestamp(date: Date, format: TimestampFormat): number | string {
  return format === 'unixTimestamp' ? formatEpochSeconds(date) : formatTimestamp(date, format);
}

/** Writes a value as the JSON the shape describes (a JSON-ready value, not yet stringified). */
export function writeJsonValue(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  const shape = shapeOf(model, ref);
  if (shape.document) return value;
  switch (shape.type) {
    case 'structure':
      return writeJsonStructure(model, shape, value as Record<string, unknown>);
    case 'list':
      return (value as unknown[]).map((item) => (item === undefined || item === null ? null : writeJsonValue(model, shape.member!, item)));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) out[String(k)] = v === undefined || v === null ? null : writeJsonValue(model, shape.value!, v);
      return out;
    }
    case 'timestamp':
      return jsonTimestamp(toDate(value), ref.timestampFormat ?? shape.timestampFormat ?? 'unixTimestamp');
    case 'blob':
      return encodeBase64Blob(value);
    case 'float':
    case 'double': {
      const n = Number(value);
      return Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
    }
    default:
      return value;
  }
}

export function writeJsonStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, skipBound = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, ref, key, bound } of jsonMembers(shape)) {
    if (skipBound && bound) continue;
    const v = value[name];
    if (v === undefined || v === null) continue;
    out[key] = writeJsonValue(model, ref, v);
  }
  return out;
}

/** Parses a JSON request body; an empty body is `{}`. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError('');
  }
  if (!isPlainObject(parsed)) throw serializationError('');
  return parsed;
}

/**
 * The JSON body of an error: modeled members of the error shape (message under the model's own
 * spelling, `message` or `Message`) plus any extra fields the thrower set.
 */
export function jsonErrorMembers(model: ServiceModel, shape: Shape | undefined, message: string, fields: Record<string, unknown>): Record<string, unknown> {
  const members = shape?.members ?? {};
  const messageKey = 'Message' in members && !('message' in members) ? 'Message' : 'message';
  const out: Record<string, unknown> = {};
  if (message) out[messageKey] = message;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || v === null) continue;
    const ref = members[k];
    out[ref?.locationName ?? k] = ref && !ref.location ? writeJsonValue(model, ref, v) : v;
  }
  return out;
}
