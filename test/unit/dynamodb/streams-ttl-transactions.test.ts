// Pure pieces of DynamoDB Streams, TTL and transactions: which record a change makes under each
// view type, "no record when nothing changed", sequence numbers, shard iterators, TTL expiry and
// the request digest behind ClientRequestToken idempotency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSequenceNumber, parseSequenceNumber, pendingRecord, sameItem } from '../../../src/services/dynamodb/streams/records.ts';
import { isExpired } from '../../../src/services/dynamodb/ttl.ts';
import { requestHash } from '../../../src/services/dynamodb/transactions.ts';
import { decodeIterator, encodeIterator, parseStreamArn, streamArnOf } from '../../../src/services/dynamodbstreams/index.ts';
import type { KeySchema } from '../../../src/services/dynamodb/keys.ts';

const SCHEMA: KeySchema = { hash: { name: 'pk', type: 'S' }, range: { name: 'sk', type: 'N' } };
const OLD = { pk: { S: 'a' }, sk: { N: '1' }, colour: { S: 'red' } };
const NEW = { pk: { S: 'a' }, sk: { N: '1' }, colour: { S: 'blue' } };
const NOW = Date.UTC(2024, 0, 31, 12, 0, 0, 987);

test('a change becomes INSERT, MODIFY or REMOVE with the key and the images the view type asks for', () => {
  const insert = pendingRecord(SCHEMA, 'NEW_AND_OLD_IMAGES', undefined, NEW, NOW)!;
  assert.equal(insert.eventName, 'INSERT');
  assert.deepEqual(insert.keys, { pk: { S: 'a' }, sk: { N: '1' } });
  assert.deepEqual(insert.newImage, NEW);
  assert.equal(insert.oldImage, undefined);
  assert.equal(insert.approximateCreationSeconds, Math.floor(NOW / 1000));
  assert.match(insert.eventID, /^[0-9a-f]{32}$/);
  assert.equal(insert.origin, 'request');

  const modify = pendingRecord(SCHEMA, 'NEW_AND_OLD_IMAGES', OLD, NEW, NOW)!;
  assert.equal(modify.eventName, 'MODIFY');
  assert.deepEqual([modify.oldImage, modify.newImage], [OLD, NEW]);

  const remove = pendingRecord(SCHEMA, 'NEW_AND_OLD_IMAGES', OLD, undefined, NOW, 'ttl')!;
  assert.equal(remove.eventName, 'REMOVE');
  assert.deepEqual(remove.oldImage, OLD);
  assert.equal(remove.newImage, undefined);
  assert.equal(remove.origin, 'ttl');

  const images = (view: Parameters<typeof pendingRecord>[1]) => {
    const r = pendingRecord(SCHEMA, view, OLD, NEW, NOW)!;
    return [r.oldImage !== undefined, r.newImage !== undefined];
  };
  assert.deepEqual(images('KEYS_ONLY'), [false, false]);
  assert.deepEqual(images('NEW_IMAGE'), [false, true]);
  assert.deepEqual(images('OLD_IMAGE'), [true, false]);
  assert.deepEqual(images('NEW_AND_OLD_IMAGES'), [true, true]);
});

test('SizeBytes counts the key and the images carried', () => {
  // pk "a" (2+1) + sk 1 (2+2) = 7 bytes of key; each image adds colour (6 + 3 or 4) to it.
  assert.equal(pendingRecord(SCHEMA, 'KEYS_ONLY', OLD, NEW, NOW)!.sizeBytes, 7);
  assert.equal(pendingRecord(SCHEMA, 'NEW_IMAGE', OLD, NEW, NOW)!.sizeBytes, 7 + 7 + 10);
  assert.equal(pendingRecord(SCHEMA, 'NEW_AND_OLD_IMAGES', OLD, NEW, NOW)!.sizeBytes, 7 + 7 + 10 + 7 + 9);
});

