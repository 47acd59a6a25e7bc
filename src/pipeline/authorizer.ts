/**
 * The authorize stage's contract. The IAM service provides the real implementation (AWS's policy
 * evaluation); until an account has IAM identities the only principals are its root user, which
 * AWS allows everything, and anonymous callers, which only resource policies can allow.
 */
import { AwsError } from '../core/errors.ts';
import type { RequestContext } from '../core/context.ts';
import type { OperationModel } from '../protocols/model.ts';
import type { ServiceDefinition } from '../services/types.ts';

export interface AuthorizationRequest {
  ctx: RequestContext;
  service: ServiceDefinition;
  operation: OperationModel;
  input: Record<string, unknown>;
}

export interface Authorizer {
  /** Resolves when the request may proceed; throws the service family's AwsError otherwise. */
  authorize(request: AuthorizationRequest): Promise<void> | void;
}

/** Root may do anything; nothing else exists yet, and anonymous callers are denied. */
export const rootOnlyAuthorizer: Authorizer = {
  authorize({ ctx }) {
    if (ctx.principal.type === 'root') return;
    throw new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  },
};
