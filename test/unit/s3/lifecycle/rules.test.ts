// Lifecycle decisions without a store: S3's rounding of due dates to the next midnight UTC, rule
// selection (prefix, tags, size), which action wins, noncurrent versions and NewerNoncurrentVersions,
// expired delete markers, multipart aborts, restore timing and the x-amz-expiration header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueAfterDays, nextMidnightUtc } from '../../../../src/services/s3/lifecycle/dates.ts';
import {
  abortingRule, currentVersionAction, noncurrentVersionAction, ruleSelects, scheduledExpiration, shortestAbortDays,
} from '../../../../src/services/s3/lifecycle/rules.ts';
import { expirationHeader } from '../../../../src/services/s3/lifecycle/expiration.ts';
import { plannedRestore, restoreExpiry, restoreStateOf } from '../../../../src/services/s3/lifecycle/restore.ts';
import { validateLifecycleConfiguration, type StoredLifecycleConfiguration } from '../../../../src/services/s3/buckets/lifecycle.ts';
import type { BucketLifecycleConfiguration } from '../../../../src/generated/s3/types.ts';
import type { ObjectVersion } from '../../../../src/services/s3/objects/record.ts';
import { thrown } from '../../../helpers/sdk-errors.ts';

const ms = (iso: string) => new Date(iso).getTime();
const iso = (t: number) => new Date(t).toISOString();

function config(rules: BucketLifecycleConfiguration['Rules'], minimum?: string): StoredLifecycleConfiguration {
  let n = 0;
  return validateLifecycleConfiguration({ Rules: rules }, minimum, () => `generated-${++n}`);
}

function object(fields: Partial<ObjectVersion> = {}): ObjectVersion {
  return {
    bucket: 'b', key: 'logs/a.txt', versionId: 'null', isDeleteMarker: false, lastModified: '2014-01-15T10:30:00.000Z',
    ownerAccountId: '123456789012', size: 200 * 1024, etag: 'e', storageClass: 'STANDARD', blobs: [],
    encryption: { kind: 'SSE-S3' }, contentHeaders: {}, metadata: {}, ...fields,
  };
}

function marker(fields: Partial<ObjectVersion> = {}): ObjectVersion {
  return object({ isDeleteMarker: true, size: 0, ...fields });
}

test('due dates: creation + N days, rounded up to the next midnight UTC (the User Guide example)', () => {
  // "created on 1/15/2014 at 10:30 AM UTC and you specify 3 days ... 1/19/2014 00:00 UTC"
  assert.equal(iso(dueAfterDays('2014-01-15T10:30:00.000Z', 3)), '2014-01-19T00:00:00.000Z');
  assert.equal(iso(dueAfterDays('2014-01-15T23:59:59.999Z', 1)), '2014-01-17T00:00:00.000Z');
  // an instant exactly at midnight still goes to the following midnight
  assert.equal(iso(nextMidnightUtc(ms('2014-01-15T00:00:00.000Z'))), '2014-01-16T00:00:00.000Z');
  assert.equal(iso(dueAfterDays('2014-01-15T10:30:00.000Z', 0)), '2014-01-16T00:00:00.000Z');
});

