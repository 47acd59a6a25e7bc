/**
 * Golden test 2b: botocore (boto3 1.43, AWS CLI v1) parses what the codecs write. All cases go to
 * one python3 process, which runs botocore's own response parser for the protocol on each.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { before, test } from 'node:test';
import { AwsError } from '../../../src/core/errors.ts';
import { responseBytes, type RawResponse } from '../../../src/core/http.ts';
import { codecFor } from '../../../src/protocols/index.ts';
import { testModel } from '../../helpers/models.ts';

const ctx = { requestId: 'req-1234', now: new Date('2024-01-01T00:00:00Z') };

interface Case {
  name: string;
  service: string;
  operation: string;
  response: RawResponse;
}

function outputCase(name: string, service: string, operation: string, value: Record<string, unknown>): Case {
  const model = testModel(service);
  return { name, service, operation, response: codecFor(model.metadata.protocol).serializeOutput(value, model, model.operations[operation]!, ctx) };
}

function errorCase(name: string, service: string, operation: string, err: AwsError): Case {
  const model = testModel(service);
  return { name, service, operation, response: codecFor(model.metadata.protocol).serializeError(err, model, model.operations[operation], ctx) };
}

const cases: Case[] = [
  outputCase('sts-assume-role', 'sts', 'AssumeRole', {
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2024-01-01T01:00:00Z') },
    AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::123456789012:assumed-role/r/s' },
  }),
  errorCase('iam-no-such-entity', 'iam', 'GetUser', new AwsError('NoSuchEntityException', 'The user with name bob cannot be found.', { status: 404 })),
  outputCase('sns-get-topic-attributes', 'sns', 'GetTopicAttributes', { Attributes: { Policy: '{"a":1}', DisplayName: 'x\r\ny' } }),
  outputCase('ec2-describe-instances', 'ec2', 'DescribeInstances', {
    Reservations: [{ ReservationId: 'r-1', Instances: [{ InstanceId: 'i-1', LaunchTime: new Date('2024-01-01T00:00:00Z'), Tags: [{ Key: 'a', Value: 'b' }] }] }],
  }),
  errorCase('ec2-error', 'ec2', 'DescribeInstances', new AwsError('InvalidInstanceID.NotFound', "The instance ID 'i-9' does not exist")),
  outputCase('ddb-get-item', 'dynamodb', 'GetItem', { Item: { pk: { S: 'a' }, b: { B: Buffer.from([1, 255]) } } }),
  errorCase('ddb-not-found', 'dynamodb', 'GetItem', new AwsError('ResourceNotFoundException', 'Requested resource not found')),
  outputCase('sm-get-secret-value', 'secretsmanager', 'GetSecretValue', { Name: 'db', SecretString: 'x', CreatedDate: new Date('2024-01-01T00:00:00.5Z') }),
  outputCase('lambda-invoke', 'lambda', 'Invoke', { StatusCode: 200, Payload: Buffer.from('{"ok":true}'), ExecutedVersion: '$LATEST' }),
  errorCase('lambda-not-found', 'lambda', 'GetFunction', new AwsError('ResourceNotFoundException', 'Function not found: f', { status: 404 })),
  outputCase('s3-list-v2', 's3', 'ListObjectsV2', {
    Name: 'bkt', KeyCount: 1, IsTruncated: false,
    Contents: [{ Key: ' a&b\r\n', LastModified: new Date('2024-01-01T00:00:00Z'), ETag: '"abc"', Size: 3 }],
  }),
  outputCase('s3-get-versioning', 's3', 'GetBucketVersioning', { Status: 'Enabled', MFADelete: 'Disabled' }),
  errorCase('s3-no-such-bucket', 's3', 'ListObjectsV2', new AwsError('NoSuchBucket', 'The specified bucket does not exist', { status: 404, fields: { BucketName: 'bkt' } })),
];

// Headers go in urllib3's case-insensitive dict, as botocore receives them from the network.
const PYTHON = String.raw`
import sys, json, base64, datetime, botocore.session
from botocore.parsers import create_parser
from urllib3._collections import HTTPHeaderDict
cases = json.load(sys.stdin)
session = botocore.session.get_session()
out = {}
def plain(v):
    if isinstance(v, (bytes, bytearray)): return {'bytes': base64.b64encode(bytes(v)).decode()}
    if isinstance(v, datetime.datetime): return v.isoformat()
    if hasattr(v, 'read'): return {'stream': base64.b64encode(v.read()).decode()}
    raise TypeError(type(v))
for c in cases:
    model = session.get_service_model(c['service'])
    op = model.operation_model(c['operation'])
    r = c['response']
    body = base64.b64decode(r['body'])
    parser = create_parser(model.metadata['protocol'])
    parsed = parser.parse({'status_code': r['status'], 'headers': HTTPHeaderDict(r['headers']), 'body': body}, op.output_shape)
    parsed.pop('ResponseMetadata', None) if 'Error' not in parsed else None
    out[c['name']] = parsed
print(json.dumps(out, default=plain))
`;

let parsed: Record<string, any> = {};

before(() => {
  const payload = cases.map((c) => ({
    ...c,
    response: { ...c.response, body: responseBytes(c.response.body).toString('base64') },
  }));
  parsed = JSON.parse(execFileSync('python3', ['-c', PYTHON], { input: JSON.stringify(payload), encoding: 'utf8' }));
});

test('botocore reads STS AssumeRole output', () => {
  assert.deepEqual(parsed['sts-assume-role'].Credentials, { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: '2024-01-01T01:00:00+00:00' });
  assert.equal(parsed['sts-assume-role'].AssumedRoleUser.Arn, 'arn:aws:sts::123456789012:assumed-role/r/s');
});

test('botocore reads the query error envelope with the awsQueryError code', () => {
  const p = parsed['iam-no-such-entity'];
  assert.deepEqual(p.Error, { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The user with name bob cannot be found.' });
  assert.equal(p.ResponseMetadata.RequestId, 'req-1234');
  assert.equal(p.ResponseMetadata.HTTPStatusCode, 404);
});

test('botocore reads a query map with entries, keeping \\r', () => {
  assert.deepEqual(parsed['sns-get-topic-attributes'], { Attributes: { Policy: '{"a":1}', DisplayName: 'x\r\ny' } });
});

test('botocore reads EC2 output and errors', () => {
  const inst = parsed['ec2-describe-instances'].Reservations[0].Instances[0];
  assert.deepEqual(inst, { InstanceId: 'i-1', LaunchTime: '2024-01-01T00:00:00+00:00', Tags: [{ Key: 'a', Value: 'b' }] });
  assert.deepEqual(parsed['ec2-error'].Error, { Code: 'InvalidInstanceID.NotFound', Message: "The instance ID 'i-9' does not exist" });
  assert.equal(parsed['ec2-error'].ResponseMetadata.RequestId, 'req-1234');
});

test('botocore reads DynamoDB output and errors', () => {
  assert.deepEqual(parsed['ddb-get-item'], { Item: { pk: { S: 'a' }, b: { B: { bytes: Buffer.from([1, 255]).toString('base64') } } } });
  assert.deepEqual(parsed['ddb-not-found'].Error, { Code: 'ResourceNotFoundException', Message: 'Requested resource not found' });
});

test('botocore reads Secrets Manager fractional epoch timestamps', () => {
  assert.deepEqual(parsed['sm-get-secret-value'], { Name: 'db', SecretString: 'x', CreatedDate: '2024-01-01T00:00:00.500000+00:00' });
});

test('botocore reads Lambda output and errors', () => {
  assert.equal(parsed['lambda-invoke'].StatusCode, 200);
  assert.equal(parsed['lambda-invoke'].ExecutedVersion, '$LATEST');
  // botocore hands a streaming payload back as the body it was given (decoded text here).
  assert.equal(parsed['lambda-invoke'].Payload, '{"ok":true}');
  assert.equal(parsed['lambda-not-found'].Error.Code, 'ResourceNotFoundException');
  assert.equal(parsed['lambda-not-found'].Error.Message, 'Function not found: f');
  assert.equal(parsed['lambda-not-found'].ResponseMetadata.HTTPStatusCode, 404);
});

test('botocore reads S3 documents and the bare <Error> envelope', () => {
  assert.deepEqual(parsed['s3-list-v2'].Contents, [{ Key: ' a&b\r\n', LastModified: '2024-01-01T00:00:00+00:00', ETag: '"abc"', Size: 3 }]);
  assert.equal(parsed['s3-list-v2'].KeyCount, 1);
  assert.deepEqual(parsed['s3-get-versioning'], { Status: 'Enabled', MFADelete: 'Disabled' });
  const e = parsed['s3-no-such-bucket'];
  assert.deepEqual(e.Error, { Code: 'NoSuchBucket', Message: 'The specified bucket does not exist', BucketName: 'bkt' });
  assert.equal(e.ResponseMetadata.RequestId, 'req-1234');
  assert.equal(e.ResponseMetadata.HostId, cases.find((c) => c.name === 's3-no-such-bucket')!.response.headers['x-amz-id-2']);
});
