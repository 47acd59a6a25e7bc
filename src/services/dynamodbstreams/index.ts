/**
 * Amazon DynamoDB Streams (json 1.0, X-Amz-Target DynamoDBStreams_20120810.*): the records the
 * dynamodb service appends on every item change (src/services/dynamodb/streams/), read through
 * ListStreams, DescribeStream, GetShardIterator and GetRecords.
 *
 * Each stream has one shard, open while the stream is the table's enabled stream and closed
 * (EndingSequenceNumber set, no NextShardIterator past its end) once the stream is disabled,
 * replaced or its table deleted; closed streams stay readable for 24 hours as on AWS. Shard
 * iterators carry the stream ARN, the position and the time they were issued on Bonsai's clock,
 * and expire after 15 minutes.
 */
import { createHash } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import { AwsError } from '../../core/errors.ts';
import type { DynamoDBStreamsHandlers } from '../../generated/dynamodbstreams/handlers.ts';
import {
  ExpiredIteratorException,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '../../generated/dynamodbstreams/errors.ts';
import type {
  DescribeStreamInput,
  GetRecordsInput,
  GetShardIteratorInput,
  ListStreamsInput,
  RecordShape,
  StreamDescription,
} from '../../generated/dynamodbstreams/types.ts';
import type { OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import { createDynamoDbCodec } from '../dynamodb/wire.ts';
import { formatSequenceNumber, parseSequenceNumber } from '../dynamodb/streams/records.ts';
import {
  ensureStream,
  enabledStreamOf,
  findStream,
  listStreamRows,
  markStreamDisabled,
  oldestRetainedSeq,
  readRecords,
  RETENTION_MS,
  type StreamLocation,
  type StreamRecordRow,
  type StreamRow,
} from '../dynamodb/streams/store.ts';
import { findTable, TABLE_KIND, type TableRecord } from '../dynamodb/tables.ts';
import { defineService } from '../types.ts';

/** Shard iterators expire 15 minutes after they are issued. */
export const ITERATOR_LIFETIME_MS = 15 * 60 * 1000;
const MAX_RECORDS_PER_CALL = 1000;

const STREAM_ARN = /^arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})\/stream\/(\S+)$/;

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, { status: 400, fault: 'client' });
}

export function streamArnOf(loc: StreamLocation): string {
  return `arn:aws:dynamodb:${loc.region}:${loc.account}:table/${loc.table}/stream/${loc.label}`;
}

export function parseStreamArn(arn: string): StreamLocation | undefined {
  const m = STREAM_ARN.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, table: m[3]!, label: m[4]! } : undefined;
}

/** One shard per stream, named like AWS's (shardId-<20 digits>-<8 hex>) and stable for the stream. */
export function shardIdOf(stream: StreamRow): string {
  const digest = createHash('sha256').update(streamArnOf(stream.loc)).digest('hex').slice(0, 8);
  return `shardId-${String(stream.createdMs).padStart(20, '0')}-${digest}`;
}

// ---------------------------------------------------------------------------------------------
// Stream state

interface VisibleStream {
  row: StreamRow;
  enabled: boolean;
}

/**
 * Whether the stream is still its table's enabled stream; a stream that is not is closed, and
 * visible for 24 hours from when Bonsai first saw it closed.
 */
async function visibility(ctx: RequestContext, row: StreamRow, tables: Map<string, TableRecord | undefined>): Promise<VisibleStream | undefined> {
  if (!tables.has(row.loc.table)) tables.set(row.loc.table, await findTable(ctx.store, ctx, row.loc.table));
  const table = tables.get(row.loc.table);
  const enabled = !!table && table.TableId === row.tableId && enabledStreamOf(table)?.label === row.loc.label;
  if (enabled) return { row, enabled };
  const now = ctx.clock.nowMs();
  if (row.disabledMs === undefined) {
    await markStreamDisabled(ctx.store, row.loc, now);
    return { row: { ...row, disabledMs: now }, enabled };
  }
  return now - row.disabledMs <= RETENTION_MS ? { row, enabled } : undefined;
}

/** Makes sure every table with an enabled stream has its stream row (tables enable streams without writing one). */
async function ensureAccountStreams(ctx: RequestContext): Promise<void> {
  const docs = await ctx.store.list<TableRecord>({ kind: TABLE_KIND, account: ctx.accountId, region: ctx.region });
  for (const doc of docs) await ensureStream(ctx.store, ctx.accountId, ctx.region, doc.value);
}

function streamNotFound(arn: string): AwsError {
  return new ResourceNotFoundException(`Requested resource not found: Stream: ${arn} not found`);
}

async function requireStream(ctx: RequestContext, arn: string): Promise<VisibleStream> {
  const loc = parseStreamArn(arn);
  if (!loc || loc.account !== ctx.accountId || loc.region !== ctx.region) throw streamNotFound(arn);
  let row = await findStream(ctx.store, loc);
  if (!row) {
    const table = await findTable(ctx.store, ctx, loc.table);
    if (table && enabledStreamOf(table)?.label === loc.label) {
      await ensureStream(ctx.store, ctx.accountId, ctx.region, table);
      row = await findStream(ctx.store, loc);
    }
  }
  const visible = row ? await visibility(ctx, row, new Map()) : undefined;
  if (!visible) throw streamNotFound(arn);
  return visible;
}

