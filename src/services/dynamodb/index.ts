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
import { query, scan } from './query.ts';
import { createTable, deleteTable, describeEndpoints, describeLimits, describeTableOp, listTables, updateTable } from './tables.ts';
import { listTagsOfResource, tagResource, untagResource } from './tags.ts';
import { addCrc32, createDynamoDbCodec } from './wire.ts';

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
  migrations: dynamodbMigrations,
  handlers: {
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
  },
  compatibility: {
    notes: [
      'Errors carry DynamoDB\'s qualified __type (com.amazonaws.dynamodb.v20120810#…, com.amazon.coral.validate#ValidationException, com.amazon.coral.service#… for framework errors) and every response has x-amz-crc32.',
      'Tables are ACTIVE as soon as CreateTable returns (its answer says CREATING, as AWS\'s does); DeleteTable removes the table and its items at once.',
      'ItemCount and TableSizeBytes are live (AWS refreshes them about every six hours); secondary indexes report 0 for both.',
      'Item sizes follow "DynamoDB item sizes and formats"; numbers count one byte per pair of digits aligned on the decimal point plus one. Consumed capacity counts the table only (no extra units for index writes).',
      'Query and Scan on secondary indexes read the candidate items (the partition for an LSI, the whole table for a GSI) on each page: correct but slower on large tables. GSIs are strongly consistent.',
      'Scan orders items by encoded partition key, not by DynamoDB\'s internal hash; parallel scan segments split partition keys by CRC-32.',
      'The legacy parameters Expected, AttributeUpdates, KeyConditions, QueryFilter and ScanFilter answer 501 NotImplemented; AttributesToGet is supported.',
      'Server-side encryption is always on; SSEDescription appears only for customer or AWS managed KMS keys (SSESpecification.Enabled), as on AWS. Streams are described (StreamSpecification, LatestStreamArn) but no records are produced.',
      'DescribeLimits answers the default quotas of a new account; DescribeEndpoints names the regional endpoint.',
    ],
    operations: {
      TransactWriteItems: 'Not implemented yet.',
      TransactGetItems: 'Not implemented yet.',
      ExecuteStatement: 'Not implemented: no PartiQL.',
      BatchExecuteStatement: 'Not implemented: no PartiQL.',
      ExecuteTransaction: 'Not implemented: no PartiQL.',
      UpdateTimeToLive: 'Not implemented yet.',
      DescribeTimeToLive: 'Not implemented yet.',
    },
  },
});
