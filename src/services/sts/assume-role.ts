/**
 * AssumeRole (STS API Reference; IAM User Guide "Role chaining", "Passing session tags in AWS
 * STS", "Session policies"). Authorization (trust policy, identity policies, TagSession,
 * SetSourceIdentity, the MFA code) has already happened in authz.ts; the checks here repeat only
 * what must hold whatever the authorizer did.
 */
import type { RequestContext } from '../../core/context.ts';
import type { AssumeRoleRequest, AssumeRoleResponse } from '../../generated/sts/types.ts';
import { assumeRoleDuration } from './durations.ts';
import { packSessionPolicies } from './session-policies.ts';
import { createSession } from './sessions.ts';
import { StsMessages, accessDenied, credentialsShape, findRoleByArn, mfaRequested, refuseRestrictedSession, tagMap, verifyCallerMfa } from './common.ts';

/** The session tags and transitive keys of a new role session: what the caller's session passes on, plus the request's. */
export function chainedTags(
  caller: { tags?: Record<string, string>; transitiveTagKeys?: string[] } | undefined,
  requested: Record<string, string>,
  requestedTransitive: string[] | undefined,
): { tags: Record<string, string>; transitiveTagKeys: string[] } {
  const inherited: Record<string, string> = {};
  for (const key of caller?.transitiveTagKeys ?? []) {
    const value = caller?.tags?.[key];
    if (value !== undefined) inherited[key] = value;
  }
  const transitive = [...new Set([...(caller?.transitiveTagKeys ?? []), ...(requestedTransitive ?? [])])];
  return { tags: { ...inherited, ...requested }, transitiveTagKeys: transitive };
}

export async function assumeRole(ctx: RequestContext, input: AssumeRoleRequest): Promise<AssumeRoleResponse> {
  const caller = ctx.principal;
  refuseRestrictedSession(caller, 'AssumeRole');
  if (caller.type === 'root') throw accessDenied(StsMessages.rootCannotAssumeRoles);
  const role = await findRoleByArn(ctx.store, ctx.accountId, input.RoleArn);
  if (!role) throw accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`);

  const chained = caller.type === 'assumed-role';
  const durationSeconds = assumeRoleDuration(input.DurationSeconds, role.MaxSessionDuration, chained);
  const mfa = mfaRequested(input);
  if (mfa) await verifyCallerMfa(ctx, input.SerialNumber, input.TokenCode);

  const requestedTags = tagMap(input.Tags);
  const packed = await packSessionPolicies(ctx.store, ctx.accountId, input, requestedTags);
  const { tags, transitiveTagKeys } = chainedTags(caller.session, requestedTags, input.TransitiveTagKeys);
  // A source identity, once set, stays with the session through role chaining.
  const sourceIdentity = input.SourceIdentity ?? caller.session?.sourceIdentity;

  const session = await createSession(ctx.store, ctx.accountId, ctx.clock, ctx.secrets, {
    principal: {
      type: 'assumed-role',
      arn: `arn:aws:sts::${ctx.accountId}:assumed-role/${role.RoleName}/${input.RoleSessionName}`,
      userId: `${role.RoleId}:${input.RoleSessionName}`,
      name: role.RoleName,
    },
    kind: 'assumed-role',
    durationSeconds,
    mfaAuthenticated: mfa,
    roleArn: role.Arn,
    policies: packed.policies,
    tags,
    transitiveTagKeys,
    sourceIdentity,
  });

  const out: AssumeRoleResponse = {
    Credentials: credentialsShape(session),
    AssumedRoleUser: { AssumedRoleId: session.principal.userId, Arn: session.principal.arn },
  };
  if (packed.packedPercent !== undefined) out.PackedPolicySize = packed.packedPercent;
  if (sourceIdentity !== undefined) out.SourceIdentity = sourceIdentity;
  return out;
}
