/**
 * How long each kind of STS session lasts (STS API Reference, DurationSeconds of AssumeRole,
 * GetSessionToken and GetFederationToken; IAM User Guide, "Role chaining"). The model's own
 * bounds (900..43200, 900..129600) are checked by the validate stage before a handler runs.
 */
import { AwsError } from '../../core/errors.ts';

export const ONE_HOUR = 3600;
export const DEFAULT_ROLE_SESSION = ONE_HOUR;
/** GetSessionToken and GetFederationToken: 12 hours unless asked otherwise, at most 36. */
export const DEFAULT_USER_SESSION = 43200;

export const DurationMessages = {
  exceedsRoleMaximum: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  exceedsChainingLimit: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
} as const;

function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message, { status: 400 });
}

/**
 * AssumeRole: up to the role's MaxSessionDuration (default one hour); a role session assuming
 * another role (role chaining) is limited to one hour whatever the role allows.
 */
export function assumeRoleDuration(requested: number | undefined, roleMaxSessionDuration: number, chained: boolean): number {
  const duration = requested ?? DEFAULT_ROLE_SESSION;
  if (chained && duration > ONE_HOUR) throw validationError(DurationMessages.exceedsChainingLimit);
  if (duration > roleMaxSessionDuration) throw validationError(DurationMessages.exceedsRoleMaximum);
  return duration;
}

/**
 * GetSessionToken and GetFederationToken: IAM users get what they ask for (default 12 hours);
 * sessions of the account's root user are cut to one hour ("If the duration is longer than one
 * hour, the session for AWS account owners defaults to one hour").
 */
export function userSessionDuration(requested: number | undefined, root: boolean): number {
  const duration = requested ?? DEFAULT_USER_SESSION;
  return root ? Math.min(duration, ONE_HOUR) : duration;
}
