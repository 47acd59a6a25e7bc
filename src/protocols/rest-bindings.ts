/**
 * What rest-json and rest-xml share: matching method + requestUri templates (with `{Label}`,
 * greedy `{Key+}` and literal query requirements such as `?uploads` or `?list-type=2`), and
 * reading/writing the members bound to the URI, query string, headers and status code.
 */
import { parseQueryPairs, type RawRequest } from '../core/http.ts';
import { AwsError } from '../core/errors.ts';
import type { OperationModel, ServiceModel, Shape, ShapeRef } from './model.ts';
import { formatScalarText, parseScalarText, toBuffer, type TimestampFormat } from './scalars.ts';

interface CompiledTemplate {
  operation: OperationModel;
  method: string;
  pattern: RegExp;
  labels: string[];
  /** Literal query requirements: name → required value (undefined: the name alone, e.g. ?uploads). */
  query: Array<[string, string | undefined]>;
  /** How specific the template is: literal path characters, then literal query keys. */
  literalChars: number;
  /**
   * Headers (lower-cased) and query parameters of required input members. Operations sharing a
   * template differ by them: CopyObject is PutObject's PUT plus a required x-amz-copy-source,
   * UploadPart is PutObject's PUT plus required partNumber and uploadId parameters.
   */
  requiredHeaders: string[];
  requiredQuery: string[];
}

const compiledByModel = new WeakMap<ServiceModel, CompiledTemplate[]>();
/** uriLabels' templates, compiled once per operation (the label pattern needs no model). */
const compiledByOperation = new WeakMap<OperationModel, CompiledTemplate>();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `x-id=GetObject` style literals are hints SDK v3 appends for request routing; botocore omits
 * them and AWS ignores them, so they never decide a match.
 */
const IGNORED_QUERY_LITERALS = new Set(['x-id']);

export function compileTemplate(operation: OperationModel, model?: ServiceModel): CompiledTemplate {
  const [pathPart, queryPart = ''] = operation.http.requestUri.split('?', 2) as [string, string?];
  const labels: string[] = [];
  let literalChars = 0;
  let source = '';
  for (const piece of pathPart.split(/(\{[^}]+\})/)) {
    const label = /^\{([^}+]+)(\+?)\}$/.exec(piece);
    if (label) {
      labels.push(label[1]!);
      source += label[2] ? '(.+)' : '([^/]+)';
    } else {
      literalChars += piece.length;
      source += escapeRegExp(piece);
    }
  }
  // Clients differ on a trailing slash after a bucket-level path ("/bkt/?delete" vs "/bkt?delete").
  source = source.replace(/\/$/, '');
  const query = parseQueryPairs(queryPart)
    .filter(([k]) => !IGNORED_QUERY_LITERALS.has(k))
    .map(([k, v]): [string, string | undefined] => [k, queryPart.includes(`${k}=`) ? v : undefined]);
  const input = operation.input && model ? model.shapes[operation.input.shape] : undefined;
  const requiredRefs = (input?.required ?? []).map((name) => input?.members?.[name]).filter((ref): ref is ShapeRef => ref?.locationName !== undefined);
  const requiredHeaders = requiredRefs.filter((ref) => ref.location === 'header').map((ref) => ref.locationName!.toLowerCase());
  const requiredQuery = requiredRefs.filter((ref) => ref.location === 'querystring').map((ref) => ref.locationName!);
  return { operation, method: operation.http.method, pattern: new RegExp(`^${source}/?$`), labels, query, literalChars, requiredHeaders, requiredQuery };
}

function templatesOf(model: ServiceModel): CompiledTemplate[] {
  let compiled = compiledByModel.get(model);
  if (!compiled) {
    compiled = Object.values(model.operations).map((op) => compileTemplate(op, model));
    compiledByModel.set(model, compiled);
  }
  return compiled;
}

function queryMatches(template: CompiledTemplate, query: Map<string, string>): boolean {
  for (const [k, v] of template.query) {
    if (!query.has(k) || (v !== undefined && query.get(k) !== v)) return false;
  }
  return true;
}

function moreSpecific(a: CompiledTemplate, b: CompiledTemplate): boolean {
  if (a.literalChars !== b.literalChars) return a.literalChars > b.literalChars;
  if (a.query.length !== b.query.length) return a.query.length > b.query.length;
  const aRequired = a.requiredHeaders.length + a.requiredQuery.length;
  const bRequired = b.requiredHeaders.length + b.requiredQuery.length;
  if (aRequired !== bRequired) return aRequired > bRequired;
  // The same route twice (S3's GetBucketLifecycle and GetBucketLifecycleConfiguration): the
  // current operation wins over the deprecated one, as today's clients send the current one.
  return Boolean(b.operation.deprecated) && !a.operation.deprecated;
}

