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
  /** Present for temporary credentials. */
  session?: {
    token: string;
    expiresAt: Date;
    mfaAuthenticated?: boolean;
    mfaAuthenticatedAt?: Date;
    [extra: string]: unknown;
  };
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
  resolve(accessKeyId: string, sessionToken: string | undefined): Promise<ResolvedCredential | undefined>;
}

export function anonymousPrincipal(accountId: string): Principal {
  return { type: 'anonymous', accountId, arn: '*', userId: 'anonymous', name: '' };
}
