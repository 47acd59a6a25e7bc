// The resolved-credential cache in front of IAM users' keys and STS sessions: hits without a
// store read, dropped on any IAM write and after its time-to-live, never past a session's expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedResolver } from '../../../src/auth/credential-cache.ts';
import type { Clock } from '../../../src/core/clock.ts';
import type { CredentialResolver, Principal, ResolvedCredential } from '../../../src/core/principal.ts';
import { AuthFailure } from '../../../src/auth/sigv4/types.ts';

const ACCOUNT = '123456789012';
const ALICE: Principal = { type: 'user', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/alice`, userId: 'AIDAALICE', name: 'alice', accessKeyId: 'AKIAALICE' };

/** A clock that moves only when told to (Bonsai's own clock also follows the wall clock). */
function createClock(): Clock {
  let ms = Date.parse('2026-11-22T12:00:00Z');
  return {
    now: () => new Date(ms),
    nowMs: () => ms,
    offsetMs: () => 0,
    advance(by) {
      ms += by;
    },
    setOffset() {},
  };
}

/** An inner resolver over a mutable table, counting its calls (each stands for a store read). */
function source(table: Map<string, ResolvedCredential | Error>) {
  let calls = 0;
  const resolver: CredentialResolver = {
    async resolve(accessKeyId) {
      calls++;
      const found = table.get(accessKeyId);
      if (found instanceof Error) throw found;
      return found;
    },
  };
  return { resolver, calls: () => calls };
}

function setup(table: Map<string, ResolvedCredential | Error>, ttlMs = 5_000) {
  const clock = createClock();
  const listeners = new Set<() => void>();
  const inner = source(table);
  const cache = cachedResolver(inner.resolver, {
    clock,
    ttlMs,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  return { cache, clock, calls: inner.calls, iamWrite: () => listeners.forEach((l) => l()), listeners };
}

const SCOPE = { service: 'iam', region: 'us-east-1' };

test('a known key is read once, then served from the cache (the same credential)', async () => {
  const alice: ResolvedCredential = { secretAccessKey: 'secret-1', principal: ALICE };
  const t = setup(new Map([['AKIAALICE', alice]]));
  const first = await t.cache.resolve('AKIAALICE', undefined, SCOPE);
  const second = await t.cache.resolve('AKIAALICE', undefined, SCOPE);
  assert.equal(first, alice);
  assert.equal(second, alice);
  assert.equal(t.calls(), 1);
  // Keyed by service: another service asks the resolver again (some sessions are refused by some services).
  assert.equal(await t.cache.resolve('AKIAALICE', undefined, { service: 'sts', region: 'us-east-1' }), alice);
  assert.equal(t.calls(), 2);
});

test('an IAM write drops every entry: a deleted or deactivated key stops working at once', async () => {
  const table = new Map<string, ResolvedCredential | Error>([['AKIAALICE', { secretAccessKey: 'secret-1', principal: ALICE }]]);
  const t = setup(table);
  assert.equal((await t.cache.resolve('AKIAALICE', undefined, SCOPE))?.secretAccessKey, 'secret-1');
  table.set('AKIAALICE', new AuthFailure('unknown-key', { accessKeyId: 'AKIAALICE' }));
  assert.equal((await t.cache.resolve('AKIAALICE', undefined, SCOPE))?.secretAccessKey, 'secret-1', 'no write seen yet');
  t.iamWrite();
  await assert.rejects(t.cache.resolve('AKIAALICE', undefined, SCOPE), (err: unknown) => err instanceof AuthFailure && err.reason === 'unknown-key');
  table.delete('AKIAALICE');
  assert.equal(await t.cache.resolve('AKIAALICE', undefined, SCOPE), undefined);
  assert.equal(t.calls(), 3, 'failures and unknown keys are never cached');
});

test('entries end after the time-to-live (another process may have changed the key)', async () => {
  const table = new Map<string, ResolvedCredential | Error>([['AKIAALICE', { secretAccessKey: 'secret-1', principal: ALICE }]]);
  const t = setup(table, 1_000);
  await t.cache.resolve('AKIAALICE', undefined, SCOPE);
  table.set('AKIAALICE', { secretAccessKey: 'secret-2', principal: ALICE });
  t.clock.advance(999);
  assert.equal((await t.cache.resolve('AKIAALICE', undefined, SCOPE))?.secretAccessKey, 'secret-1');
  t.clock.advance(1);
  assert.equal((await t.cache.resolve('AKIAALICE', undefined, SCOPE))?.secretAccessKey, 'secret-2');
  assert.equal(t.calls(), 2);
});

test('session credentials are never served past their expiry, nor with another session token', async () => {
  const clock = createClock();
  const expiresAt = new Date(clock.nowMs() + 200);
  const session: ResolvedCredential = {
    secretAccessKey: 'session-secret',
    sessionToken: 'token-1',
    principal: {
      type: 'assumed-role',
      accountId: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`,
      userId: 'AROAAPP:s',
      name: 's',
      session: { roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, issuedAt: clock.now(), expiresAt } as Principal['session'],
    },
  };
  const expired = new AuthFailure('expired-token', { accessKeyId: 'ASIASESSION' });
  const table = new Map<string, ResolvedCredential | Error>([['ASIASESSION', session]]);
  const listeners = new Set<() => void>();
  const inner = source(table);
  const cache = cachedResolver(inner.resolver, { clock, ttlMs: 5_000, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) });
  assert.equal(await cache.resolve('ASIASESSION', 'token-1', SCOPE), session);
  assert.equal(await cache.resolve('ASIASESSION', 'token-1', SCOPE), session);
  assert.equal(inner.calls(), 1);
  // A different token for the same key id goes to the resolver (which judges it).
  assert.equal(await cache.resolve('ASIASESSION', 'token-2', SCOPE), session);
  assert.equal(inner.calls(), 2);
  clock.advance(199);
  assert.equal(await cache.resolve('ASIASESSION', 'token-1', SCOPE), session);
  assert.equal(inner.calls(), 2);
  table.set('ASIASESSION', expired);
  clock.advance(1);
  await assert.rejects(cache.resolve('ASIASESSION', 'token-1', SCOPE), (err: unknown) => err === expired);
  assert.equal(inner.calls(), 3, 'at the expiry instant the entry is over, well before the 5 s time-to-live');
});

test('close() stops listening for IAM writes; the cache stays bounded', async () => {
  const table = new Map<string, ResolvedCredential | Error>();
  for (let i = 0; i < 5; i++) table.set(`AKIA${i}`, { secretAccessKey: `s${i}`, principal: { ...ALICE, accessKeyId: `AKIA${i}` } });
  const clock = createClock();
  const listeners = new Set<() => void>();
  const inner = source(table);
  const cache = cachedResolver(inner.resolver, { clock, ttlMs: 5_000, maxEntries: 3, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) });
  assert.equal(listeners.size, 1);
  for (let i = 0; i < 3; i++) await cache.resolve(`AKIA${i}`, undefined, SCOPE);
  for (let i = 0; i < 3; i++) await cache.resolve(`AKIA${i}`, undefined, SCOPE);
  assert.equal(inner.calls(), 3);
  await cache.resolve('AKIA3', undefined, SCOPE); // full: starts over, keeping only the newcomer
  await cache.resolve('AKIA3', undefined, SCOPE);
  await cache.resolve('AKIA0', undefined, SCOPE);
  assert.equal(inner.calls(), 5);
  cache.close();
  assert.equal(listeners.size, 0);
});
