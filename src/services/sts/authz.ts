/**
 * STS's authorization table (Service Authorization Reference, "Actions defined by AWS Security
 * Token Service"): AssumeRole, TagSession and SetSourceIdentity apply to the role and are decided
 * together with the role's trust policy; GetFederationToken applies to the federated user it
 * creates; GetCallerIdentity and GetSessionToken need no permission at all.
 *
 * Before any policy is looked at, temporary credentials are held to the STS operations their kind
 * may call ("Cannot call GetSessionToken with session credentials"), and the root user may not
 * assume roles ("Roles may not be assumed by root accounts.").
 */
import type { AuthzCall, AuthzTarget, OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import type { ContextValue } from '../../iam/policy/context.ts';
import type { AssumeRoleRequest, GetFederationTokenRequest } from '../../generated/sts/types.ts';
import {
  StsMessages,
  accessDenied,
  findRoleByArn,
  mfaRequested,
  parseRoleArn,
  refuseRestrictedSession,
  requestTagContext,
  tagMap,
  verifyCallerMfa,
} from './common.ts';

/** An operation on "*" after the session check. */
function onAnyResource(operation: string): OperationAuthz {
  return ({ ctx }) => {
    refuseRestrictedSession(ctx.principal, operation);
    return [{ action: `sts:${operation}`, resource: '*' }];
  };
}

/** An operation that needs no permission, only the session check. */
function noPermission(operation: string): OperationAuthz {
  return ({ ctx }) => {
    refuseRestrictedSession(ctx.principal, operation);
    return [];
  };
}

async function assumeRoleTargets({ input, ctx }: AuthzCall): Promise<AuthzTarget[]> {
  const request = input as unknown as AssumeRoleRequest;
  refuseRestrictedSession(ctx.principal, 'AssumeRole');
  if (ctx.principal.type === 'root') throw accessDenied(StsMessages.rootCannotAssumeRoles);
  // The MFA code is checked first: the trust policy may ask for aws:MultiFactorAuthPresent.
  const mfa = mfaRequested(request);
  if (mfa) await verifyCallerMfa(ctx, request.SerialNumber, request.TokenCode);

  const role = await findRoleByArn(ctx.store, ctx.accountId, request.RoleArn);
  const tags = tagMap(request.Tags);
  const context: Record<string, ContextValue> = {
    'sts:RoleSessionName': request.RoleSessionName,
    ...requestTagContext(tags),
  };
  if (request.ExternalId !== undefined) context['sts:ExternalId'] = request.ExternalId;
  if (request.SourceIdentity !== undefined) context['sts:SourceIdentity'] = request.SourceIdentity;
  if (request.TransitiveTagKeys !== undefined) context['sts:TransitiveTagKeys'] = request.TransitiveTagKeys;
  if (mfa) {
    context['aws:MultiFactorAuthPresent'] = true;
    context['aws:MultiFactorAuthAge'] = 0;
  }
  for (const t of role?.Tags ?? []) {
    context[`aws:ResourceTag/${t.Key}`] = t.Value;
    context[`iam:ResourceTag/${t.Key}`] = t.Value;
  }

  // A role that does not exist has no trust policy, so the caller is denied exactly as if the
  // trust policy did not name them: AWS does not reveal which roles exist.
  const onRole = (action: string, actionContext: Record<string, ContextValue> = context): AuthzTarget => ({
    action,
    resource: request.RoleArn,
    resourceAccount: parseRoleArn(request.RoleArn)?.accountId,
    resourcePolicy: async () => (role ? { document: role.AssumeRolePolicyDocument, kind: 'trust' } : undefined),
    resourcePolicyRequired: true,
    context: actionContext,
    // STS names the action and the role only: "User: … is not authorized to perform: sts:AssumeRole on resource: …".
    plainDenial: true,
  });
  // sts:RoleSessionName is a key of sts:AssumeRole only (Service Authorization Reference).
  const { ['sts:RoleSessionName']: _sessionName, ...sessionActionContext } = context;
  const targets = [onRole('sts:AssumeRole')];
  if (Object.keys(tags).length > 0) targets.push(onRole('sts:TagSession', sessionActionContext));
  if (request.SourceIdentity !== undefined) targets.push(onRole('sts:SetSourceIdentity', sessionActionContext));
  return targets;
}

function getFederationTokenTargets({ input, ctx }: AuthzCall): AuthzTarget[] {
  const request = input as unknown as GetFederationTokenRequest;
  refuseRestrictedSession(ctx.principal, 'GetFederationToken');
  return [
    {
      action: 'sts:GetFederationToken',
      resource: `arn:aws:sts::${ctx.accountId}:federated-user/${request.Name}`,
      context: requestTagContext(tagMap(request.Tags)),
    },
  ];
}

export const stsAuthz: ServiceAuthz = {
  prefix: 'sts',
  operations: {
    // AWS: "No permissions are required to perform this operation"; even an explicit deny cannot block it.
    GetCallerIdentity: 'none',
    // "You cannot use policies to control authentication operations."
    GetSessionToken: noPermission('GetSessionToken'),
    AssumeRole: assumeRoleTargets,
    GetFederationToken: getFederationTokenTargets,
    GetAccessKeyInfo: onAnyResource('GetAccessKeyInfo'),
    DecodeAuthorizationMessage: onAnyResource('DecodeAuthorizationMessage'),
  },
};