// ---------------------------------------------------------------------------------------------
// ListStreams and DescribeStream

export async function listStreams(ctx: RequestContext, input: ListStreamsInput) {
  await ensureAccountStreams(ctx);
  const limit = input.Limit ?? 100;
  const tables = new Map<string, TableRecord | undefined>();
  const visible: StreamRow[] = [];
  for (const row of await listStreamRows(ctx.store, ctx.accountId, ctx.region, input.TableName)) {
    const v = await visibility(ctx, row, tables);
    if (v) visible.push(v.row);
  }
  const arns = visible.map((row) => streamArnOf(row.loc));
  let start = 0;
  if (input.ExclusiveStartStreamArn !== undefined) {
    const at = arns.indexOf(input.ExclusiveStartStreamArn);
    start = at === -1 ? arns.length : at + 1;
  }
  const page = visible.slice(start, start + limit);
  const out: Record<string, unknown> = {
    Streams: page.map((row) => ({ StreamArn: streamArnOf(row.loc), TableName: row.loc.table, StreamLabel: row.loc.label })),
  };
  if (start + limit < visible.length) out.LastEvaluatedStreamArn = streamArnOf(page[page.length - 1]!.loc);
  return out;
}

async function sequenceRange(ctx: RequestContext, stream: VisibleStream) {
  const oldest = await oldestRetainedSeq(ctx.store, stream.row.loc, ctx.clock.nowMs());
  const start = oldest ?? stream.row.lastSeq + 1;
  const range: { StartingSequenceNumber: string; EndingSequenceNumber?: string } = { StartingSequenceNumber: formatSequenceNumber(start) };
  if (!stream.enabled) range.EndingSequenceNumber = formatSequenceNumber(Math.max(start, stream.row.lastSeq));
  return range;
}

export async function describeStream(ctx: RequestContext, input: DescribeStreamInput) {
  const stream = await requireStream(ctx, input.StreamArn);
  const shardId = shardIdOf(stream.row);
  const shards = input.ExclusiveStartShardId === shardId ? [] : [{ ShardId: shardId, SequenceNumberRange: await sequenceRange(ctx, stream) }];
  const description: StreamDescription = {
    StreamArn: streamArnOf(stream.row.loc),
    StreamLabel: stream.row.loc.label,
    StreamStatus: stream.enabled ? 'ENABLED' : 'DISABLED',
    StreamViewType: stream.row.viewType,
    CreationRequestDateTime: new Date(stream.row.createdMs),
    TableName: stream.row.loc.table,
    KeySchema: stream.row.keySchema,
    Shards: shards,
  };
  return { StreamDescription: description };
}

// ---------------------------------------------------------------------------------------------
// Shard iterators

interface IteratorState {
  /** Read records whose counter is above this. */
  after: number;
  /** When the iterator was issued, on Bonsai's clock. */
  issuedMs: number;
}

export function encodeIterator(arn: string, state: IteratorState): string {
  return `${arn}|1|${Buffer.from(JSON.stringify({ a: state.after, t: state.issuedMs })).toString('base64url')}`;
}

export function decodeIterator(text: string): { arn: string; state: IteratorState } | undefined {
  const parts = text.split('|');
  if (parts.length !== 3 || parts[1] !== '1' || !parseStreamArn(parts[0]!)) return undefined;
  try {
    const raw = JSON.parse(Buffer.from(parts[2]!, 'base64url').toString('utf8')) as { a?: unknown; t?: unknown };
    if (!Number.isSafeInteger(raw.a) || !Number.isSafeInteger(raw.t)) return undefined;
    return { arn: parts[0]!, state: { after: raw.a as number, issuedMs: raw.t as number } };
  } catch {
    return undefined;
  }
}

function trimmed(): AwsError {
  return new TrimmedDataAccessException('The data you are trying to access has been trimmed.');
}

function requiredSequenceNumber(input: GetShardIteratorInput): number {
  if (input.SequenceNumber === undefined) {
    throw validation(`SequenceNumber must be provided for ShardIteratorType ${input.ShardIteratorType}`);
  }
  const n = parseSequenceNumber(input.SequenceNumber);
  if (n === undefined) throw validation(`Invalid SequenceNumber: ${input.SequenceNumber}`);
  return n;
}

export async function getShardIterator(ctx: RequestContext, input: GetShardIteratorInput) {
  const stream = await requireStream(ctx, input.StreamArn);
  if (input.ShardId !== shardIdOf(stream.row)) throw new ResourceNotFoundException(`Requested resource not found: Shard does not exist`);
  const now = ctx.clock.nowMs();
  const oldest = (await oldestRetainedSeq(ctx.store, stream.row.loc, now)) ?? stream.row.lastSeq + 1;
  let after: number;
  switch (input.ShardIteratorType) {
    case 'TRIM_HORIZON':
      after = oldest - 1;
      break;
    case 'LATEST':
      after = stream.row.lastSeq;
      break;
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const n = requiredSequenceNumber(input);
      if (n < 1 || n > stream.row.lastSeq) throw validation(`Invalid SequenceNumber: ${input.SequenceNumber} is not in the shard ${input.ShardId}`);
      if (n < oldest) throw trimmed();
      after = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? n - 1 : n;
      break;
    }
    default:
      throw validation(`Invalid ShardIteratorType: ${String(input.ShardIteratorType)}`);
  }
  return { ShardIterator: encodeIterator(streamArnOf(stream.row.loc), { after, issuedMs: now }) };
}

