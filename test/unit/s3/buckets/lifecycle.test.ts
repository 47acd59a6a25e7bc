// The lifecycle configuration validator: S3's structural (MalformedXML) and semantic errors, the
// stored form (generated IDs, ISO dates), and the normalised filter the lifecycle executor reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lifecycleSelection, ruleForResponse, validateLifecycleConfiguration,
} from '../../../../src/services/s3/buckets/lifecycle.ts';
import type { LifecycleRule } from '../../../../src/generated/s3/types.ts';
import { thrown } from '../../../helpers/sdk-errors.ts';

const MALFORMED = { code: 'MalformedXML', message: 'The XML you provided was not well-formed or did not validate against our published schema' };

function validate(rules: Array<Partial<LifecycleRule>>, minimumSize?: string) {
  return validateLifecycleConfiguration({ Rules: rules as LifecycleRule[] }, minimumSize, () => 'generated-id');
}

function failsWith(rules: Array<Partial<LifecycleRule>>, expected: { code: string; message: string }) {
  assert.deepEqual(thrown(() => validate(rules)), expected);
}

const expire = (days: number): Partial<LifecycleRule> => ({ Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: days } });

test('a valid configuration is stored as put, with a generated ID and the default minimum size', () => {
  const stored = validate([
    { ID: 'keep', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
    { Status: 'Disabled', Prefix: 'tmp/', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
  ]);
  assert.deepEqual(stored, {
    Rules: [
      { ID: 'keep', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } },
      { Status: 'Disabled', Prefix: 'tmp/', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, ID: 'generated-id' },
    ],
    TransitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
  });
  assert.equal(validate([expire(1)], 'varies_by_storage_class').TransitionDefaultMinimumObjectSize, 'varies_by_storage_class');
});

test('dates are stored as ISO strings and come back as Dates', () => {
  const date = new Date('2030-01-01T00:00:00.000Z');
  const stored = validate([{ ID: 'd', Status: 'Enabled', Filter: {}, Expiration: { Date: date }, Transitions: [{ Date: date, StorageClass: 'GLACIER' }] }]);
  assert.equal(stored.Rules[0]!.Expiration!.Date, '2030-01-01T00:00:00.000Z');
  const back = ruleForResponse(stored.Rules[0]!);
  assert.deepEqual(back.Expiration, { Date: date });
  assert.deepEqual(back.Transitions, [{ Date: date, StorageClass: 'GLACIER' }]);
});

test('structural faults are MalformedXML', () => {
  assert.deepEqual(thrown(() => validateLifecycleConfiguration(undefined, undefined)), MALFORMED);
  assert.deepEqual(thrown(() => validateLifecycleConfiguration({ Rules: [] }, undefined)), MALFORMED);
  assert.deepEqual(thrown(() => validate([expire(1)], 'everything')), MALFORMED);
  assert.deepEqual(thrown(() => validate(Array.from({ length: 1001 }, (_, i) => ({ ...expire(1), ID: `r${i}` })))), MALFORMED);
  failsWith([{ Status: 'Enabled', Expiration: { Days: 1 } }], MALFORMED); // neither Prefix nor Filter
  failsWith([{ Status: 'Enabled', Prefix: 'a', Filter: { Prefix: 'a' }, Expiration: { Days: 1 } }], MALFORMED); // both
  failsWith([{ Status: 'Enabled', Filter: { Prefix: 'a', Tag: { Key: 'k', Value: 'v' } }, Expiration: { Days: 1 } }], MALFORMED); // two predicates outside And
  failsWith([{ Status: 'On' as 'Enabled', Filter: {}, Expiration: { Days: 1 } }], MALFORMED);
  failsWith([{ Status: 'Enabled', Filter: {}, Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], MALFORMED);
  failsWith([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: 1, Date: new Date('2030-01-01T00:00:00Z'), StorageClass: 'GLACIER' }] }], MALFORMED);
  failsWith([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: 1 }] }], MALFORMED);
});

