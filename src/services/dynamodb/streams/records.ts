/**
 * What one item change looks like as a DynamoDB Streams record: INSERT, MODIFY or REMOVE, with the
 * key and the images the stream's view type asks for. Pure functions: the store (./store.ts)
 * decides the sequence number and keeps the record.
 */
import { randomBytes } from 'node:crypto';
import { itemSize, type AttributeMap, type AttributeValue } from '../attributes.ts';
import { keyOf, type KeySchema } from '../keys.ts';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
export type EventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** Who made a change: a caller (no userIdentity on the record) or DynamoDB's TTL process. */
export type ChangeOrigin = 'request' | 'ttl';

/** A stream record before its sequence number is known. */
export interface PendingRecord {
  eventID: string;
  eventName: EventName;
  approximateCreationSeconds: number;
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
  sizeBytes: number;
  viewType: StreamViewType;
  origin: ChangeOrigin;
}

function sortedValue(value: AttributeValue): unknown {
  if (value.M) return { M: sortedMap(value.M) };
  if (value.L) return { L: value.L.map(sortedValue) };
  if (value.SS) return { SS: [...value.SS].sort() };
  if (value.NS) return { NS: [...value.NS].sort() };
  if (value.BS) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  return value;
}

function sortedMap(map: AttributeMap): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((name) => [name, sortedValue(map[name]!)]),
  );
}

/**
 * Whether two (canonical) items hold the same data, ignoring attribute and set-member order:
 * "If you perform a PutItem or UpdateItem operation that does not change any data in an item,
 * DynamoDB Streams does not write a stream record for that operation."
 */
export function sameItem(a: AttributeMap | undefined, b: AttributeMap | undefined): boolean {
  if (!a || !b) return a === b;
  return JSON.stringify(sortedMap(a)) === JSON.stringify(sortedMap(b));
}

/** The record for a change, or undefined when nothing changed. */
export function pendingRecord(
  schema: KeySchema,
  viewType: StreamViewType,
  before: AttributeMap | undefined,
  after: AttributeMap | undefined,
  nowMs: number,
  origin: ChangeOrigin = 'request',
): PendingRecord | undefined {
  if (sameItem(before, after)) return undefined;
  const eventName: EventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
  const keys = keyOf(schema, (after ?? before)!);
  const newImage = after && (viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES') ? after : undefined;
  const oldImage = before && (viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES') ? before : undefined;
  return {
    eventID: randomBytes(16).toString('hex'),
    eventName,
    // "in UNIX epoch time format and rounded down to the closest second".
    approximateCreationSeconds: Math.floor(nowMs / 1000),
    keys,
    newImage,
    oldImage,
    sizeBytes: itemSize(keys) + (newImage ? itemSize(newImage) : 0) + (oldImage ? itemSize(oldImage) : 0),
    viewType,
    origin,
  };
}

/** Sequence numbers are decimal strings of 21 digits and more; this keeps them fixed-width and increasing. */
const SEQUENCE_BASE = 10n ** 20n;

export function formatSequenceNumber(n: number): string {
  return (SEQUENCE_BASE + BigInt(n)).toString();
}

/** The counter behind a sequence number, or undefined when the text is not one of ours. */
export function parseSequenceNumber(text: string): number | undefined {
  if (!/^\d{21,40}$/.test(text)) return undefined;
  const n = BigInt(text) - SEQUENCE_BASE;
  return n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}
