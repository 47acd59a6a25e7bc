/**
 * PutBucketNotificationConfiguration's checks, as S3 makes them (S3 User Guide, "Amazon S3 Event
 * Notifications" → "Supported event types"; "Configuring event notifications using object key
 * name filtering"). The buckets part stores the configuration once this accepts it.
 *
 * 1. every event is one of the documented types, else InvalidArgument "The event is not
 *    supported for notifications";
 * 2. a filter names `prefix` and `suffix` (any case) at most once each;
 * 3. every destination (SNS topic, SQS queue, Lambda function) exists and lets S3 publish to it.
 *    Bonsai has no SNS topics, SQS queues or Lambda functions yet, so no destination can be
 *    validated, and S3's answer for that is InvalidArgument "Unable to validate the following
 *    destination configurations" listing each one. An EventBridge-only configuration is accepted.
 */
import { AwsError } from '../../../core/errors.ts';
import type { FilterRule, NotificationConfiguration, NotificationConfigurationFilter } from '../../../generated/s3/types.ts';

export const NOTIFICATION_EVENTS: ReadonlySet<string> = new Set([
  's3:TestEvent',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
]);

function invalidArgument(message: string, fields: Record<string, unknown>): AwsError {
  return new AwsError('InvalidArgument', message, { status: 400, fields });
}

function checkEvents(events: readonly string[] | undefined): void {
  for (const event of events ?? []) {
    if (!NOTIFICATION_EVENTS.has(event)) {
      throw invalidArgument('The event is not supported for notifications', { ArgumentName: 'Event', ArgumentValue: event });
    }
  }
}

function checkFilter(filter: NotificationConfigurationFilter | undefined): void {
  const rules: FilterRule[] = filter?.Key?.FilterRules ?? [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const name = (rule.Name ?? '').toLowerCase();
    if (name !== 'prefix' && name !== 'suffix') {
      throw invalidArgument('filter rule name must be either prefix or suffix', { ArgumentName: 'FilterRule.Name', ArgumentValue: rule.Name ?? '' });
    }
    if (seen.has(name)) {
      throw invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, { ArgumentName: 'FilterRule.Name', ArgumentValue: rule.Name });
    }
    seen.add(name);
  }
}

/** Why S3 could not validate a destination of each kind (none can exist in Bonsai yet). */
const MISSING_DESTINATION = {
  topic: 'The destination topic does not exist',
  queue: 'The destination queue does not exist',
  lambda: 'The destination Lambda does not exist',
} as const;

/**
 * Validates a NotificationConfiguration as S3 does before storing it; throws S3's AwsError.
 * `destinationExists` says whether an ARN names a destination S3 may publish to (always false
 * until Bonsai has SNS, SQS and Lambda).
 */
export function validateNotificationConfiguration(
  config: NotificationConfiguration,
  destinationExists: (arn: string) => boolean = () => false,
): void {
  const destinations: Array<[string, string]> = [];
  for (const c of config.TopicConfigurations ?? []) {
    checkEvents(c.Events);
    checkFilter(c.Filter);
    destinations.push([c.TopicArn, MISSING_DESTINATION.topic]);
  }
  for (const c of config.QueueConfigurations ?? []) {
    checkEvents(c.Events);
    checkFilter(c.Filter);
    destinations.push([c.QueueArn, MISSING_DESTINATION.queue]);
  }
  for (const c of config.LambdaFunctionConfigurations ?? []) {
    checkEvents(c.Events);
    checkFilter(c.Filter);
    destinations.push([c.LambdaFunctionArn, MISSING_DESTINATION.lambda]);
  }
  const unvalidated = destinations.filter(([arn]) => !destinationExists(arn));
  if (unvalidated.length === 0) return;
  const fields: Record<string, unknown> = {};
  unvalidated.forEach(([arn, reason], i) => {
    fields[`ArgumentName${i + 1}`] = arn;
    fields[`ArgumentValue${i + 1}`] = reason;
  });
  throw invalidArgument('Unable to validate the following destination configurations', fields);
}
