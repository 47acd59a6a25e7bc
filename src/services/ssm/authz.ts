/**
 * SSM's authorization table (Service Authorization Reference, "Actions defined by AWS Systems
 * Manager"): the parameter reads apply to the parameter ARNs they name. AWS's public parameters
 * (/aws/service/…) have ARNs without an account; the caller's own identity policies decide.
 */
import type { AuthzCall, AuthzTarget, ServiceAuthz } from '../../iam/authz/types.ts';
import { parameterArn } from './names.ts';

function onParameters(action: string, names: (input: Record<string, unknown>) => unknown[]): (call: AuthzCall) => AuthzTarget[] {
  return ({ input, ctx }) =>
    names(input)
      .filter((n): n is string => typeof n === 'string')
      .map((name) => ({ action, resource: parameterArn(ctx.region, ctx.accountId, name) }));
}

export const ssmAuthz: ServiceAuthz = {
  prefix: 'ssm',
  operations: {
    GetParameter: onParameters('ssm:GetParameter', (input) => [input.Name]),
    GetParameters: onParameters('ssm:GetParameters', (input) => (Array.isArray(input.Names) ? input.Names : [])),
    GetParametersByPath: onParameters('ssm:GetParametersByPath', (input) => [input.Path]),
  },
};
