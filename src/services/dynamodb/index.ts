/**
 * Amazon DynamoDB: tables as store documents (tables.ts), items in a service-owned SQL table with
 * byte-sortable keys (keys.ts, item-store.ts), item operations with the expression language
 * (items.ts, query.ts, batch.ts, ./expressions/), DynamoDB's own error namespaces and x-amz-crc32
 * header (wire.ts), and its authorization table (authz.ts).
 */
import type { DynamoDBHandlers } from '../../generated/dynamodb/handlers.ts';
import { defineService } from '../types.ts';
import { dynamodbAuthz } from './authz.ts';
import { batchGetItem, batchWriteItem } from './batch.ts';
import { dynamodbMigrations } from './item-store.ts';
import { deleteItem, getItem, putItem, updateItem } from './items.ts';
import { batchExecuteStatement, executeStatement, executeTransaction } from './partiql/index.ts';
import { query, scan } from './query.ts';
import { createTable, deleteTable, describeEndpoints, describeLimits, describeTableOp, listTables, updateTable } from './tables.ts';
import { listTagsOfResource, tagResource, untagResource } from './tags.ts';
import { addCrc32, createDynamoDbCodec } from './wire.ts';
import { transactGetItems, transactWriteItems } from './transactions.ts';
import { describeTimeToLive, ttlMigrations, updateTimeToLive, withTtlSweeper } from './ttl.ts';
import { streamMigrations } from './streams/store.ts';

