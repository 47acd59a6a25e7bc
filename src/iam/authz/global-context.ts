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

/**
 * aws:CurrentTime has one-second precision, so the formatted string is reused until the second
 * changes instead of formatting (and regex-trimming) a date per request.
 */
let formattedSecond = NaN;
let formattedTime = '';
function currentTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== formattedSecond) {
    formattedTime = isoSeconds(new Date(second * 1000));
    formattedSecond = second;
  }
  return formattedTime;
}

/** "2024-05-01T12:00:00Z": ISO 8601 without milliseconds, as AWS writes times in context keys. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const IPV4_MAPPED = '::ffff:';

export function globalContext(ctx: RequestContext, global: boolean, principalTags: Record<string, string>): Record<string, ContextValue> {
  const p = ctx.principal;
  const nowMs = ctx.clock.now().getTime();
  const context: Record<string, ContextValue> = {
    // IAM is global: its calls count as us-east-1 whatever region the client signed for.
    'aws:RequestedRegion': global ? GLOBAL_REGION : ctx.region,
    'aws:CurrentTime': currentTime(nowMs),
    'aws:EpochTime': Math.floor(nowMs / 1000),
    'aws:SecureTransport': ctx.request.secure,
    'aws:SourceIp': ctx.sourceIp.startsWith(IPV4_MAPPED) ? ctx.sourceIp.slice(IPV4_MAPPED.length) : ctx.sourceIp,
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
    if (session.mfaAuthenticatedAt) context['aws:MultiFactorAuthAge'] = Math.floor((nowMs - session.mfaAuthenticatedAt.getTime()) / 1000);
    context['aws:TokenIssueTime'] = isoSeconds(session.issuedAt);
    if (session.sourceIdentity) context['aws:SourceIdentity'] = session.sourceIdentity;
  }
  // Session tags override the principal's tags of the same key (keeping that key's position), as
  // merging the two maps first would; written directly, without the intermediate object.
  for (const key of Object.keys(principalTags)) context[`aws:PrincipalTag/${key}`] = principalTags[key];
  const sessionTags = session?.tags;
  if (sessionTags) for (const key of Object.keys(sessionTags)) context[`aws:PrincipalTag/${key}`] = sessionTags[key];
  return context;
}