test('S3 messages for semantic errors', () => {
  failsWith([{ Status: 'Enabled', Filter: {} }], { code: 'InvalidRequest', message: 'At least one action needs to be specified in a rule' });
  failsWith([{ ...expire(1), ID: 'x'.repeat(256) }], { code: 'InvalidArgument', message: 'ID length should not exceed allowed limit of 255' });
  failsWith([{ ...expire(1), ID: 'same' }, { ...expire(2), ID: 'same' }], {
    code: 'InvalidArgument',
    message: 'Rule ID must be unique. Found same ID for more than one rule',
  });
  failsWith([expire(0)], { code: 'InvalidArgument', message: "'Days' for Expiration action must be a positive integer" });
  failsWith([{ Status: 'Enabled', Filter: {}, Expiration: { Date: new Date('2030-01-01T12:00:00Z') } }], {
    code: 'InvalidArgument',
    message: "'Date' must be at midnight GMT",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: 29, StorageClass: 'STANDARD_IA' }] }], {
    code: 'InvalidArgument',
    message: "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: 10, StorageClass: 'ONEZONE_IA' }] }], {
    code: 'InvalidArgument',
    message: "'Days' in Transition action must be greater than or equal to 30 for storageClass 'ONEZONE_IA'",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: -1, StorageClass: 'GLACIER' }] }], {
    code: 'InvalidArgument',
    message: "'Days' in Transition action must be nonnegative",
  });
  failsWith([{ Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }, { Days: 60, StorageClass: 'GLACIER' }] }], {
    code: 'InvalidRequest',
    message: "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=logs/)'",
  });
  failsWith([{ Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }], Expiration: { Days: 30 } }], {
    code: 'InvalidArgument',
    message: "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 5, StorageClass: 'STANDARD_IA' }] }], {
    code: 'InvalidArgument',
    message: "'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }], {
    code: 'InvalidArgument',
    message: "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
  });
  failsWith([{ Status: 'Enabled', Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 0 } }], {
    code: 'InvalidArgument',
    message: "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
  });
  failsWith([{ Status: 'Enabled', Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }], {
    code: 'InvalidRequest',
    message: 'AbortIncompleteMultipartUpload cannot be specified with Tags.',
  });
  failsWith([{ Status: 'Enabled', Filter: { And: { Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } }, Expiration: { Days: 1 } }], {
    code: 'InvalidRequest',
    message: 'Duplicate Tag Keys are not allowed.',
  });
});

test('GLACIER and friends may transition on day 0; IA on day 30', () => {
  assert.doesNotThrow(() => validate([{ Status: 'Enabled', Filter: {}, Transitions: [{ Days: 0, StorageClass: 'GLACIER' }, { Days: 30, StorageClass: 'STANDARD_IA' }] }]));
});

test('lifecycleSelection normalises Prefix, Filter and Filter.And', () => {
  assert.deepEqual(lifecycleSelection({ Prefix: 'old/' }), { prefix: 'old/', tags: [] });
  assert.deepEqual(lifecycleSelection({ Filter: {} }), { prefix: '', tags: [], objectSizeGreaterThan: undefined, objectSizeLessThan: undefined });
  assert.deepEqual(lifecycleSelection({ Filter: { Tag: { Key: 'a', Value: 'b' } } }), {
    prefix: '',
    tags: [{ Key: 'a', Value: 'b' }],
    objectSizeGreaterThan: undefined,
    objectSizeLessThan: undefined,
  });
  assert.deepEqual(lifecycleSelection({ Filter: { And: { Prefix: 'p/', Tags: [{ Key: 'a', Value: 'b' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 100 } } }), {
    prefix: 'p/',
    tags: [{ Key: 'a', Value: 'b' }],
    objectSizeGreaterThan: 10,
    objectSizeLessThan: 100,
  });
});