export const dynamodb = defineService<DynamoDBHandlers>({
  name: 'dynamodb',
  signingName: 'dynamodb',
  protocol: 'json',
  apiVersion: '2012-08-10',
  targetPrefix: 'DynamoDB_20120810',
  authFamily: 'json',
  codec: createDynamoDbCodec(),
  finalizeResponse: addCrc32,
  authz: dynamodbAuthz,
  migrations: [...dynamodbMigrations, ...streamMigrations, ...ttlMigrations],
  // The first request to a store starts its TTL sweeper (ttl.ts).
  handlers: withTtlSweeper({
    CreateTable: (input, ctx) => createTable(ctx, input),
    DescribeTable: (input, ctx) => describeTableOp(ctx, input),
    ListTables: (input, ctx) => listTables(ctx, input),
    DeleteTable: (input, ctx) => deleteTable(ctx, input),
    UpdateTable: (input, ctx) => updateTable(ctx, input),
    DescribeLimits: async () => describeLimits(),
    DescribeEndpoints: async (_input, ctx) => describeEndpoints(ctx),
    TagResource: (input, ctx) => tagResource(ctx, input),
    UntagResource: (input, ctx) => untagResource(ctx, input),
    ListTagsOfResource: (input, ctx) => listTagsOfResource(ctx, input),
    PutItem: (input, ctx) => putItem(ctx, input),
    GetItem: (input, ctx) => getItem(ctx, input),
    UpdateItem: (input, ctx) => updateItem(ctx, input),
    DeleteItem: (input, ctx) => deleteItem(ctx, input),
    Query: (input, ctx) => query(ctx, input),
    Scan: (input, ctx) => scan(ctx, input),
    BatchGetItem: (input, ctx) => batchGetItem(ctx, input),
    BatchWriteItem: (input, ctx) => batchWriteItem(ctx, input),
    ExecuteStatement: (input, ctx) => executeStatement(ctx, input),
    BatchExecuteStatement: (input, ctx) => batchExecuteStatement(ctx, input),
    ExecuteTransaction: (input, ctx) => executeTransaction(ctx, input),
    TransactWriteItems: (input, ctx) => transactWriteItems(ctx, input),
    TransactGetItems: (input, ctx) => transactGetItems(ctx, input),
    UpdateTimeToLive: (input, ctx) => updateTimeToLive(ctx, input),
    DescribeTimeToLive: (input, ctx) => describeTimeToLive(ctx, input),
  }),
  compatibility: {
    notes: [
      'Errors carry DynamoDB\'s qualified __type (com.amazonaws.dynamodb.v20120810#…, com.amazon.coral.validate#ValidationException, com.amazon.coral.service#… for framework errors) and every response has x-amz-crc32.',
      'Table and index statuses follow Bonsai\'s clock and are computed on each read. By default a table is ACTIVE from the request after CreateTable (whose answer says CREATING) and gone from the request after DeleteTable (whose answer says DELETING), so waiters return on their first poll; UpdateTable leaves the table UPDATING for 0.1 s, a GSI added by UpdateTable is CREATING (Backfilling false, table UPDATING) for 0.1 s then CREATING (Backfilling true, table ACTIVE) for 0.2 s, a GSI throughput change is UPDATING and a deleted GSI DELETING for 0.1 s. The periods are settable (setLifecycleTimings in tables.ts); with a CREATING period, item operations answer ResourceNotFoundException and control-plane changes ResourceInUseException, as on AWS. AWS takes seconds to minutes for each.',
      'While a table or index changes, UpdateTable and DeleteTable refuse with DynamoDB\'s ResourceInUseException texts (Table is being created/deleted, Table IOPS are currently being updated, a stream status change in progress, Cannot delete table while indexes are being created, updated, or deleted, an index in its resource allocation phase); one index creation or deletion at a time and 20 GSIs per table (LimitExceededException). Query and Scan on a GSI that is still CREATING fail with "Cannot read from backfilling global secondary index". Backfilling appears only while an index added by UpdateTable is CREATING.',
      'UpdateTable: enabling an enabled stream or disabling a missing one fails as on AWS; after a stream is disabled DescribeTable still names it (LatestStreamArn/LatestStreamLabel). Index creation cannot share a request with throughput, stream, deletion-protection, table-class or SSE changes. Index key attribute types given in AttributeDefinitions are not checked against the table\'s existing definitions, and index key violations (an existing item with a key attribute of another type) are skipped silently rather than reported.',
      'ItemCount and TableSizeBytes are live (AWS refreshes them about every six hours). Secondary indexes report live ItemCount (items that carry the index\'s key attributes) and IndexSizeBytes (their projected size, without per-item overhead), computed by reading the table on each DescribeTable. ReturnItemCollectionMetrics SIZE is answered for tables with local secondary indexes (PutItem, UpdateItem, DeleteItem, BatchWriteItem) with SizeEstimateRangeGB [n, n+1] around the collection\'s size; TransactWriteItems and PartiQL do not report it.',
      'Item sizes follow "DynamoDB item sizes and formats"; numbers count one byte per pair of digits aligned on the decimal point plus one. Consumed capacity counts the table only (no extra units for index writes).',
      'Query and Scan on secondary indexes read the candidate items (the partition for an LSI, the whole table for a GSI) on each page: correct but slower on large tables. GSIs are strongly consistent.',
      'Scan orders items by encoded partition key, not by DynamoDB\'s internal hash; parallel scan segments split partition keys by CRC-32.',
      'The legacy parameters (Expected, ConditionalOperator, AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter) are converted into the expression trees and evaluated by the same code; mixing them with expressions fails with DynamoDB\'s wording. With ConditionalOperator, Bonsai follows DynamoDB\'s rule that it joins two or more conditions.',
      'PartiQL: SELECT (WHERE on any attributes; a partition-key equality reads one partition, anything else scans; Limit counts items evaluated; NextToken is Bonsai\'s own opaque cursor), INSERT (DuplicateItemException on an existing key), UPDATE (SET, REMOVE, set_add, set_delete, list_append, + and -; the item must exist) and DELETE with full-key WHERE clauses and RETURNING. SELECT on an index reads the table\'s items that carry the index key, in table order, without the index projection. Parse errors say "Statement wasn\'t well formed, can\'t be processed: …" with a shorter detail than DynamoDB\'s. ExecuteTransaction runs its statements in one store transaction and cancels with TransactionCanceledException and CancellationReasons.',
      'Server-side encryption is always on; SSEDescription appears only for customer or AWS managed KMS keys (SSESpecification.Enabled), as on AWS.',
      'Streams: every item change (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems, TTL) appends its record in the same store transaction as the write, with the images the StreamViewType asks for; writes that change nothing append none. TTL deletions carry userIdentity {Type: Service, PrincipalId: dynamodb.amazonaws.com}. Read them with the dynamodbstreams service.',
      'TransactWriteItems and TransactGetItems run in one store transaction each; cancellation reasons are None, ConditionalCheckFailed (with Item for ReturnValuesOnConditionCheckFailure=ALL_OLD) or ValidationError (an update that cannot apply, an item over 400 KB). No TransactionConflictException: concurrent transactions serialise. ClientRequestToken is remembered for 10 minutes of Bonsai\'s clock after a successful call; the IdempotentParameterMismatchException message is Bonsai\'s wording. Transactional capacity is two units per read (4 KB) or write (1 KB).',
      'Time to Live: DescribeTimeToLive answers ENABLED or DISABLED at once (no ENABLING/DISABLING period) and UpdateTimeToLive is not limited to one change per hour. A sweeper deletes expired items (a top-level Number attribute, epoch seconds, earlier than Bonsai\'s clock and not more than five years old) within about a second of wall time, not within days.',
      'DescribeLimits answers the default quotas of a new account; DescribeEndpoints names the regional endpoint.',
    ],
    operations: {},
  },
});
