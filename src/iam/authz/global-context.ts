/**
 * The global condition keys AWS adds to every request ("AWS global condition context keys"),
 * derived from who is calling, from where and when.
 */
import type { RequestContext } from '../../core/context.ts';
import type { Principal } from '../../core/principal.ts';
import type { ContextValue } from '../policy/context.ts';
import { GLOBAL_REGION } from '../../core/regions.ts';

const PRINCIPAL_TYPE: Record<Principal['type'], string | undefined> = {
  root: 'Account',
  user: 'User',
  'assumed-role': 'AssumedRole',
  'federated-user': 'FederatedUser',
  anonymous: 'Anonymous',
};

/** aws:PrincipalArn is the role's ARN for role sessions, the caller's ARN otherwise. */
export function principalArn(p: Principal): string {
  return p.session?.roleArn ?? p.arn;
}

export function globalContext(ctx: RequestContext, global: boolean, principalTags: Record<string, string>): Record<string, ContextValue> {
  const p = ctx.principal;
  const now = ctx.clock.now();
  const context: Record<string, ContextValue> = {
    // IAM is global: its calls count as us-east-1 whatever region the client signed for.
    'aws:RequestedRegion': global ? GLOBAL_REGION : ctx.region,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': Math.floor(now.getTime() / 1000),
    'aws:SecureTransport': ctx.request.secure,
    'aws:SourceIp': ctx.sourceIp.replace(/^::ffff:/, ''),
    'aws:UserAgent': ctx.request.headers['user-agent'],
    'aws:ViaAWSService': false,
  };
  if (p.type === 'anonymous') return context;
  context['aws:PrincipalArn'] = principalArn(p);
  context['aws:PrincipalAccount'] = p.accountId;
  context['aws:PrincipalType'] = PRINCIPAL_TYPE[p.type];
  context['aws:userid'] = p.userId;
  // aws:username exists for IAM users only (federated users and role sessions have aws:userid).
  if (p.type === 'user') context['aws:username'] = p.name;
  const session = p.session;
  if (session) {
    // Present only for temporary credentials: long-term keys leave the MFA keys absent, which
    // is what BoolIfExists / Null conditions in AWS's documented examples rely on.
    context['aws:MultiFactorAuthPresent'] = session.mfaAuthenticatedAt !== undefined;
    if (session.mfaAuthenticatedAt) context['aws:MultiFactorAuthAge'] = Math.floor((now.getTime() - session.mfaAuthenticatedAt.getTime()) / 1000);
    context['aws:TokenIssueTime'] = session.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (session.sourceIdentity) context['aws:SourceIdentity'] = session.sourceIdentity;
  }
  const tags = { ...principalTags, ...(session?.tags ?? {}) };
  for (const [key, value] of Object.entries(tags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}
