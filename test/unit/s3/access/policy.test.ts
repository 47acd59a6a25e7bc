// Bucket policy validation (S3's MalformedPolicy wording) and AWS's "meaning of public".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../../src/core/errors.ts';
import { isPublicPolicy, validateBucketPolicy } from '../../../../src/services/s3/access/policy.ts';

const BUCKET = 'amzn-s3-demo-bucket';

function policy(...statements: Array<Record<string, unknown>>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*`, ...overrides };
}

function assertMalformed(text: string, message: string): void {
  assert.throws(
    () => validateBucketPolicy(text, BUCKET),
    (err: unknown) => err instanceof AwsError && err.code === 'MalformedPolicy' && err.status === 400 && err.message === message,
  );
}

test('a well-formed bucket policy is accepted', () => {
  validateBucketPolicy(policy(statement(), statement({ Action: ['s3:ListBucket'], Resource: `arn:aws:s3:::${BUCKET}` })), BUCKET);
  validateBucketPolicy(policy(statement({ Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] })), BUCKET);
  validateBucketPolicy(policy(statement({ Principal: { AWS: 'arn:aws:iam::123456789012:user/alice' }, Action: 's3:Get*' })), BUCKET);
});

test("the first byte must be '{'", () => {
  assertMalformed('[]', "Policies must be valid JSON and the first byte must be '{'");
  assertMalformed('not json', "Policies must be valid JSON and the first byte must be '{'");
});

test('invalid JSON after the brace', () => {
  assertMalformed('{"Statement": [', 'This policy contains invalid Json');
});

test('missing required fields', () => {
  assertMalformed(JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement');
  const { Principal: _p, ...withoutPrincipal } = statement();
  assertMalformed(policy(withoutPrincipal), 'Missing required field Principal');
  const { Effect: _e, ...withoutEffect } = statement();
  assertMalformed(policy(withoutEffect), 'Missing required field Effect');
  const { Action: _a, ...withoutAction } = statement();
  assertMalformed(policy(withoutAction), 'Missing required field Action');
  const { Resource: _r, ...withoutResource } = statement();
  assertMalformed(policy(withoutResource), 'Missing required field Resource');
});

test('an invalid effect is named', () => {
  assertMalformed(policy(statement({ Effect: 'Allowed' })), 'Invalid effect: Allowed');
});

test('resources must be this bucket or its objects', () => {
  assertMalformed(policy(statement({ Resource: 'arn:aws:s3:::another-bucket/*' })), 'Policy has invalid resource');
  assertMalformed(policy(statement({ Resource: '*' })), 'Policy has invalid resource');
  assertMalformed(policy(statement({ Resource: `arn:aws:iam::123456789012:user/${BUCKET}` })), 'Policy has invalid resource');
});

test('an object action on the bucket ARN does not apply to any resource', () => {
  assertMalformed(policy(statement({ Resource: `arn:aws:s3:::${BUCKET}` })), 'Action does not apply to any resource(s) in statement');
  assertMalformed(policy(statement({ Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}/*` })), 'Action does not apply to any resource(s) in statement');
});

test('unknown actions and other services are invalid actions', () => {
  assertMalformed(policy(statement({ Action: 's3:GetObjekt' })), 'Policy has invalid action');
  assertMalformed(policy(statement({ Action: 'ec2:RunInstances' })), 'Policy has invalid action');
});

test('an invalid principal', () => {
  assertMalformed(policy(statement({ Principal: { AWS: 'not-a-principal' } })), 'Invalid principal in policy');
});

test('public: a wildcard principal without limiting conditions', () => {
  assert.equal(isPublicPolicy(policy(statement())), true);
  assert.equal(isPublicPolicy(policy(statement({ Principal: { AWS: '*' } }))), true);
  assert.equal(isPublicPolicy(policy(statement({ Principal: { AWS: ['arn:aws:iam::123456789012:root', '*'] } }))), true);
});

test('not public: fixed principals, Deny statements', () => {
  assert.equal(isPublicPolicy(policy(statement({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }))), false);
  assert.equal(isPublicPolicy(policy(statement({ Effect: 'Deny' }))), false);
  assert.equal(isPublicPolicy(policy(statement({ Principal: { Service: 'cloudtrail.amazonaws.com' } }))), false);
});

test('not public: a wildcard principal pinned by fixed values of the limiting keys', () => {
  const limited = (condition: Record<string, unknown>) => isPublicPolicy(policy(statement({ Condition: condition })));
  assert.equal(limited({ StringEquals: { 'aws:SourceVpc': 'vpc-91237329' } }), false);
  assert.equal(limited({ StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), false);
  assert.equal(limited({ StringEquals: { 'aws:PrincipalOrgID': 'o-xxxxxxxxxx' } }), false);
  assert.equal(limited({ StringEquals: { 'aws:SourceAccount': '111122223333' } }), false);
  assert.equal(limited({ ArnEquals: { 'aws:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE' } }), false);
  assert.equal(limited({ StringEquals: { 'aws:PrincipalAccount': '111122223333' } }), false);
  assert.equal(limited({ IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } }), false);
});

test('public: wildcards, variables, negations and broad CIDRs do not limit', () => {
  const limited = (condition: Record<string, unknown>) => isPublicPolicy(policy(statement({ Condition: condition })));
  assert.equal(limited({ StringLike: { 'aws:SourceVpc': 'vpc-*' } }), true);
  assert.equal(limited({ StringEquals: { 'aws:PrincipalAccount': '${aws:username}' } }), true);
  assert.equal(limited({ StringNotEquals: { 'aws:SourceVpc': 'vpc-91237329' } }), true);
  assert.equal(limited({ IpAddress: { 'aws:SourceIp': '0.0.0.0/1' } }), true);
  assert.equal(limited({ StringEquals: { 'aws:Referer': 'www.example.com' } }), true);
  assert.equal(limited({ Bool: { 'aws:SecureTransport': 'true' } }), true);
});

test('NotPrincipal with Allow is public', () => {
  const text = policy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` });
  assert.equal(isPublicPolicy(text), true);
});