test('selection: prefix, every tag with its value, exclusive size bounds', () => {
  const rules = config([
    { ID: 'p', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 1 } },
    { ID: 't', Status: 'Enabled', Filter: { And: { Prefix: 'logs/', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] } }, Expiration: { Days: 1 } },
    { ID: 's', Status: 'Enabled', Filter: { And: { ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 20 } }, Expiration: { Days: 1 } },
    { ID: 'legacy', Status: 'Enabled', Prefix: 'img/', Expiration: { Days: 1 } },
    { ID: 'one-tag', Status: 'Enabled', Filter: { Tag: { Key: 'a', Value: '1' } }, Expiration: { Days: 1 } },
  ]).Rules;
  const [p, t, s, legacy, oneTag] = rules as [typeof rules[0], typeof rules[0], typeof rules[0], typeof rules[0], typeof rules[0]];
  assert.equal(ruleSelects(p, { key: 'logs/x', size: 1, tags: [] }), true);
  assert.equal(ruleSelects(p, { key: 'log/x', size: 1, tags: [] }), false);
  assert.equal(ruleSelects(t, { key: 'logs/x', size: 1, tags: [{ Key: 'a', Value: '1' }] }), false);
  assert.equal(ruleSelects(t, { key: 'logs/x', size: 1, tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }, { Key: 'c', Value: '3' }] }), true);
  assert.equal(ruleSelects(t, { key: 'logs/x', size: 1, tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '3' }] }), false);
  assert.equal(ruleSelects(s, { key: 'k', size: 10, tags: [] }), false);
  assert.equal(ruleSelects(s, { key: 'k', size: 11, tags: [] }), true);
  assert.equal(ruleSelects(s, { key: 'k', size: 19, tags: [] }), true);
  assert.equal(ruleSelects(s, { key: 'k', size: 20, tags: [] }), false);
  assert.equal(ruleSelects(legacy, { key: 'img/1.png', size: 1, tags: [] }), true);
  assert.equal(ruleSelects(oneTag, { key: 'anything', size: 1, tags: [{ Key: 'a', Value: '1' }] }), true);
  assert.equal(ruleSelects(oneTag, { key: 'anything', size: 1, tags: [{ Key: 'a', Value: '2' }] }), false);
});

test('current version: transition after 30 days, expire after 365, expiration wins once due', () => {
  const c = config([{ ID: 'archive', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 365 } }]);
  const v = object({ lastModified: '2024-03-01T12:00:00.000Z' });
  assert.equal(currentVersionAction(c, v, true, ms('2024-03-31T23:59:59.999Z')), undefined);
  assert.deepEqual(currentVersionAction(c, v, true, ms('2024-04-01T00:00:00.000Z')), { kind: 'transition', storageClass: 'GLACIER', ruleId: 'archive' });
  // already in GLACIER: nothing more until the expiration
  assert.equal(currentVersionAction(c, { ...v, storageClass: 'GLACIER' }, true, ms('2024-06-01T00:00:00.000Z')), undefined);
  assert.equal(iso(dueAfterDays(v.lastModified, 365)), '2025-03-02T00:00:00.000Z');
  assert.equal(currentVersionAction(c, v, true, ms('2025-03-01T23:59:59.000Z'))?.kind, 'transition');
  assert.deepEqual(currentVersionAction(c, v, true, ms('2025-03-02T00:00:00.000Z')), { kind: 'expire', ruleId: 'archive' });
});

test('transitions: the coldest due class wins, never back up the waterfall; Date rules; Disabled rules ignored', () => {
  const c = config([
    { ID: 'ia', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }, { Days: 90, StorageClass: 'DEEP_ARCHIVE' }] },
    { ID: 'ir', Status: 'Enabled', Filter: {}, Transitions: [{ Date: new Date('2024-05-01T00:00:00Z'), StorageClass: 'GLACIER_IR' }] },
    { ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } },
  ]);
  const v = object({ lastModified: '2024-03-01T12:00:00.000Z' });
  assert.deepEqual(currentVersionAction(c, v, true, ms('2024-04-15T00:00:00.000Z')), { kind: 'transition', storageClass: 'STANDARD_IA', ruleId: 'ia' });
  assert.deepEqual(currentVersionAction(c, v, true, ms('2024-05-01T00:00:00.000Z')), { kind: 'transition', storageClass: 'GLACIER_IR', ruleId: 'ir' });
  assert.deepEqual(currentVersionAction(c, v, true, ms('2024-06-01T00:00:00.000Z')), { kind: 'transition', storageClass: 'DEEP_ARCHIVE', ruleId: 'ia' });
  assert.equal(currentVersionAction(c, { ...v, storageClass: 'DEEP_ARCHIVE' }, true, ms('2024-05-01T00:00:00.000Z')), undefined);
  assert.equal(currentVersionAction(c, { ...v, storageClass: 'GLACIER' }, true, ms('2024-05-01T00:00:00.000Z')), undefined);
});

