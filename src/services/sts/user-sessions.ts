/**
 * The two STS operations an IAM user (or the root user) calls with long-term keys:
 * - GetSessionToken: a session that acts as the caller itself, usually to prove MFA
 *   (aws:MultiFactorAuthPresent); "No permissions are required".
 * - GetFederationToken: a federated user whose permissions are the caller's policies intersected
 *   with the session policies passed here; without any session policy it can do nothing.
 * Root sessions last at most one hour (longer requests are cut, not refused).
 */
import type { RequestContext } from '../../core/context.ts';
import type { GetFederationTokenRequest, GetFederationTokenResponse, GetSessionTokenRequest, GetSessionTokenResponse } from '../../generated/sts/types.ts';
import { userSessionDuration } from './durations.ts';
import { packSessionPolicies } from './session-policies.ts';
import { createSession } from './sessions.ts';
import { StsMessages, accessDenied, credentialsShape, mfaRequested, refuseRestrictedSession, tagMap, verifyCallerMfa } from './common.ts';

/** Only long-term credentials of the root user or an IAM user may call these operations. */
function requireLongTermCaller(ctx: RequestContext, operation: string): 'root' | 'user' {
  const caller = ctx.principal;
  refuseRestrictedSession(caller, operation);
  if (caller.session || (caller.type !== 'root' && caller.type !== 'user')) throw accessDenied(StsMessages.cannotCallWithSession(operation));
  return caller.type;
}

export async function getSessionToken(ctx: RequestContext, input: GetSessionTokenRequest): Promise<GetSessionTokenResponse> {
  const callerType = requireLongTermCaller(ctx, 'GetSessionToken');
  const caller = ctx.principal;
  const durationSeconds = userSessionDuration(input.DurationSeconds, callerType === 'root');
  const mfa = mfaRequested(input);
  if (mfa) await verifyCallerMfa(ctx, input.SerialNumber, input.TokenCode);
  const session = await createSession(ctx.store, ctx.accountId, ctx.clock, ctx.secrets, {
    principal: { type: caller.type, arn: caller.arn, userId: caller.userId, name: caller.name },
    kind: 'session-token',
    durationSeconds,
    mfaAuthenticated: mfa,
  });
  return { Credentials: credentialsShape(session) };
}

export async function getFederationToken(ctx: RequestContext, input: GetFederationTokenRequest): Promise<GetFederationTokenResponse> {
  const callerType = requireLongTermCaller(ctx, 'GetFederationToken');
  const caller = ctx.principal;
  const durationSeconds = userSessionDuration(input.DurationSeconds, callerType === 'root');
  const tags = tagMap(input.Tags);
  const packed = await packSessionPolicies(ctx.store, ctx.accountId, input, tags);
  const arn = `arn:aws:sts::${ctx.accountId}:federated-user/${input.Name}`;
  const federatedUserId = `${ctx.accountId}:${input.Name}`;
  const session = await createSession(ctx.store, ctx.accountId, ctx.clock, ctx.secrets, {
    principal: { type: 'federated-user', arn, userId: federatedUserId, name: input.Name },
    kind: 'federation',
    durationSeconds,
    sourceUserArn: caller.arn,
    // "If you do not pass a policy to this operation, the resulting temporary credentials have no effective permissions."
    policies: packed.policies ?? [],
    tags,
  });
  const out: GetFederationTokenResponse = {
    Credentials: credentialsShape(session),
    FederatedUser: { FederatedUserId: federatedUserId, Arn: arn },
  };
  if (packed.packedPercent !== undefined) out.PackedPolicySize = packed.packedPercent;
  return out;
}
