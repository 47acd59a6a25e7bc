// Which service a request is for, as real clients address them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRequest } from '../../../src/core/http.ts';
import { SERVICES } from '../../../src/services/registry.ts';
import { buildServiceIndex, identifyService, s3PathStyle } from '../../../src/routing/identify-service.ts';

const index = buildServiceIndex(SERVICES);

function req(over: Partial<RawRequest>): RawRequest {
  return { method: 'POST', target: '/', path: '/', query: '', headers: { host: '127.0.0.1:4566' }, body: Buffer.alloc(0), remoteAddress: '127.0.0.1', secure: false, ...over };
}

const auth = (region: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;

const cases: Array<[string, Partial<RawRequest>, string, string, string | undefined]> = [
  ['credential scope sts', { headers: { authorization: auth('us-east-1', 'sts') } }, 'sts', 'query', 'us-east-1'],
  ['credential scope iam (global) signed for eu-west-1', { headers: { authorization: auth('eu-west-1', 'iam') } }, 'iam', 'query', 'eu-west-1'],
  ['X-Amz-Target DynamoDB', { headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', authorization: auth('us-west-2', 'dynamodb') } }, 'dynamodb', 'json', 'us-west-2'],
  ['X-Amz-Target DynamoDB Streams shares the dynamodb signing name', { headers: { 'x-amz-target': 'DynamoDBStreams_20120810.GetRecords', authorization: auth('us-west-2', 'dynamodb') } }, 'dynamodbstreams', 'json', 'us-west-2'],
  ['CloudWatch json (SDK v3) by target', { headers: { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData', authorization: auth('us-east-1', 'monitoring') } }, 'cloudwatch', 'json', 'us-east-1'],
  ['CloudWatch query (CLI v2) by signing name', { headers: { authorization: auth('us-east-1', 'monitoring') } }, 'cloudwatch', 'query', 'us-east-1'],
  ['EC2', { headers: { authorization: auth('us-west-2', 'ec2') } }, 'ec2', 'ec2', 'us-west-2'],
  ['Lambda', { method: 'GET', path: '/2015-03-31/functions/', headers: { authorization: auth('us-east-1', 'lambda') } }, 'lambda', 'rest-json', 'us-east-1'],
  ['S3 Control by path under the s3 signing name', { method: 'GET', path: '/v20180820/configuration/publicAccessBlock', headers: { authorization: auth('us-east-1', 's3') } }, 's3control', 'rest-xml', 'us-east-1'],
  ['S3 by signing name', { method: 'GET', path: '/bucket/key', headers: { authorization: auth('ap-southeast-2', 's3') } }, 's3', 'rest-xml', 'ap-southeast-2'],
  ['presigned S3 URL', { method: 'GET', path: '/bucket/key', query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260101%2Feu-west-1%2Fs3%2Faws4_request&X-Amz-Signature=x' }, 's3', 'rest-xml', 'eu-west-1'],
  ['unsigned query request by Version in the form body', { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15') }, 'sts', 'query', undefined],
  ['unsigned EC2 request by Version in the query string', { method: 'GET', query: 'Action=DescribeRegions&Version=2016-11-15' }, 'ec2', 'ec2', undefined],
  ['anonymous GET defaults to S3', { method: 'GET', path: '/public-bucket/photo.jpg' }, 's3', 'rest-xml', undefined],
];

for (const [name, over, service, protocol, region] of cases) {
  test(`identifies ${name}`, () => {
    const route = identifyService(req(over), index);
    assert.equal(route.service.name, service);
    assert.equal(route.protocol, protocol);
    assert.equal(route.scopeRegion, region);
  });
}

test('S3 virtual-hosted style moves the bucket into the routing path', () => {
  assert.equal(s3PathStyle(req({ path: '/photos/a.jpg', headers: { host: 'mybucket.s3.us-east-1.amazonaws.com' } })), '/mybucket/photos/a.jpg');
  assert.equal(s3PathStyle(req({ path: '/', headers: { host: 'mybucket.localhost:4566' } })), '/mybucket');
  assert.equal(s3PathStyle(req({ path: '/k', headers: { host: 'my.dotted.bucket.s3.localhost.localstack.cloud:4566' } })), '/my.dotted.bucket/k');
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: '127.0.0.1:4566' } })), '/mybucket/k');
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: 'localhost:4566' } })), '/mybucket/k');
  // The regional endpoint names no bucket; a bucket whose name starts with "s3-" still does.
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: 's3.ap-southeast-2.localhost:4566' } })), '/mybucket/k');
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: 's3.localhost:4566' } })), '/mybucket/k');
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: 's3.eu-west-1.amazonaws.com' } })), '/mybucket/k');
  assert.equal(s3PathStyle(req({ path: '/mybucket/k', headers: { host: 's3-us-west-2.amazonaws.com' } })), '/mybucket/k');
  assert.equal(s3PathStyle(req({ path: '/k', headers: { host: 's3-data.localhost:4566' } })), '/s3-data/k');
});
