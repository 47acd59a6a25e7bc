// S3's general purpose bucket naming rules: what is refused, with InvalidBucketName and the name in <BucketName>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketNameProblem, validateBucketName } from '../../../../src/services/s3/buckets/names.ts';
import { AwsError } from '../../../../src/core/errors.ts';

test('valid names pass', () => {
  for (const name of ['abc', 'my-bucket', 'my.bucket.2024', 'a'.repeat(63), '1bucket', 'bucket-1', 'xn-bucket', 'my-s3alias-bucket', '192.168.5.x']) {
    assert.equal(bucketNameProblem(name), undefined, name);
  }
});

test('each rule is enforced', () => {
  const cases: Array<[string, string]> = [
    ['ab', 'must be between 3 and 63 characters long'],
    ['a'.repeat(64), 'must be between 3 and 63 characters long'],
    ['My-Bucket', 'may contain only lowercase letters, numbers, dots and hyphens'],
    ['my_bucket', 'may contain only lowercase letters, numbers, dots and hyphens'],
    ['my bucket', 'may contain only lowercase letters, numbers, dots and hyphens'],
    ['-bucket', 'must begin and end with a letter or number'],
    ['bucket-', 'must begin and end with a letter or number'],
    ['.bucket', 'must begin and end with a letter or number'],
    ['bucket.', 'must begin and end with a letter or number'],
    ['my..bucket', 'must not contain two adjacent periods'],
    ['192.168.5.4', 'must not be formatted as an IP address'],
    ['xn--bucket', 'must not start with a reserved prefix'],
    ['sthree-bucket', 'must not start with a reserved prefix'],
    ['amzn-s3-demo-bucket', 'must not start with a reserved prefix'],
    ['bucket-s3alias', 'must not end with a reserved suffix'],
    ['bucket--ol-s3', 'must not end with a reserved suffix'],
    ['bucket.mrap', 'must not end with a reserved suffix'],
    ['bucket--x-s3', 'must not end with a reserved suffix'],
    ['bucket--table-s3', 'must not end with a reserved suffix'],
  ];
  for (const [name, problem] of cases) assert.equal(bucketNameProblem(name), problem, name);
});

test('validateBucketName throws InvalidBucketName with the BucketName field', () => {
  try {
    validateBucketName('Bad_Name');
    assert.fail('expected a throw');
  } catch (err) {
    assert.ok(err instanceof AwsError);
    assert.equal(err.code, 'InvalidBucketName');
    assert.equal(err.message, 'The specified bucket is not valid.');
    assert.equal(err.status, 400);
    assert.deepEqual(err.fields, { BucketName: 'Bad_Name' });
  }
  assert.doesNotThrow(() => validateBucketName('good-name'));
});
