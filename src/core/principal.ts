/**
 * Who made a request, as the rest of the pipeline sees it once SigV4 has verified the signature.
 * IAM (users' keys) and STS (session credentials) add their own kinds of principal through a
 * CredentialResolver; the core only knows the account's root.
 */

export type PrincipalType = 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous';

export interface Principal {
  type: PrincipalType;
  accountId: string;
  /** arn:aws:iam::123456789012:root, …:user/path/name, arn:aws:sts::…:assumed-role/role/session */
  arn: string;
  /** GetCallerIdentity's UserId: the account id for root, AIDA… for users, AROA…:session for roles. */
  userId: string;
  /** The user, role or federated user's name ('' for root and anonymous). */
  name: string;
  accessKeyId?: string;
  /** Present for temporary credentials (STS). */
  session?: PrincipalSession;
}

export interface PrincipalSession {
  token: string;
  issuedAt: Date;
  expiresAt: Date;
  /** Set when the session was created with an MFA code (aws:MultiFactorAuthPresent / Age). */
  mfaAuthenticatedAt?: Date;
  /** assumed-role sessions: the role's ARN (with path); aws:PrincipalArn is this ARN. */
  roleArn?: string;
  /** federated-user sessions: the IAM user who called GetFederationToken. */
  sourceUserArn?: string;
  /**
   * Session policies (AssumeRole Policy/PolicyArns, GetFederationToken), as JSON documents.
   * Undefined: the session is not limited by session policies. Empty: limited to nothing.
   */
  policies?: string[];
  /** Session tags (aws:PrincipalTag/<key>), and the keys that pass on through role chaining. */
  tags?: Record<string, string>;
  transitiveTagKeys?: string[];
  sourceIdentity?: string;
  /** GetSessionToken sessions act with the calling user's own permissions. */
  kind: 'assumed-role' | 'session-token' | 'federation';
}

export interface ResolvedCredential {
  secretAccessKey: string;
  principal: Principal;
  /** For temporary credentials: the X-Amz-Security-Token that must accompany the key. */
  sessionToken?: string;
}

/**
 * Finds the secret and principal behind an access key id. Returns undefined for keys it does not
 * know. Throws an AwsError for known keys that cannot be used (inactive, expired, …).
 */
export interface CredentialResolver {
  /**
   * `scope` is the credential scope the request was signed for: STS sessions from GetSessionToken
   * (without MFA) and GetFederationToken are refused by IAM at this point, as AWS refuses them.
   */
  resolve(accessKeyId: string, sessionToken: string | undefined, scope?: CredentialScopeInfo): Promise<ResolvedCredential | undefined>;
}

/** The service and region of the request's SigV4 credential scope. */
export interface CredentialScopeInfo {
  service: string;
  region: string;
}

export function anonymousPrincipal(accountId: string): Principal {
  return { type: 'anonymous', accountId, arn: '*', userId: 'anonymous', name: '' };
}
