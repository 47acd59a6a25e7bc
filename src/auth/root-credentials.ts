/** Resolves the account root's long-term access key, the one credential that exists from the start. */
import type { AccountFile } from '../core/data-dir.ts';
import type { CredentialResolver, Principal, ResolvedCredential } from '../core/principal.ts';

export function rootPrincipal(accountId: string, accessKeyId?: string): Principal {
  return { type: 'root', accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId, name: '', accessKeyId };
}

export function rootCredentialResolver(account: AccountFile): CredentialResolver {
  const credential: ResolvedCredential = {
    secretAccessKey: account.rootSecretAccessKey,
    principal: rootPrincipal(account.accountId, account.rootAccessKeyId),
  };
  return {
    async resolve(accessKeyId) {
      return accessKeyId === account.rootAccessKeyId ? credential : undefined;
    },
  };
}

/** Tries each resolver in turn (root first, then IAM users' keys, then STS sessions). */
export function chainResolvers(...resolvers: CredentialResolver[]): CredentialResolver {
  return {
    async resolve(accessKeyId, token, scope) {
      for (const r of resolvers) {
        const found = await r.resolve(accessKeyId, token, scope);
        if (found) return found;
      }
      return undefined;
    },
  };
}
