/**
 * DynamoDB's errors in its own wording. Validation failures found by the service itself (not the
 * model's constraints) are ValidationException with free text; table lookups fail with
 * ResourceNotFoundException, worded differently for control-plane and item operations.
 */
import { AwsError } from '../../core/errors.ts';
import {
  ConditionalCheckFailedException,
  ResourceInUseException,
  ResourceNotFoundException,
} from '../../generated/dynamodb/errors.ts';
import type { AttributeMap } from './attributes.ts';

export function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, { status: 400, fault: 'client' });
}

/** "One or more parameter values were invalid: …", DynamoDB's prefix for semantic input errors. */
export function invalidParameter(detail: string): AwsError {
  return validation(`One or more parameter values were invalid: ${detail}`);
}

/** Item operations (GetItem, PutItem, Query, …) on a table that does not exist. */
export function tableNotFound(): AwsError {
  return new ResourceNotFoundException('Requested resource not found');
}

/** Control-plane operations (DescribeTable, DeleteTable, UpdateTable) name the table. */
export function namedTableNotFound(tableName: string): AwsError {
  return new ResourceNotFoundException(`Requested resource not found: Table: ${tableName} not found`);
}

export function tableAlreadyExists(tableName: string): AwsError {
  return new ResourceInUseException(`Table already exists: ${tableName}`);
}

export function conditionalCheckFailed(item?: AttributeMap): AwsError {
  return new ConditionalCheckFailedException('The conditional request failed', item ? { Item: item } : undefined);
}

/** The key given does not have exactly the table's key attributes with their declared types. */
export function keyMismatch(): AwsError {
  return validation('The provided key element does not match the schema');
}
