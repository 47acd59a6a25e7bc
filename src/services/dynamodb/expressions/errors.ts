import { AwsError } from '../../../core/errors.ts';

/** DynamoDB's ValidationException (HTTP 400) with its free-text message. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message, { status: 400 });
}