test('transitions: objects under 128 KiB stay unless the rule sets a size filter or the setting lets GLACIER take them', () => {
  const rule = { ID: 'g', Status: 'Enabled' as const, Filter: {}, Transitions: [{ Days: 0, StorageClass: 'GLACIER' as const }] };
  const small = object({ size: 128 * 1024 - 1, lastModified: '2024-01-01T00:00:00.000Z' });
  const now = ms('2024-01-03T00:00:00.000Z');
  assert.equal(currentVersionAction(config([rule]), small, true, now), undefined);
  assert.equal(currentVersionAction(config([rule]), { ...small, size: 128 * 1024 }, true, now)?.kind, 'transition');
  assert.equal(currentVersionAction(config([rule], 'varies_by_storage_class'), small, true, now)?.kind, 'transition');
  const ia = { ...rule, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' as const }] };
  assert.equal(currentVersionAction(config([ia], 'varies_by_storage_class'), small, true, ms('2024-03-01T00:00:00.000Z')), undefined);
  const sized = { ...rule, Filter: { ObjectSizeGreaterThan: 1 } };
  assert.equal(currentVersionAction(config([sized]), small, true, now)?.kind, 'transition');
});

test('delete markers: ExpiredObjectDeleteMarker and Expiration Days remove a marker only when no version is behind it', () => {
  const eodm = config([{ ID: 'eodm', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } }]);
  const m = marker({ lastModified: '2024-01-01T10:00:00.000Z' });
  assert.deepEqual(currentVersionAction(eodm, m, true, ms('2024-01-01T10:00:01.000Z')), { kind: 'remove-delete-marker', ruleId: 'eodm' });
  assert.equal(currentVersionAction(eodm, m, false, ms('2024-06-01T00:00:00.000Z')), undefined);
  const days = config([{ ID: 'days', Status: 'Enabled', Filter: {}, Expiration: { Days: 2 } }]);
  assert.equal(currentVersionAction(days, m, true, ms('2024-01-03T23:59:59.000Z')), undefined);
  assert.deepEqual(currentVersionAction(days, m, true, ms('2024-01-04T00:00:00.000Z')), { kind: 'remove-delete-marker', ruleId: 'days' });
  // a tag filter never selects a delete marker (it has no tags)
  const tagged = config([{ ID: 't', Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 1 } }]);
  assert.equal(currentVersionAction(tagged, m, true, ms('2025-01-01T00:00:00.000Z')), undefined);
});

test('noncurrent versions: age counts from the successor; NewerNoncurrentVersions keeps the newest; markers expire, never move', () => {
  const c = config([{
    ID: 'nc', Status: 'Enabled', Filter: {},
    NoncurrentVersionExpiration: { NoncurrentDays: 10, NewerNoncurrentVersions: 2 },
    NoncurrentVersionTransitions: [{ NoncurrentDays: 1, StorageClass: 'GLACIER' }],
  }]);
  const v = object({ versionId: 'v1', lastModified: '2024-01-01T00:00:00.000Z' });
  const successorAt = '2024-02-01T08:00:00.000Z';
  assert.equal(noncurrentVersionAction(c, v, successorAt, 0, ms('2024-02-02T23:59:59.000Z')), undefined);
  assert.deepEqual(noncurrentVersionAction(c, v, successorAt, 0, ms('2024-02-03T00:00:00.000Z')), { kind: 'transition', storageClass: 'GLACIER', ruleId: 'nc' });
  const expiry = ms('2024-02-12T00:00:00.000Z');
  assert.equal(noncurrentVersionAction(c, { ...v, storageClass: 'GLACIER' }, successorAt, 1, expiry), undefined, 'one newer noncurrent: kept');
  assert.deepEqual(noncurrentVersionAction(c, v, successorAt, 2, expiry), { kind: 'expire', ruleId: 'nc' });
  assert.equal(noncurrentVersionAction(c, v, successorAt, 2, expiry - 1)?.kind, 'transition');
  assert.deepEqual(noncurrentVersionAction(c, marker(), successorAt, 5, expiry), { kind: 'expire', ruleId: 'nc' });
  assert.equal(noncurrentVersionAction(c, marker(), successorAt, 5, expiry - 1), undefined);
});

