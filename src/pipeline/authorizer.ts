/**
 * The authorize stage's contract. src/iam/authz/authorizer.ts implements it with AWS's policy
 * evaluation logic; tests may pass a simpler one.
 */
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
