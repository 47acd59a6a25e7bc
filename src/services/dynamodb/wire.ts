/**
 * DynamoDB's wire quirks, owned by the service rather than the json codec:
 * - `__type` is a fully qualified shape id: modeled errors live in
 *   `com.amazonaws.dynamodb.v20120810`, request validation in `com.amazon.coral.validate`, and the
 *   framework's own errors (authentication, authorization, serialization, unknown operations) in
 *   `com.amazon.coral.service`;
 * - the framework's AccessDeniedException and SerializationException spell the message member
 *   `Message` (the others use `message`), as captured from DynamoDB;
 * - every response carries `x-amz-crc32`, the CRC-32 of the body bytes in decimal, which SDKs
 *   verify (SDK v3 and boto3 retry on a mismatch).
 *
 * It also carries stored items into responses without decoding them: items are stored as their
 * wire JSON (attributes.ts encodeItem), which is byte for byte what the json codec writes for the
 * decoded item, so a Query page of 1,000 items need not parse, walk and re-serialise 1 MB. Handlers
 * answer such items as `StoredItemJson`; the codec serialises the rest of the output as usual and
 * puts the stored text in front of it.
 */
import { crc32 } from 'node:zlib';
import { responseBytes, type RawResponse } from '../../core/http.ts';
import type { ProtocolCodec, ResponseContext } from '../../protocols/codec.ts';
import { createJsonCodec } from '../../protocols/json.ts';
import { writeJsonValue } from '../../protocols/json-value.ts';
import type { OperationModel, ServiceModel, ShapeRef } from '../../protocols/model.ts';

const MODELED_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';
const SERVICE_NAMESPACE = 'com.amazon.coral.service';

/** Framework errors whose body says `Message` rather than `message`. */
const CAPITALISED_MESSAGE = new Set(['AccessDeniedException', 'SerializationException']);

export function dynamodbErrorType(code: string, modeled: boolean): string {
  if (modeled) return `${MODELED_NAMESPACE}#${code}`;
  if (code === 'ValidationException') return `${VALIDATE_NAMESPACE}#${code}`;
  return `${SERVICE_NAMESPACE}#${code}`;
}

function capitaliseMessage(response: RawResponse): RawResponse {
  const text = responseBytes(response.body).toString('utf8');
  const body = JSON.parse(text) as Record<string, unknown>;
  if (!('message' in body)) return response;
  const { message, ...rest } = body;
  return { ...response, body: JSON.stringify({ ...rest, Message: message }) };
}

/** An item to answer with as the JSON text it is stored as (only where the output holds a whole, unprojected item). */
export class StoredItemJson {
  constructor(readonly json: string) {}
}

/**
 * A list of whole stored items answered as runs of their stored texts, each run the items joined
 * by commas in UTF-8 (item-store.ts readRun): a Query or Scan page of whole items. The codec puts
 * the runs into the body as bytes, never as one JavaScript string.
 */
export class StoredItemRuns {
  constructor(readonly runs: Buffer[]) {}
}

/**
 * The output's first member as JSON text, when it holds stored items (GetItem's Item, Query's and
 * Scan's Items: the first member of each output shape); decoded items among them are written by
 * the codec's own writer. Undefined when the first member holds no stored item.
 */
function storedItemsJson(model: ServiceModel, operation: OperationModel, output: Record<string, unknown>): { name: string; wireName: string; json: string } | undefined {
  const first = firstOutputMember(model, operation);
  if (!first) return undefined;
  const value = output[first.name];
  if (value instanceof StoredItemJson) return { name: first.name, wireName: first.wireName, json: value.json };
  if (!first.listMember || !Array.isArray(value) || !value.some((v) => v instanceof StoredItemJson)) return undefined;
  const itemRef = first.listMember;
  const parts = value.map((v) => (v instanceof StoredItemJson ? v.json : JSON.stringify(writeJsonValue(model, itemRef, v))));
  return { name: first.name, wireName: first.wireName, json: `[${parts.join(',')}]` };
}

interface FirstMember {
  name: string;
  /** Its name on the wire. */
  wireName: string;
  /** When it is a list: its elements' shape. */
  listMember?: ShapeRef;
}

const firstMembers = new WeakMap<OperationModel, FirstMember | null>();

/** The first member of an operation's output shape (looked up once per operation). */
function firstOutputMember(model: ServiceModel, operation: OperationModel): FirstMember | undefined {
  let first = firstMembers.get(operation);
  if (first === undefined) {
    const shape = operation.output ? model.shapes[operation.output.shape] : undefined;
    const entry = shape?.members ? Object.entries(shape.members)[0] : undefined;
    first = entry ? { name: entry[0], wireName: entry[1].locationName ?? entry[0], listMember: model.shapes[entry[1].shape]?.member } : null;
    firstMembers.set(operation, first);
  }
  return first ?? undefined;
}

export function createDynamoDbCodec(): ProtocolCodec {
  const json = createJsonCodec({ errorType: dynamodbErrorType });
  return {
    ...json,
    serializeOutput(output, model, operation, ctx) {
      const first = firstOutputMember(model, operation);
      const runs = first ? output[first.name] : undefined;
      if (first && runs instanceof StoredItemRuns) return serializeWithRuns(json, output, model, operation, ctx, first, runs);
      const stored = storedItemsJson(model, operation, output);
      if (!stored) return json.serializeOutput(output, model, operation, ctx);
      // The codec writes members in model order, so the first member opens the object: the rest
      // is serialised as usual and the stored items' text goes in front of it.
      const response = json.serializeOutput({ ...output, [stored.name]: undefined }, model, operation, ctx);
      const rest = typeof response.body === 'string' ? response.body : responseBytes(response.body).toString('utf8');
      const head = `{${JSON.stringify(stored.wireName)}:${stored.json}`;
      return { ...response, body: rest === '{}' ? `${head}}` : `${head},${rest.slice(1)}` };
    },
    serializeError(error, model, operation, ctx) {
      const response = json.serializeError(error, model, operation, ctx);
      return CAPITALISED_MESSAGE.has(error.code) ? capitaliseMessage(response) : response;
    },
  };
}

const COMMA = Buffer.from(',');

/** As for stored item texts: the rest of the output by the codec, the runs' bytes in front of it. */
function serializeWithRuns(
  json: ProtocolCodec,
  output: Record<string, unknown>,
  model: ServiceModel,
  operation: OperationModel,
  ctx: ResponseContext,
  first: FirstMember,
  items: StoredItemRuns,
): RawResponse {
  const response = json.serializeOutput({ ...output, [first.name]: undefined }, model, operation, ctx);
  const rest = typeof response.body === 'string' ? response.body : responseBytes(response.body).toString('utf8');
  const parts: Buffer[] = [Buffer.from(`{${JSON.stringify(first.wireName)}:[`)];
  items.runs.forEach((run, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(run);
  });
  parts.push(Buffer.from(rest === '{}' ? ']}' : `],${rest.slice(1)}`));
  return { ...response, body: Buffer.concat(parts) };
}

/**
 * Adds `x-amz-crc32` (decimal CRC-32 of the exact body bytes) to every DynamoDB response. The body
 * goes on as those bytes, so that the edge does not encode a large body a second time.
 */
export function addCrc32(response: RawResponse): RawResponse {
  const bytes = responseBytes(response.body);
  return { ...response, headers: { ...response.headers, 'x-amz-crc32': String(crc32(bytes)) }, body: bytes };
}
