/**
 * How each service family answers a denied request. The message is AWS's
 * ("User: … is not authorized to perform: … because no identity-based policy allows …"); the code
 * and status differ by family.
 */
import { AwsError } from '../../core/errors.ts';
import type { AuthFamily } from '../../auth/sigv4/types.ts';

export function accessDeniedError(family: AuthFamily, message: string): AwsError {
  switch (family) {
    case 'json':
      return new AwsError('AccessDeniedException', message, { status: 400 });
    case 'rest-json':
      return new AwsError('AccessDeniedException', message, { status: 403 });
    case 'ec2':
      return new AwsError('UnauthorizedOperation', `You are not authorized to perform this operation. ${message}`, { status: 403 });
    case 's3':
      return new AwsError('AccessDenied', message, { status: 403 });
    default:
      return new AwsError('AccessDenied', message, { status: 403 });
  }
}
