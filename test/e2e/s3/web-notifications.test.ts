// PutBucketNotificationConfiguration's validation through SDK v3: S3's InvalidArgument for events
// it does not publish, filters naming prefix or suffix twice, and destinations it cannot validate
// (every SNS topic, SQS queue and Lambda function, none of which exist in Bonsai yet); an
// EventBridge-only configuration is stored and read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import { TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { rawFailure, startS3Bonsai } from '../../helpers/s3.ts';

const BUCKET = 'w-notify-bucket';
const QUEUE = `arn:aws:sqs:us-east-1:${TEST_ACCOUNT.accountId}:uploads`;
const TOPIC = `arn:aws:sns:us-east-1:${TEST_ACCOUNT.accountId}:uploads`;
const FUNCTION = `arn:aws:lambda:us-east-1:${TEST_ACCOUNT.accountId}:function:thumbnail`;
let bonsai: TestBonsai;
let s3: S3.S3Client;

before(async () => {
  ({ bonsai, client: s3 } = await startS3Bonsai(BUCKET));
});
after(() => bonsai.stop());

interface S3Failure {
  name: string;
  message: string;
  status?: number;
  fields: Record<string, unknown>;
}

/** The SDK's error with the extra <Error> fields it keeps as properties (ArgumentName, …). */
async function refused(configuration: S3.NotificationConfiguration): Promise<S3Failure> {
  const { name, message, status, fields } = await rawFailure(
    s3.send(new S3.PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: configuration })),
  );
  return { name, message, status, fields: Object.fromEntries(Object.entries(fields).filter(([field]) => field.startsWith('Argument'))) };
}

test('an event S3 does not publish: InvalidArgument naming it', async () => {
  const err = await refused({ QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectCreated:Put', 's3:ObjectCreated:Upload' as S3.Event] }] });
  assert.deepEqual(err, {
    name: 'InvalidArgument',
    message: 'The event is not supported for notifications',
    status: 400,
    fields: { ArgumentName: 'Event', ArgumentValue: 's3:ObjectCreated:Upload' },
  });
});

test('a filter naming prefix twice, or a name other than prefix/suffix: InvalidArgument', async () => {
  const twice = await refused({
    TopicConfigurations: [
      { TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'a/' }, { Name: 'Prefix' as S3.FilterRuleName, Value: 'b/' }] } } },
    ],
  });
  assert.deepEqual(twice, {
    name: 'InvalidArgument',
    message: 'Cannot specify more than one prefix rule in a filter.',
    status: 400,
    fields: { ArgumentName: 'FilterRule.Name', ArgumentValue: 'Prefix' },
  });
  const other = await refused({
    TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'], Filter: { Key: { FilterRules: [{ Name: 'contains' as S3.FilterRuleName, Value: 'x' }] } } }],
  });
  assert.deepEqual(other.fields, { ArgumentName: 'FilterRule.Name', ArgumentValue: 'contains' });
  assert.equal(other.message, 'filter rule name must be either prefix or suffix');
});

test('destinations S3 cannot validate are listed, numbered, in one InvalidArgument', async () => {
  const err = await refused({
    TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectCreated:*'] }],
    QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } } }],
    LambdaFunctionConfigurations: [{ LambdaFunctionArn: FUNCTION, Events: ['s3:ObjectTagging:Put'] }],
  });
  assert.deepEqual(err, {
    name: 'InvalidArgument',
    message: 'Unable to validate the following destination configurations',
    status: 400,
    fields: {
      ArgumentName1: TOPIC,
      ArgumentValue1: 'The destination topic does not exist',
      ArgumentName2: QUEUE,
      ArgumentValue2: 'The destination queue does not exist',
      ArgumentName3: FUNCTION,
      ArgumentValue3: 'The destination Lambda does not exist',
    },
  });
  const stored = await s3.send(new S3.GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
  assert.equal(stored.QueueConfigurations, undefined);
});

test('an EventBridge-only configuration is stored; an empty one clears it', async () => {
  await s3.send(new S3.PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  const stored = await s3.send(new S3.GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
  assert.deepEqual(stored.EventBridgeConfiguration, {});
  await s3.send(new S3.PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: {} }));
  const cleared = await s3.send(new S3.GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
  assert.equal(cleared.EventBridgeConfiguration, undefined);
});
