/**
 * Remembers resolved credentials so a signed request does not read the store to find its key.
 *
 * Entries are dropped on every IAM write in this process (a deactivated or deleted key stops
 * working at once) and after `ttlMs` otherwise, which bounds how stale another process's view can
 * be when several Bonsai processes share one PostgreSQL store (AWS documents IAM changes as
 * eventually consistent too). Temporary credentials are never served past their expiry: the
 * entry ends then and the resolver answers ExpiredToken. Only successes are cached.
 */
import type { Clock } from '../core/clock.ts';
import type { CredentialResolver, ResolvedCredential } from '../core/principal.ts';

export interface CredentialCacheOptions {
  clock: Clock;
  ttlMs: number;
  /** Registers a listener for writes that may change credentials; returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  maxEntries?: number;
}

export interface CachedResolver extends CredentialResolver {
  close(): void;
}

interface Entry {
  credential: ResolvedCredential;
  /** The credential as the settled promise a hit returns: one per entry, not one per request. */
  resolved: Promise<ResolvedCredential>;
  validUntilMs: number;
}

export function cachedResolver(inner: CredentialResolver, options: CredentialCacheOptions): CachedResolver {
  const entries = new Map<string, Entry>();
  const maxEntries = options.maxEntries ?? 10_000;
  const unsubscribe = options.subscribe(() => entries.clear());

  async function resolveAndRemember(key: string, now: number, ...args: Parameters<CredentialResolver['resolve']>): Promise<ResolvedCredential | undefined> {
    const credential = await inner.resolve(...args);
    if (credential) {
      if (entries.size >= maxEntries) entries.clear();
      const expiresMs = credential.principal.session?.expiresAt.getTime() ?? Infinity;
      entries.set(key, { credential, resolved: Promise.resolve(credential), validUntilMs: Math.min(now + options.ttlMs, expiresMs) });
    }
    return credential;
  }

  return {
    // Not async: a hit (nearly every signed request) hands back the entry's settled promise.
    resolve(accessKeyId, sessionToken, scope) {
      const now = options.clock.nowMs();
      // Keyed by service too: some sessions are refused by some services (IAM without MFA).
      const key = scope ? `${accessKeyId} ${scope.service}` : accessKeyId;
      const hit = entries.get(key);
      if (hit && now < hit.validUntilMs && hit.credential.sessionToken === sessionToken) return hit.resolved;
      return resolveAndRemember(key, now, accessKeyId, sessionToken, scope);
    },
    close: unsubscribe,
  };
}
