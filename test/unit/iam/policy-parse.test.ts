import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkInlinePolicySize,
  checkManagedPolicySize,
  checkTrustPolicySize,
  parsePolicy,
  PolicyDocumentError,
  policySize,
} from '../../../src/iam/policy/index.ts';
import { parseErrorCases, parseOkCases } from './cases/parse.cases.ts';

for (const c of parseErrorCases) {
  test(`parse rejects: ${c.name}`, () => {
    assert.throws(
      () => parsePolicy(c.document, c.kind),
      (err: unknown) => {
        assert.ok(err instanceof PolicyDocumentError);
        assert.equal(err.code, 'MalformedPolicyDocument');
        assert.equal(err.status, 400);
        assert.equal(err.message, c.message);
        return true;
      },
    );
  });
}

for (const c of parseOkCases) {
  test(`parse accepts: ${c.name}`, () => {
    const parsed = parsePolicy(typeof c.document === 'string' ? c.document : JSON.stringify(c.document), c.kind);
    assert.equal(parsed.statements.length, c.statements);
    assert.equal(parsed.version, c.version);
  });
}

test('parse normalises single values to arrays and Principal "*"', () => {
  const parsed = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' } }, 'resource');
  assert.deepEqual(parsed.statements[0], {
    effect: 'Allow',
    principal: { wildcard: true, AWS: ['*'], Service: [], Federated: [], CanonicalUser: [] },
    action: ['s3:GetObject'],
    resource: ['arn:aws:s3:::b/*'],
  });
});

test('a caller-chosen error code (S3 uses MalformedPolicy)', () => {
  assert.throws(() => parsePolicy('{', 'resource', { errorCode: 'MalformedPolicy' }), { code: 'MalformedPolicy', message: 'Syntax errors in policy.' });
});

// "IAM and AWS STS quotas": sizes exclude whitespace.
test('policySize ignores whitespace', () => {
  assert.equal(policySize('{ "a" :\n\t"b" }'), 9);
});

test('managed policy over 6,144 characters', () => {
  const ok = 'x'.repeat(6144);
  checkManagedPolicySize(ok + ' \n');
  assert.throws(() => checkManagedPolicySize(ok + 'x'), { code: 'LimitExceeded', status: 409, message: 'Cannot exceed quota for PolicySize: 6144' });
});

test('trust policy over 2,048 characters', () => {
  assert.throws(() => checkTrustPolicySize('x'.repeat(2049)), { code: 'LimitExceeded', message: 'Cannot exceed quota for ACLSizePerRole: 2048' });
});

test('inline policy aggregates per entity', () => {
  checkInlinePolicySize('user', 'alice', 2048);
  assert.throws(() => checkInlinePolicySize('user', 'alice', 2049), { code: 'LimitExceeded', message: 'Maximum policy size of 2048 bytes exceeded for user alice' });
  checkInlinePolicySize('group', 'devs', 5120);
  assert.throws(() => checkInlinePolicySize('group', 'devs', 5121), { message: 'Maximum policy size of 5120 bytes exceeded for group devs' });
  checkInlinePolicySize('role', 'app', 10240);
  assert.throws(() => checkInlinePolicySize('role', 'app', 10241), { message: 'Maximum policy size of 10240 bytes exceeded for role app' });
});