export type RouteResult = { operation: OperationModel } | { operation: undefined; pathMatched: boolean };

/** The most specific operation whose method, path and literal query requirements match. */
export function matchRoute(req: RawRequest, model: ServiceModel): RouteResult {
  const query = new Map(parseQueryPairs(req.query));
  let best: CompiledTemplate | undefined;
  let pathMatched = false;
  for (const t of templatesOf(model)) {
    // The literal query test (a Map lookup or two) first: it rules out most of S3's templates.
    if (!queryMatches(t, query) || !t.pattern.test(req.path)) continue;
    pathMatched = true;
    if (t.method !== req.method) continue;
    if (!t.requiredHeaders.every((h) => h in req.headers) || !t.requiredQuery.every((k) => query.has(k))) continue;
    if (!best || moreSpecific(t, best)) best = t;
  }
  return best ? { operation: best.operation } : { operation: undefined, pathMatched };
}

function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The URI labels of an already resolved operation, percent-decoded. */
export function uriLabels(req: RawRequest, operation: OperationModel): Record<string, string> {
  let t = compiledByOperation.get(operation);
  if (!t) {
    t = compileTemplate(operation);
    compiledByOperation.set(operation, t);
  }
  const m = t.pattern.exec(req.path);
  const out: Record<string, string> = {};
  if (m) t.labels.forEach((name, i) => (out[name] = decodeLabel(m[i + 1]!)));
  return out;
}

function invalidBinding(memberPath: string, text: string, type: string): AwsError {
  return new AwsError('InvalidArgument', `Invalid value '${text}' for ${memberPath}: expected ${type}`);
}

function shapeOf(model: ServiceModel, ref: ShapeRef): Shape {
  const s = model.shapes[ref.shape];
  if (!s) throw new Error(`model has no shape ${ref.shape}`);
  return s;
}

function readHeaderValue(model: ServiceModel, ref: ShapeRef, text: string, name: string): unknown {
  const shape = shapeOf(model, ref);
  if (shape.type === 'list') return text.split(',').map((part) => readHeaderValue(model, shape.member!, part.trim(), name));
  if (shape.type === 'string' && ref.jsonvalue) return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  // Header blobs are base64 on the wire, like any other text-encoded blob.
  return parseScalarText(text, shape, ref, name, invalidBinding);
}

/** One input member bound outside the body, with what reading it needs resolved once. */
interface BoundInputMember {
  memberName: string;
  ref: ShapeRef;
  location: 'uri' | 'querystring' | 'header' | 'headers';
  /** The label, query parameter or header name (locationName, else the member name). */
  name: string;
  /** For headers: the header name lower-cased; for a `headers` map: its lower-cased prefix. */
  lowerName: string;
  shape: Shape;
}

interface InputBindingPlan {
  members: BoundInputMember[];
  /** Query parameters some member claims by name (a query-bound map takes the rest). */
  boundQueryNames: Set<string>;
}

/** Per input shape (each belongs to one model), the bound members in declaration order. */
const inputPlans = new WeakMap<Shape, InputBindingPlan>();

function inputBindingPlan(model: ServiceModel, shape: Shape): InputBindingPlan {
  let plan = inputPlans.get(shape);
  if (plan) return plan;
  plan = { members: [], boundQueryNames: new Set() };
  for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
    const memberShape = shapeOf(model, ref);
    const location = ref.location;
    if (location !== 'uri' && location !== 'querystring' && location !== 'header' && location !== 'headers') continue;
    const name = ref.locationName ?? memberName;
    const lowerName = location === 'headers' ? (ref.locationName ?? '').toLowerCase() : name.toLowerCase();
    plan.members.push({ memberName, ref, location, name, lowerName, shape: memberShape });
    if (location === 'querystring' && ref.locationName) plan.boundQueryNames.add(ref.locationName);
  }
  inputPlans.set(shape, plan);
  return plan;
}