test('incomplete uploads: aborted at the next midnight after initiation + DaysAfterInitiation, by prefix', () => {
  const c = config([
    { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    { ID: 'all', Status: 'Enabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 30 } },
  ]);
  const upload = { key: 'tmp/big.bin', initiated: '2024-01-01T15:00:00.000Z' };
  assert.equal(shortestAbortDays(c), 7);
  assert.equal(abortingRule(c, upload, ms('2024-01-08T23:59:59.000Z')), undefined);
  assert.equal(abortingRule(c, upload, ms('2024-01-09T00:00:00.000Z')), 'tmp');
  assert.equal(abortingRule(c, { ...upload, key: 'data/big.bin' }, ms('2024-01-09T00:00:00.000Z')), undefined);
  assert.equal(abortingRule(c, { ...upload, key: 'data/big.bin' }, ms('2024-02-01T00:00:00.000Z')), 'all');
});

test('x-amz-expiration: the earliest expiring rule, its date at midnight, absent without one', () => {
  const lifecycle = config([
    { ID: 'picture-deletion-rule', Status: 'Enabled', Filter: { Prefix: 'pictures/' }, Expiration: { Days: 3 } },
    { ID: 'later', Status: 'Enabled', Filter: {}, Expiration: { Days: 10 } },
    { ID: 'fixed', Status: 'Enabled', Filter: { Prefix: 'fixed/' }, Expiration: { Date: new Date('2012-12-23T00:00:00Z') } },
  ]);
  const pic = object({ key: 'pictures/cat.jpg', lastModified: '2012-12-19T10:30:00.000Z' });
  assert.equal(expirationHeader({ lifecycle }, pic), 'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"');
  assert.equal(expirationHeader({ lifecycle }, object({ key: 'fixed/a', lastModified: '2012-12-19T10:30:00.000Z' })),
    'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="fixed"');
  assert.equal(expirationHeader({ lifecycle }, object({ key: 'x', lastModified: '2012-12-19T10:30:00.000Z' })),
    'expiry-date="Sun, 30 Dec 2012 00:00:00 GMT", rule-id="later"');
  assert.equal(expirationHeader({}, pic), undefined);
  assert.equal(scheduledExpiration(config([{ ID: 'm', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } }]), pic), undefined);
});

test('restores: completion after the tier\'s upper bound, expiry rounded to midnight, states by clock', () => {
  const now = ms('2024-01-01T10:00:00.000Z');
  assert.deepEqual(plannedRestore('GLACIER', 'Expedited', 1, now), { completesAt: '2024-01-01T10:05:00.000Z', expiresAt: '2024-01-03T00:00:00.000Z' });
  assert.deepEqual(plannedRestore('GLACIER', 'Standard', 2, now), { completesAt: '2024-01-01T15:00:00.000Z', expiresAt: '2024-01-04T00:00:00.000Z' });
  assert.equal(plannedRestore('GLACIER', 'Bulk', 1, now).completesAt, '2024-01-01T22:00:00.000Z');
  assert.equal(plannedRestore('DEEP_ARCHIVE', 'Standard', 1, now).completesAt, '2024-01-01T22:00:00.000Z');
  assert.equal(plannedRestore('DEEP_ARCHIVE', 'Bulk', 1, now).completesAt, '2024-01-03T10:00:00.000Z');
  assert.equal(thrown(() => plannedRestore('DEEP_ARCHIVE', 'Expedited', 1, now)).code, 'InvalidArgument');
  assert.equal(iso(restoreExpiry(ms('2024-01-01T15:00:00.000Z'), 2)), '2024-01-04T00:00:00.000Z');
  const restore = { completesAt: '2024-01-01T15:00:00.000Z', expiresAt: '2024-01-04T00:00:00.000Z' };
  assert.equal(restoreStateOf({}, now), 'none');
  assert.equal(restoreStateOf({ restore }, ms('2024-01-01T14:59:59.999Z')), 'ongoing');
  assert.equal(restoreStateOf({ restore }, ms('2024-01-01T15:00:00.000Z')), 'restored');
  assert.equal(restoreStateOf({ restore }, ms('2024-01-04T00:00:00.000Z')), 'expired');
});
