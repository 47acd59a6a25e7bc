/**
 * STS sessions: the temporary credentials AssumeRole, GetSessionToken and GetFederationToken hand
 * out, kept as store documents (kind 'sts-session', region '', id = the ASIA access key id), and
 * the CredentialResolver that lets SigV4 accept them.
 *
 * AWS's rules that apply at authentication time live here:
 * - the key only works with its own session token (the SigV4 layer compares the token with
 *   `ResolvedCredential.sessionToken` and answers the family's invalid-token error);
 * - an expired session answers the family's expired-token error (query: ExpiredToken 403 "The
 *   security token included in the request is expired"), judged on Bonsai's movable clock;
 * - IAM refuses GetSessionToken sessions created without MFA, and every GetFederationToken
 *   session, with InvalidClientTokenId "The security token included in the request is invalid"
 *   (IAM User Guide, "Compare AWS STS credentials"; the error is what IAM answers in practice).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { CredentialResolver, CredentialScopeInfo, Principal, PrincipalSession, PrincipalType, ResolvedCredential } from '../../core/principal.ts';
import { newAccessKeyId, newSecretAccessKey } from '../../core/ids.ts';
import { AuthFailure } from '../../auth/sigv4/types.ts';
import type { DocOps, Store } from '../../store/types.ts';
import type { SecretBox } from '../../core/secrets.ts';

export const SESSION_KIND = 'sts-session';

/** What is stored for one session. Dates are ISO strings (documents are JSON). */
export interface StsSessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  issuedAt: string;
  expiresAt: string;
  /** Who the session acts as. */
  principal: { type: PrincipalType; arn: string; userId: string; name: string };
  kind: PrincipalSession['kind'];
  mfaAuthenticatedAt?: string;
  roleArn?: string;
  sourceUserArn?: string;
  policies?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
}

/** What a caller decides about a new session; the store adds keys, token and times. */
export interface NewSession {
  principal: StsSessionRecord['principal'];
  kind: PrincipalSession['kind'];
  durationSeconds: number;
  mfaAuthenticated?: boolean;
  roleArn?: string;
  sourceUserArn?: string;
  policies?: string[];
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
}

/**
 * Session tokens are long opaque base64 strings. AWS's start with the same few bytes
 * ("IQoJb3JpZ2luX2Vj…" for version-2 tokens); clients only store and echo them back.
 */
export function newSessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(300).toString('base64');
}

function sessionKey(accountId: string, accessKeyId: string) {
  return { kind: SESSION_KIND, account: accountId, region: '', id: accessKeyId };
}

/** AWS reports Expiration with whole seconds; keep the stored times on whole seconds too. */
function wholeSeconds(ms: number): number {
  return ms - (ms % 1000);
}

/**
 * Creates and stores a session. The store keeps the secret and the token sealed with the data
 * directory's master key; the returned record holds them in clear, for the response.
 */
export async function createSession(ops: DocOps, accountId: string, clock: Clock, secrets: SecretBox, spec: NewSession): Promise<StsSessionRecord> {
  const issued = wholeSeconds(clock.nowMs());
  const record: StsSessionRecord = {
    accessKeyId: newAccessKeyId('ASIA'),
    secretAccessKey: newSecretAccessKey(),
    sessionToken: newSessionToken(),
    issuedAt: new Date(issued).toISOString(),
    expiresAt: new Date(issued + spec.durationSeconds * 1000).toISOString(),
    principal: spec.principal,
    kind: spec.kind,
  };
  if (spec.mfaAuthenticated) record.mfaAuthenticatedAt = record.issuedAt;
  if (spec.roleArn !== undefined) record.roleArn = spec.roleArn;
  if (spec.sourceUserArn !== undefined) record.sourceUserArn = spec.sourceUserArn;
  if (spec.policies !== undefined) record.policies = spec.policies;
  if (spec.tags !== undefined && Object.keys(spec.tags).length > 0) record.tags = spec.tags;
  if (spec.transitiveTagKeys !== undefined && spec.transitiveTagKeys.length > 0) record.transitiveTagKeys = spec.transitiveTagKeys;
  if (spec.sourceIdentity !== undefined) record.sourceIdentity = spec.sourceIdentity;
  const sealed: StsSessionRecord = { ...record, secretAccessKey: secrets.seal(record.secretAccessKey), sessionToken: secrets.seal(record.sessionToken) };
  await ops.put(sessionKey(accountId, record.accessKeyId), sealed, { expectVersion: 'absent' });
  return record;
}