test('a write that changes nothing makes no record, whatever the attribute or set order', () => {
  assert.equal(pendingRecord(SCHEMA, 'NEW_AND_OLD_IMAGES', OLD, { ...OLD }, NOW), undefined);
  assert.equal(pendingRecord(SCHEMA, 'KEYS_ONLY', undefined, undefined, NOW), undefined);
  assert.equal(sameItem({ a: { SS: ['x', 'y'] }, b: { N: '1' } }, { b: { N: '1' }, a: { SS: ['y', 'x'] } }), true);
  assert.equal(sameItem({ m: { M: { x: { S: '1' }, y: { S: '2' } } } }, { m: { M: { y: { S: '2' }, x: { S: '1' } } } }), true);
  assert.equal(sameItem({ l: { L: [{ S: '1' }, { S: '2' }] } }, { l: { L: [{ S: '2' }, { S: '1' }] } }), false);
  assert.equal(sameItem({ b: { B: Buffer.from('hi') } }, { b: { B: Buffer.from('ho') } }), false);
});

test('sequence numbers are 21-digit decimals that sort as they count and parse back', () => {
  assert.equal(formatSequenceNumber(1), '100000000000000000001');
  assert.equal(formatSequenceNumber(1).length, 21);
  assert.ok(formatSequenceNumber(9) < formatSequenceNumber(10));
  assert.equal(parseSequenceNumber('100000000000000000042'), 42);
  assert.equal(parseSequenceNumber('42'), undefined);
  assert.equal(parseSequenceNumber('10000000000000000004x'), undefined);
});

test('stream ARNs and shard iterators round-trip; anything else is refused', () => {
  const loc = { account: '123456789012', region: 'eu-west-1', table: 'Orders', label: '2024-01-31T12:00:00.987' };
  const arn = streamArnOf(loc);
  assert.equal(arn, 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-31T12:00:00.987');
  assert.deepEqual(parseStreamArn(arn), loc);
  assert.equal(parseStreamArn('arn:aws:dynamodb:eu-west-1:123456789012:table/Orders'), undefined);

  const iterator = encodeIterator(arn, { after: 7, issuedMs: NOW });
  assert.ok(iterator.startsWith(`${arn}|1|`));
  assert.deepEqual(decodeIterator(iterator), { arn, state: { after: 7, issuedMs: NOW } });
  assert.equal(decodeIterator('example'), undefined);
  assert.equal(decodeIterator(`${arn}|1|not-json`), undefined);
  assert.equal(decodeIterator(`${arn}|2|${iterator.split('|')[2]}`), undefined);
});

test('TTL: a top-level Number of epoch seconds before now has expired; other values never do', () => {
  const now = NOW;
  const seconds = (ms: number) => ({ N: String(Math.floor(ms / 1000)) });
  assert.equal(isExpired({ ttl: seconds(now - 1000) }, 'ttl', now), true);
  assert.equal(isExpired({ ttl: seconds(now + 5000) }, 'ttl', now), false);
  assert.equal(isExpired({ ttl: { S: '1' } }, 'ttl', now), false);
  assert.equal(isExpired({ ttl: { NS: ['1'] } }, 'ttl', now), false);
  assert.equal(isExpired({ other: seconds(now - 1000) }, 'ttl', now), false);
  // More than five years in the past: left alone.
  assert.equal(isExpired({ ttl: seconds(now - 6 * 365 * 86_400_000) }, 'ttl', now), false);
});

test('the idempotency digest ignores the token and sees every other parameter', () => {
  const base = { TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' }, b: { B: Buffer.from('x') } } } }] };
  assert.equal(requestHash({ ...base, ClientRequestToken: 'one' }), requestHash({ ...base, ClientRequestToken: 'two' }));
  assert.notEqual(requestHash(base), requestHash({ ...base, ReturnConsumedCapacity: 'TOTAL' }));
  const other = { TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' }, b: { B: Buffer.from('y') } } } }] };
  assert.notEqual(requestHash(base), requestHash(other));
});