// ---------------------------------------------------------------------------------------------
// GetRecords

function wireRecord(region: string, row: StreamRecordRow): RecordShape {
  const dynamodb: NonNullable<RecordShape['dynamodb']> = {
    ApproximateCreationDateTime: new Date(row.approximateCreationSeconds * 1000),
    Keys: row.keys,
  };
  if (row.newImage) dynamodb.NewImage = row.newImage;
  if (row.oldImage) dynamodb.OldImage = row.oldImage;
  dynamodb.SequenceNumber = formatSequenceNumber(row.seq);
  dynamodb.SizeBytes = row.sizeBytes;
  dynamodb.StreamViewType = row.viewType;
  const record: RecordShape = {
    eventID: row.eventID,
    eventName: row.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
  };
  // TTL deletions are the service's own: "userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}.
  if (row.origin === 'ttl') record.userIdentity = { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' };
  return record;
}

export async function getRecords(ctx: RequestContext, input: GetRecordsInput) {
  const limit = input.Limit ?? MAX_RECORDS_PER_CALL;
  if (limit > MAX_RECORDS_PER_CALL) {
    throw validation(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RECORDS_PER_CALL}`);
  }
  const iterator = decodeIterator(input.ShardIterator);
  if (!iterator) throw validation('Invalid ShardIterator');
  const now = ctx.clock.nowMs();
  if (now - iterator.state.issuedMs > ITERATOR_LIFETIME_MS) {
    throw new ExpiredIteratorException('The provided iterator exceeds the maximum age allowed.');
  }
  const stream = await requireStream(ctx, iterator.arn);
  const oldest = (await oldestRetainedSeq(ctx.store, stream.row.loc, now)) ?? stream.row.lastSeq + 1;
  if (oldest > iterator.state.after + 1) throw trimmed();

  const rows = await readRecords(ctx.store, stream.row.loc, iterator.state.after, limit, now);
  const after = rows.length ? rows[rows.length - 1]!.seq : iterator.state.after;
  const out: Record<string, unknown> = { Records: rows.map((row) => wireRecord(ctx.region, row)) };
  // A closed shard has no iterator past its last record.
  const exhausted = !stream.enabled && after >= stream.row.lastSeq;
  if (!exhausted) out.NextShardIterator = encodeIterator(iterator.arn, { after, issuedMs: now });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Authorization: every operation but ListStreams is on the stream's ARN.

function onStreamArn(action: string): OperationAuthz {
  return ({ input }) => {
    const arn = String(input.StreamArn ?? '');
    return parseStreamArn(arn) ? [{ action: `dynamodb:${action}`, resource: arn }] : [];
  };
}

const getRecordsAuthz: OperationAuthz = ({ input }) => {
  // An unreadable iterator fails in the handler; there is no stream to authorize against.
  const iterator = decodeIterator(String(input.ShardIterator ?? ''));
  return iterator ? [{ action: 'dynamodb:GetRecords', resource: iterator.arn }] : [];
};

export const dynamodbStreamsAuthz: ServiceAuthz = {
  prefix: 'dynamodb',
  operations: {
    ListStreams: () => [{ action: 'dynamodb:ListStreams', resource: '*' }],
    DescribeStream: onStreamArn('DescribeStream'),
    GetShardIterator: onStreamArn('GetShardIterator'),
    GetRecords: getRecordsAuthz,
  },
};

export const dynamodbstreams = defineService<DynamoDBStreamsHandlers>({
  name: 'dynamodbstreams',
  signingName: 'dynamodb',
  protocol: 'json',
  apiVersion: '2012-08-10',
  targetPrefix: 'DynamoDBStreams_20120810',
  authFamily: 'json',
  codec: createDynamoDbCodec(),
  authz: dynamodbStreamsAuthz,
  handlers: {
    ListStreams: (input, ctx) => listStreams(ctx, input),
    DescribeStream: (input, ctx) => describeStream(ctx, input),
    GetShardIterator: (input, ctx) => getShardIterator(ctx, input),
    GetRecords: (input, ctx) => getRecords(ctx, input),
  },
  compatibility: {
    notes: [
      'One shard per stream. A stream closes (StreamStatus DISABLED, EndingSequenceNumber set) when it is disabled, replaced by a new stream or its table is deleted, and stays readable for 24 hours; records are readable for 24 hours.',
      'Sequence numbers are 21-digit decimals, increasing per stream. Shard iterators expire 15 minutes after they are issued on Bonsai\'s clock.',
      'Messages of malformed iterators and out-of-range sequence numbers (ValidationException) are Bonsai\'s wording.',
    ],
  },
});