/** A stored session with its secret and token opened. */
export function openSession(stored: StsSessionRecord, secrets: SecretBox): StsSessionRecord {
  return { ...stored, secretAccessKey: secrets.open(stored.secretAccessKey), sessionToken: secrets.open(stored.sessionToken) };
}

export async function getSession(ops: DocOps, accountId: string, accessKeyId: string): Promise<StsSessionRecord | undefined> {
  return (await ops.get<StsSessionRecord>(sessionKey(accountId, accessKeyId)))?.value;
}

export function isExpired(record: StsSessionRecord, nowMs: number): boolean {
  return nowMs >= Date.parse(record.expiresAt);
}

/** The principal a request signed with the session's key acts as. */
export function sessionPrincipal(record: StsSessionRecord, accountId: string): Principal {
  const session: PrincipalSession = {
    token: record.sessionToken,
    issuedAt: new Date(record.issuedAt),
    expiresAt: new Date(record.expiresAt),
    kind: record.kind,
  };
  if (record.mfaAuthenticatedAt) session.mfaAuthenticatedAt = new Date(record.mfaAuthenticatedAt);
  if (record.roleArn !== undefined) session.roleArn = record.roleArn;
  if (record.sourceUserArn !== undefined) session.sourceUserArn = record.sourceUserArn;
  if (record.policies !== undefined) session.policies = record.policies;
  if (record.tags !== undefined) session.tags = record.tags;
  if (record.transitiveTagKeys !== undefined) session.transitiveTagKeys = record.transitiveTagKeys;
  if (record.sourceIdentity !== undefined) session.sourceIdentity = record.sourceIdentity;
  return { ...record.principal, accountId, accessKeyId: record.accessKeyId, session };
}

/**
 * IAM answers GetSessionToken sessions without MFA, and GetFederationToken sessions, as if the
 * token were invalid ("You cannot call any IAM API operations unless MFA authentication
 * information is included in the request"; federated users cannot call IAM at all).
 */
export function refusedByService(record: StsSessionRecord, service: string): boolean {
  if (service !== 'iam') return false;
  if (record.kind === 'federation') return true;
  return record.kind === 'session-token' && record.mfaAuthenticatedAt === undefined;
}

/** Resolves temporary (ASIA…) keys for SigV4. */
export function stsCredentialResolver(store: Store, accountId: string, clock: Clock, secrets: SecretBox): CredentialResolver {
  return {
    async resolve(accessKeyId: string, sessionToken: string | undefined, scope?: CredentialScopeInfo): Promise<ResolvedCredential | undefined> {
      if (!accessKeyId.startsWith('ASIA')) return undefined;
      const stored = await getSession(store, accountId, accessKeyId);
      if (!stored) return undefined;
      const record = openSession(stored, secrets);
      // A wrong or missing token is the SigV4 layer's invalid-token; only the right token can be "expired".
      if (sessionToken === record.sessionToken) {
        if (isExpired(record, clock.nowMs())) throw new AuthFailure('expired-token', { accessKeyId, securityToken: sessionToken });
        if (scope && refusedByService(record, scope.service)) throw new AuthFailure('invalid-token', { accessKeyId, securityToken: sessionToken });
      }
      return { secretAccessKey: record.secretAccessKey, principal: sessionPrincipal(record, accountId), sessionToken: record.sessionToken };
    },
  };
}
