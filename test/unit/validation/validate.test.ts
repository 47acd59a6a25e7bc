import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../src/core/errors.ts';
import { loadServiceModel } from '../../../src/generated/load-model.ts';
import type { ServiceModel } from '../../../src/protocols/model.ts';
import { formatValue, validateInput } from '../../../src/validation/validate.ts';

function validate(service: string, operation: string, input: Record<string, unknown>, protocol?: Parameters<typeof validateInput>[3]) {
  const model = loadServiceModel(service);
  const op = model.operations[operation];
  assert.ok(op, `${service} has no operation ${operation}`);
  return validateInput(model, op, input, protocol);
}

function assertError(error: AwsError | undefined, code: string, message: string): void {
  assert.ok(error instanceof AwsError, 'expected a validation error');
  assert.equal(error.code, code);
  assert.equal(error.status, 400);
  assert.equal(error.fault, 'client');
  assert.equal(error.message, message);
}

const ROLE = 'arn:aws:iam::123456789012:role/r';

// --- query protocol (IAM, STS): ValidationError -------------------------------------------------

test('IAM CreateUser with a bad UserName fails the model pattern', () => {
  assertError(
    validate('iam', 'CreateUser', { UserName: 'bad name!' }),
    'ValidationError',
    "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
});

test('IAM CreateUser without UserName: Member must not be null', () => {
  assertError(
    validate('iam', 'CreateUser', {}),
    'ValidationError',
    "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
  );
});

test('IAM CreateUser with a 65-character name breaks the max length', () => {
  const name = 'a'.repeat(65);
  assertError(
    validate('iam', 'CreateUser', { UserName: name }),
    'ValidationError',
    `1 validation error detected: Value '${name}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`,
  );
});

test('an empty name breaks both the pattern and the min length, pattern first', () => {
  assertError(
    validate('iam', 'CreateUser', { UserName: '' }),
    'ValidationError',
    "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+; " +
      "Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
});

test('nested list members are reported as tags.<n>.member.<name>', () => {
  assertError(
    validate('iam', 'CreateUser', { UserName: 'alice', Tags: [{ Key: 'k' }, { Key: 'x', Value: 'v' }] }),
    'ValidationError',
    "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null",
  );
});

test('a list of strings is reported once, with all the element constraints in brackets', () => {
  assertError(
    validate('iam', 'UntagUser', { UserName: 'alice', TagKeys: ['ok', 'bad!'] }),
    'ValidationError',
    "1 validation error detected: Value '[ok, bad!]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: " +
      '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, ' +
      'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+]',
  );
});

test('IAM enum sets print in the patched (observed) order', () => {
  const error = validate('iam', 'SimulateCustomPolicy', {
    PolicyInputList: ['{}'],
    ActionNames: ['s3:GetObject'],
    ContextEntries: [{ ContextKeyName: 'aws:username', ContextKeyValues: ['x'], ContextKeyType: 'arn' }],
  });
  assertError(
    error,
    'ValidationError',
    "1 validation error detected: Value 'arn' at 'contextEntries.1.member.contextKeyType' failed to satisfy constraint: " +
      'Member must satisfy enum value set: [binary, ipList, booleanList, ip, boolean, numericList, dateList, numeric, date, stringList, string, binaryList]',
  );
});

test('STS AssumeRole without RoleArn', () => {
  assertError(
    validate('sts', 'AssumeRole', { RoleSessionName: 'session' }),
    'ValidationError',
    "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
  );
});

test('STS AssumeRole with DurationSeconds 100 (min 900): numbers are quoted', () => {
  assertError(
    validate('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'session', DurationSeconds: 100 }),
    'ValidationError',
    "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );
});

test('STS AssumeRole above the max, given as the query string the codec may pass through', () => {
  assertError(
    validate('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'session', DurationSeconds: '43201' }),
    'ValidationError',
    "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
  );
});

test('violations follow model member order across members', () => {
  assertError(
    validate('sts', 'AssumeRole', { RoleSessionName: 's', DurationSeconds: 100 }),
    'ValidationError',
    "3 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; " +
      "Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
      "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
  );
});

test('valid input passes', () => {
  assert.equal(validate('iam', 'CreateUser', { UserName: 'alice', Path: '/', Tags: [{ Key: 'team', Value: 'x' }] }), undefined);
  assert.equal(validate('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'session', DurationSeconds: 900 }), undefined);
  assert.equal(validate('sts', 'GetCallerIdentity', {}), undefined);
});

// --- json protocols (DynamoDB, Secrets Manager, Lambda): ValidationException --------------------

test('DynamoDB CreateTable missing TableName with a bad BillingMode: 2 errors in member order', () => {
  assertError(
    validate('dynamodb', 'CreateTable', { KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], BillingMode: 'A' }),
    'ValidationException',
    "2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
      "Value 'A' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
  );
});

test('DynamoDB key schema errors: nested paths, enum sets, patched [B, N, S] order', () => {
  assertError(
    validate('dynamodb', 'CreateTable', {
      TableName: 'abc',
      AttributeDefinitions: [{ AttributeName: 'b', AttributeType: 'SS' }],
      KeySchema: [{ KeyType: 'HASH' }, { AttributeName: 'a' }, { KeyType: 'Woop', AttributeName: 'a' }],
    }),
    'ValidationException',
    "4 validation errors detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; " +
      "Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'keySchema.2.member.keyType' failed to satisfy constraint: Member must not be null; " +
      "Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
  );
});

test('an empty list is present but too short: the value prints as []', () => {
  assertError(
    validate('dynamodb', 'CreateTable', { TableName: 'abc', KeySchema: [] }),
    'ValidationException',
    "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
});

test('at most 10 violations are listed and counted', () => {
  const error = validate('dynamodb', 'CreateTable', {
    TableName: 'abc',
    LocalSecondaryIndexes: [{}, {}, {}, {}, {}, {}, {}, {}, {}],
  });
  assert.ok(error);
  assert.match(error.message, /^10 validation errors detected: /);
  assert.equal(error.message.split('; ').length, 10);
  assert.ok(error.message.endsWith("Value null at 'localSecondaryIndexes.4.member.indexName' failed to satisfy constraint: Member must not be null"));
});

test('sensitive shapes leave the value out, even when missing', () => {
  assertError(
    validate('secretsmanager', 'CreateSecret', { Name: 's', SecretString: '' }),
    'ValidationException',
    "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
});

test('map keys: Lambda environment variable names (rest-json)', () => {
  assertError(
    validate('lambda', 'CreateFunction', { FunctionName: 'f', Role: ROLE, Code: {}, Environment: { Variables: { '1bad': 'x' } } }),
    'ValidationException',
    "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
  );
});

test('map values: double bounds print with a decimal point', () => {
  assertError(
    validate('lambda', 'CreateAlias', { FunctionName: 'f', Name: 'live', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 1.5 } } }),
    'ValidationException',
    "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: " +
      'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]',
  );
});

test('the protocol the request used picks the code (CloudWatch speaks query and json)', () => {
  const message = "1 validation error detected: Value null at 'namespace' failed to satisfy constraint: Member must not be null";
  assertError(validate('cloudwatch', 'PutMetricData', {}, 'query'), 'ValidationError', message);
  assertError(validate('cloudwatch', 'PutMetricData', {}, 'json'), 'ValidationException', message);
});

// --- ec2 and rest-xml ----------------------------------------------------------------------------

test('EC2 reports the first missing parameter by its wire name', () => {
  const error = validate('ec2', 'TerminateInstances', {});
  assert.ok(error);
  assert.equal(error.code, 'MissingParameter');
  assert.equal(error.status, 400);
  assert.equal(error.message, 'The request must contain the parameter InstanceId');
  assert.equal(validate('ec2', 'TerminateInstances', { InstanceIds: [] })?.message, 'The request must contain the parameter InstanceId');
  assert.equal(validate('ec2', 'TerminateInstances', { InstanceIds: ['i-0123456789abcdef0'] }), undefined);
});

test('EC2 leaves other constraints to its handlers', () => {
  assert.equal(validate('ec2', 'RunInstances', { MinCount: 1, MaxCount: 1, InstanceType: 'not-a-type' }), undefined);
});

test('S3 (rest-xml) validates in its handlers', () => {
  assert.equal(validate('s3', 'PutObject', {}), undefined);
});

test('an operation without input never fails', () => {
  const model: ServiceModel = {
    metadata: { apiVersion: '1', endpointPrefix: 'x', protocol: 'json', serviceId: 'X' },
    operations: { Ping: { name: 'Ping', http: { method: 'POST', requestUri: '/' } } },
    shapes: {},
  };
  assert.equal(validateInput(model, model.operations.Ping!, {}), undefined);
});

test('values that are not of the modeled type are left to the codec, not thrown on', () => {
  assert.equal(validate('sts', 'AssumeRole', { RoleArn: ROLE, RoleSessionName: 'session', DurationSeconds: 'abc', Tags: 'x' }), undefined);
});

test('formatValue prints values as AWS Java services do', () => {
  assert.equal(formatValue(['a', 1, true]), '[a, 1, true]');
  assert.equal(formatValue({ k: 'v', n: [1] }), '{k=v, n=[1]}');
  assert.equal(formatValue(Buffer.from('abc')), 'java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]');
  assert.equal(formatValue(null), 'null');
});

test('validating a small input takes a few microseconds', () => {
  const model = loadServiceModel('iam');
  const op = model.operations.CreateUser!;
  const input = { UserName: 'alice', Path: '/', Tags: [{ Key: 'team', Value: 'x' }] };
  validateInput(model, op, input); // compile and cache
  const rounds = 5000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) validateInput(model, op, input);
  const microsPerCall = Number(process.hrtime.bigint() - started) / rounds / 1000;
  // A few µs on this machine; the bound leaves room for a busy CI.
  assert.ok(microsPerCall < 50, `validation took ${microsPerCall.toFixed(1)} µs per call`);
});
