import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../../src/core/errors.ts';
import type { BucketRecord } from '../../../../src/services/s3/buckets/record.ts';
import { actualRequestCorsHeaders, judgePreflight, matchCorsRule, parseRequestHeaders, wildcardMatches } from '../../../../src/services/s3/web/cors.ts';

const RULES = [
  { ID: 'app', AllowedOrigins: ['https://*.example.com'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['X-Amz-*', 'content-type'], MaxAgeSeconds: 60 },
  { ID: 'any', AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
];

function bucket(cors?: unknown): BucketRecord {
  return { name: 'b', cors } as unknown as BucketRecord;
}

function preflightError(headers: Record<string, string>, record: BucketRecord | undefined, key?: string): { code: string; status: number; message: string; fields: Record<string, unknown> } {
  try {
    judgePreflight(headers, record, key);
  } catch (err) {
    assert.ok(err instanceof AwsError);
    return { code: err.code, status: err.status, message: err.message, fields: err.fields };
  }
  assert.fail('expected a refusal');
}

test('wildcardMatches: one "*" matches any run, case-sensitive unless asked', () => {
  assert.equal(wildcardMatches('https://*.example.com', 'https://a.b.example.com'), true);
  assert.equal(wildcardMatches('https://*.example.com', 'https://example.com'), false);
  assert.equal(wildcardMatches('*', ''), true);
  assert.equal(wildcardMatches('x-amz-*', 'X-Amz-Date'), false);
  assert.equal(wildcardMatches('x-amz-*', 'X-Amz-Date', true), true);
  assert.equal(wildcardMatches('ab*ba', 'aba'), false);
});

test('matchCorsRule: the first rule allowing origin, method and every requested header', () => {
  assert.equal(matchCorsRule(RULES, { origin: 'https://app.example.com', method: 'PUT', requestHeaders: ['x-amz-date', 'content-type'] })?.ID, 'app');
  assert.equal(matchCorsRule(RULES, { origin: 'https://app.example.com', method: 'GET', requestHeaders: ['authorization'] })?.ID, undefined);
  assert.equal(matchCorsRule(RULES, { origin: 'https://app.example.com', method: 'GET', requestHeaders: [] })?.ID, 'app');
  assert.equal(matchCorsRule(RULES, { origin: 'http://other.test', method: 'GET', requestHeaders: [] })?.ID, 'any');
  assert.equal(matchCorsRule(RULES, { origin: 'http://other.test', method: 'get', requestHeaders: [] }), undefined);
});

test('parseRequestHeaders trims, lower-cases and drops empties', () => {
  assert.deepEqual(parseRequestHeaders(' X-Amz-Date ,Content-Type,, '), ['x-amz-date', 'content-type']);
  assert.deepEqual(parseRequestHeaders(undefined), []);
});

test('judgePreflight: the allowed answer, with credentials for a named origin', () => {
  const headers = judgePreflight(
    { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'X-Amz-Date' },
    bucket({ CORSRules: RULES }),
    'k',
  );
  assert.deepEqual(headers, {
    'Access-Control-Allow-Origin': 'https://app.example.com',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Methods': 'GET, PUT',
    'Access-Control-Allow-Headers': 'x-amz-date',
    'Access-Control-Max-Age': '60',
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  });
});

test('judgePreflight: S3\'s refusals, in its order', () => {
  const withRules = bucket({ CORSRules: RULES });
  assert.deepEqual(preflightError({ 'access-control-request-method': 'GET' }, undefined), {
    code: 'BadRequest',
    status: 400,
    message: 'Insufficient information. Origin request header needed.',
    fields: {},
  });
  assert.equal(preflightError({ origin: 'o' }, withRules).message, 'Invalid Access-Control-Request-Method: null');
  assert.equal(preflightError({ origin: 'o', 'access-control-request-method': 'OPTIONS' }, withRules).message, 'Invalid Access-Control-Request-Method: OPTIONS');
  assert.deepEqual(preflightError({ origin: 'o', 'access-control-request-method': 'GET' }, undefined, 'k'), {
    code: 'AccessForbidden',
    status: 403,
    message: 'CORSResponse: Bucket not found',
    fields: { Method: 'GET', ResourceType: 'OBJECT' },
  });
  assert.deepEqual(preflightError({ origin: 'o', 'access-control-request-method': 'PUT' }, bucket()).fields, { Method: 'PUT', ResourceType: 'BUCKET' });
  assert.equal(preflightError({ origin: 'o', 'access-control-request-method': 'PUT' }, bucket()).message, 'CORSResponse: CORS is not enabled for this bucket.');
  assert.match(preflightError({ origin: 'o', 'access-control-request-method': 'DELETE' }, withRules).message, /^CORSResponse: This CORS request is not allowed\. This is usually because the evalution of Origin/);
});

test('actual requests: the matching rule\'s headers without Allow-Headers; nothing without a match', () => {
  assert.deepEqual(actualRequestCorsHeaders({ origin: 'http://x.test' }, 'GET', bucket({ CORSRules: RULES })), {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Methods': 'GET',
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  });
  assert.equal(actualRequestCorsHeaders({ origin: 'http://x.test' }, 'PUT', bucket({ CORSRules: RULES })), undefined);
  assert.equal(actualRequestCorsHeaders({ origin: 'http://x.test' }, 'GET', bucket()), undefined);
  assert.equal(actualRequestCorsHeaders({}, 'GET', bucket({ CORSRules: RULES })), undefined);
});
