/**
 * Golden bytes and rules the codecs share: XML escaping, envelopes byte for byte, route specificity,
 * scalar formats, and the protocol errors for unknown or malformed requests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../../src/core/errors.ts';
import type { RawRequest } from '../../../src/core/http.ts';
import { codecFor, createJsonCodec } from '../../../src/protocols/index.ts';
import { formatIso8601, formatScalarText, parseTimestamp } from '../../../src/protocols/scalars.ts';
import { escapeXmlText } from '../../../src/protocols/xml-writer.ts';
import { decodeXmlEntities } from '../../../src/protocols/rest-xml.ts';
import { testModel } from '../../helpers/models.ts';

const ctx = { requestId: 'rid', now: new Date('2024-01-01T00:00:00Z') };

function req(method: string, target: string, body = '', headers: Record<string, string> = {}): RawRequest {
  const q = target.indexOf('?');
  return {
    method, target, path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1),
    headers, body: Buffer.from(body), remoteAddress: '127.0.0.1', secure: false,
  };
}

function thrownBy(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (e) {
    return e as AwsError;
  }
  assert.fail('expected a throw');
}

test('XML text escaping keeps \\r as a character reference', () => {
  assert.equal(escapeXmlText('a&b<c>"d"\r\ne'), 'a&amp;b&lt;c&gt;&quot;d&quot;&#13;\ne');
  assert.equal(decodeXmlEntities('a&amp;#13;&#13;&#x41;&lt;'), 'a&#13;\rA<');
});

test('timestamps: seconds unless there are milliseconds, EC2 always with them', () => {
  assert.equal(formatIso8601(new Date('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00Z');
  assert.equal(formatIso8601(new Date('2024-01-01T00:00:00.120Z')), '2024-01-01T00:00:00.120Z');
  assert.equal(formatIso8601(new Date('2024-01-01T00:00:00Z'), true), '2024-01-01T00:00:00.000Z');
  assert.deepEqual(parseTimestamp('2024-01-02T03:04:05.678901Z'), new Date('2024-01-02T03:04:05.678Z'));
  assert.deepEqual(parseTimestamp('1704067200.5'), new Date('2024-01-01T00:00:00.500Z'));
  assert.deepEqual(parseTimestamp('Mon, 01 Jan 2024 00:00:00 GMT'), new Date('2024-01-01T00:00:00Z'));
  assert.equal(formatScalarText(NaN, { type: 'double' }, 'iso8601'), 'NaN');
  assert.equal(formatScalarText(-Infinity, { type: 'float' }, 'iso8601'), '-Infinity');
});

test('query: whole response bytes for an operation without output', () => {
  const model = testModel('iam');
  const raw = codecFor('query').serializeOutput({}, model, model.operations.DeleteUser!, ctx);
  assert.equal(raw.body, '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></DeleteUserResponse>');
});

test('query: error envelope bytes, Receiver for server faults', () => {
  const model = testModel('sts');
  const raw = codecFor('query').serializeError(new AwsError('InternalFailure', 'boom', { status: 500 }), model, undefined, ctx);
  assert.equal(raw.status, 500);
  assert.equal(raw.body, '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>boom</Message></Error><RequestId>rid</RequestId></ErrorResponse>');
});

test('query: missing and unknown actions, GET query strings, + as space', () => {
  const model = testModel('sts');
  const codec = codecFor('query');
  const missing = thrownBy(() => codec.resolveOperation(req('POST', '/', 'Version=2011-06-15'), model));
  assert.deepEqual([missing.code, missing.message, missing.status], ['MissingAction', 'The request is missing an action or a required parameter.', 400]);
  const unknown = thrownBy(() => codec.resolveOperation(req('POST', '/', 'Action=Fly&Version=2011-06-15'), model));
  assert.deepEqual([unknown.code, unknown.message], ['InvalidAction', 'Could not find operation Fly for version 2011-06-15']);
  const get = req('GET', '/?Action=AssumeRole&RoleArn=arn&RoleSessionName=a+b&DurationSeconds=900');
  const op = codec.resolveOperation(get, model);
  assert.deepEqual(codec.parseInput(get, get.body, model, op), { RoleArn: 'arn', RoleSessionName: 'a b', DurationSeconds: 900 });
  const bad = req('POST', '/', 'Action=AssumeRole&DurationSeconds=soon');
  const err = thrownBy(() => codec.parseInput(bad, bad.body, model, op));
  assert.equal(err.code, 'InvalidParameterValue');
});

test('ec2: unknown action wording and error envelope bytes', () => {
  const model = testModel('ec2');
  const codec = codecFor('ec2');
  const unknown = thrownBy(() => codec.resolveOperation(req('POST', '/', 'Action=Fly&Version=2016-11-15'), model));
  assert.deepEqual([unknown.code, unknown.message], ['InvalidAction', 'The action Fly is not valid for this web service.']);
  const raw = codec.serializeError(unknown, model, undefined, ctx);
  assert.equal(raw.body, '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InvalidAction</Code><Message>The action Fly is not valid for this web service.</Message></Error></Errors><RequestID>rid</RequestID></Response>');
});

test('json: target routing, empty body, malformed JSON, type checks', () => {
  const model = testModel('dynamodb');
  const codec = codecFor('json');
  const ok = req('POST', '/', '', { 'x-amz-target': 'DynamoDB_20120810.ListTables' });
  const op = codec.resolveOperation(ok, model);
  assert.equal(op.name, 'ListTables');
  assert.deepEqual(codec.parseInput(ok, ok.body, model, op), {});
  for (const target of ['DynamoDB_20120810.Fly', 'Other.ListTables', '']) {
    const e = thrownBy(() => codec.resolveOperation(req('POST', '/', '{}', { 'x-amz-target': target }), model));
    assert.deepEqual([e.code, e.status], ['UnknownOperationException', 400]);
  }
  const bad = req('POST', '/', '{"Limit":', { 'x-amz-target': 'DynamoDB_20120810.ListTables' });
  assert.equal(thrownBy(() => codec.parseInput(bad, bad.body, model, op)).code, 'SerializationException');
  const wrongType = req('POST', '/', '{"Limit":"5"}', { 'x-amz-target': 'DynamoDB_20120810.ListTables' });
  assert.equal(thrownBy(() => codec.parseInput(wrongType, wrongType.body, model, op)).code, 'SerializationException');
});

test('json: unknown-operation body has no message; a namespace hook qualifies __type', () => {
  const model = testModel('dynamodb');
  const plain = codecFor('json').serializeError(new AwsError('UnknownOperationException', ''), model, undefined, ctx);
  assert.equal(plain.body, '{"__type":"UnknownOperationException"}');
  const ddb = createJsonCodec({
    errorType: (code, modeled) => (modeled ? `com.amazonaws.dynamodb.v20120810#${code}` : `com.amazon.coral.service#${code}`),
  });
  const modeled = ddb.serializeError(new AwsError('ResourceNotFoundException', 'Requested resource not found'), model, undefined, ctx);
  assert.equal(modeled.body, '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}');
  assert.equal(modeled.headers['x-amzn-ErrorType'], 'ResourceNotFoundException');
  const framework = ddb.serializeError(new AwsError('SerializationException', ''), model, undefined, ctx);
  assert.equal(framework.body, '{"__type":"com.amazon.coral.service#SerializationException"}');
});

test('json: awsQueryCompatible services add x-amzn-query-error with the query code', () => {
  const model = structuredClone(testModel('secretsmanager'));
  model.metadata.awsQueryCompatible = {};
  model.shapes.ResourceNotFoundException!.error = { code: 'ResourceNotFound', httpStatusCode: 404, senderFault: true };
  const raw = codecFor('json').serializeError(new AwsError('ResourceNotFound', 'gone', { status: 404 }), model, undefined, ctx);
  assert.equal(raw.headers['x-amzn-query-error'], 'ResourceNotFound;Sender');
  assert.equal(JSON.parse(String(raw.body)).__type, 'ResourceNotFoundException');
});

test('rest-xml: the most specific template wins (literal query keys, required headers)', () => {
  const model = testModel('s3');
  const codec = codecFor('rest-xml');
  const route = (method: string, target: string, headers: Record<string, string> = {}) => codec.resolveOperation(req(method, target, '', headers), model).name;
  assert.equal(route('GET', '/bkt'), 'ListObjects');
  assert.equal(route('GET', '/bkt?list-type=2'), 'ListObjectsV2');
  assert.equal(route('GET', '/bkt/?versioning'), 'GetBucketVersioning');
  assert.equal(route('GET', '/'), 'ListBuckets');
  assert.equal(route('POST', '/bkt/a/b?uploads'), 'CreateMultipartUpload');
  assert.equal(route('PUT', '/bkt/a/b?partNumber=1&uploadId=u'), 'UploadPart');
  assert.equal(route('PUT', '/bkt/a/b?partNumber=1&uploadId=u', { 'x-amz-copy-source': '/src/k' }), 'UploadPartCopy');
  assert.equal(route('PUT', '/bkt/a/b'), 'PutObject');
  assert.equal(route('PUT', '/bkt/a/b', { 'x-amz-copy-source': '/src/k' }), 'CopyObject');
  assert.equal(route('HEAD', '/bkt/a'), 'HeadObject');
  const labels = req('GET', '/bkt/dir//a%20b%2Bc');
  const op = codec.resolveOperation(labels, model);
  assert.deepEqual(codec.parseInput(labels, labels.body, model, op), { Bucket: 'bkt', Key: 'dir//a b+c' });
});

test('rest-xml: a PutObject body passes through as the Buffer it was', () => {
  const model = testModel('s3');
  const codec = codecFor('rest-xml');
  const body = Buffer.from([0, 1, 2, 0xff]);
  const r = { ...req('PUT', '/bkt/k', '', { 'x-amz-meta-a': '1' }), body };
  const input = codec.parseInput(r, body, model, codec.resolveOperation(r, model));
  assert.deepEqual(input, { Bucket: 'bkt', Key: 'k', Body: body, Metadata: { a: '1' } });
});

test('rest-xml: malformed XML is MalformedXML', () => {
  const model = testModel('s3');
  const codec = codecFor('rest-xml');
  const r = req('PUT', '/bkt?versioning', '<VersioningConfiguration><Status>Enabled</Sta');
  const e = thrownBy(() => codec.parseInput(r, r.body, model, codec.resolveOperation(r, model)));
  assert.equal(e.code, 'MalformedXML');
});

test('rest-json: unknown routes are UnknownOperationException 404; empty outputs have no body', () => {
  const model = testModel('lambda');
  const codec = codecFor('rest-json');
  const e = thrownBy(() => codec.resolveOperation(req('GET', '/2015-03-31/nowhere'), model));
  assert.deepEqual([e.code, e.status], ['UnknownOperationException', 404]);
  // The model gives DeleteFunction responseCode 200 (the service answers 204: a model patch's job).
  const raw = codec.serializeOutput({}, model, model.operations.DeleteFunction!, ctx);
  assert.deepEqual([raw.status, raw.body], [200, '']);
  assert.equal(codec.serializeOutput({ FunctionName: 'f' }, model, model.operations.CreateFunction!, ctx).status, 201);
  const arn = req('GET', '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af?Qualifier=1');
  const op = codec.resolveOperation(arn, model);
  assert.equal(op.name, 'GetFunction');
  assert.deepEqual(codec.parseInput(arn, arn.body, model, op), { FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:f', Qualifier: '1' });
});