/** Reads every member bound outside the body: uri labels, query string, headers. */
export function readBoundMembers(req: RawRequest, model: ServiceModel, shape: Shape, labels: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const plan = inputBindingPlan(model, shape);
  if (plan.members.length === 0) return out;
  const queryPairs = parseQueryPairs(req.query);
  for (const { memberName, ref, location, name, lowerName, shape: memberShape } of plan.members) {
    switch (location) {
      case 'uri':
        if (name in labels) out[memberName] = parseScalarText(labels[name]!, memberShape, ref, name, invalidBinding);
        break;
      case 'querystring': {
        if (queryPairs.length === 0) break;
        if (memberShape.type === 'map') {
          // A map bound to the query string takes every parameter no other member claims.
          const rest = queryPairs.filter(([k]) => !plan.boundQueryNames.has(k));
          if (rest.length) out[memberName] = Object.fromEntries(rest);
          break;
        }
        const values = queryPairs.filter(([k]) => k === name).map(([, v]) => v);
        if (values.length === 0) break;
        out[memberName] =
          memberShape.type === 'list'
            ? values.map((v) => parseScalarText(v, shapeOf(model, memberShape.member!), memberShape.member, name, invalidBinding))
            : parseScalarText(values[0]!, memberShape, ref, name, invalidBinding);
        break;
      }
      case 'header': {
        const text = req.headers[lowerName];
        if (text !== undefined) out[memberName] = readHeaderValue(model, ref, text, name);
        break;
      }
      case 'headers': {
        const map: Record<string, string> = {};
        let any = false;
        for (const h in req.headers) {
          if (h.startsWith(lowerName)) {
            map[h.slice(lowerName.length)] = req.headers[h]!;
            any = true;
          }
        }
        if (any) out[memberName] = map;
        break;
      }
    }
  }
  return out;
}

function headerText(model: ServiceModel, ref: ShapeRef, value: unknown): string {
  const shape = shapeOf(model, ref);
  if (shape.type === 'list') return (value as unknown[]).map((v) => headerText(model, shape.member!, v)).join(',');
  if (shape.type === 'string' && ref.jsonvalue) return Buffer.from(JSON.stringify(value)).toString('base64');
  const format: TimestampFormat = ref.timestampFormat ?? shape.timestampFormat ?? 'rfc822';
  return formatScalarText(value, shape, format);
}

/** One output member bound to the status code or headers. */
interface BoundOutputMember {
  memberName: string;
  ref: ShapeRef;
  location: 'statusCode' | 'header' | 'headers';
  /** The header name, or the `headers` map's prefix, as the model spells it. */
  headerName: string;
}

/** Per output shape, the members bound outside the body, in declaration order. */
const outputPlans = new WeakMap<Shape, BoundOutputMember[]>();
const NO_SHAPE_PLAN: BoundOutputMember[] = [];

function outputBindingPlan(shape: Shape | undefined): BoundOutputMember[] {
  if (!shape) return NO_SHAPE_PLAN;
  let plan = outputPlans.get(shape);
  if (plan) return plan;
  plan = [];
  for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
    const location = ref.location;
    if (location !== 'statusCode' && location !== 'header' && location !== 'headers') continue;
    plan.push({ memberName, ref, location, headerName: location === 'headers' ? (ref.locationName ?? '') : (ref.locationName ?? memberName) });
  }
  outputPlans.set(shape, plan);
  return plan;
}

/** Writes the members bound to the status code and headers; returns them for the response. */
export function writeBoundMembers(model: ServiceModel, shape: Shape | undefined, output: Record<string, unknown>, defaultStatus: number): { status: number; headers: Record<string, string> } {
  let status = defaultStatus;
  const headers: Record<string, string> = {};
  for (const { memberName, ref, location, headerName } of outputBindingPlan(shape)) {
    const v = output[memberName];
    if (v === undefined || v === null) continue;
    if (location === 'statusCode') status = Number(v);
    else if (location === 'header') headers[headerName] = headerText(model, ref, v);
    else for (const [k, text] of Object.entries(v as Record<string, unknown>)) headers[`${headerName}${k}`] = String(text);
  }
  return { status, headers };
}

/** The member named by `payload`, when the shape sends one member as the whole body. */
export function payloadMember(model: ServiceModel, shape: Shape | undefined): { name: string; ref: ShapeRef; shape: Shape } | undefined {
  if (!shape?.payload) return undefined;
  const ref = shape.members?.[shape.payload];
  if (!ref) return undefined;
  return { name: shape.payload, ref, shape: shapeOf(model, ref) };
}

/** Whether any member goes in the body (not bound to uri, query, headers or status). */
export function hasBodyMembers(shape: Shape | undefined): boolean {
  return Object.values(shape?.members ?? {}).some((ref) => !ref.location);
}

export function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((h) => h.toLowerCase() === lower);
}

/** A blob or string payload passed through as raw bytes. */
export function rawPayload(value: unknown): Buffer {
  return toBuffer(value);
}
