/**
 * The background lifecycle sweeper: one per store, started by the first S3 request that reaches
 * it (withLifecycleSweeper wraps every S3 handler), ticking on an unref'd timer of wall time
 * (250 ms by default; BONSAI_S3_LIFECYCLE_INTERVAL_MS tunes it) and stopped when the store closes.
 * Each tick runs sweepLifecycle against Bonsai's clock, so `bonsai clock advance 30d` (or POST
 * /_bonsai/clock) is all it takes to see a 30-day transition happen.
 *
 * Before the first request is served, the start also removes blobs a crash left behind
 * (written, never committed): collectOrphanBlobs, told about the blobs of multipart parts in
 * progress. Every S3 request waits for that to finish, so no blob being written now can be taken
 * for an orphan.
 */
import type { RequestContext } from '../../../core/context.ts';
import { StoreUnavailableError } from '../../../store/index.ts';
import type { Store } from '../../../store/types.ts';
import { baseStore } from '../../../store/read-memo.ts';
import { blobStoreFor } from '../blobs/index.ts';
import { multipartBlobIds } from '../multipart/abort.ts';
import { collectOrphanBlobs } from '../objects/versions.ts';
import { sweepLifecycle, type SweepDeps, type SweepMemo } from './sweep.ts';

export const DEFAULT_SWEEP_INTERVAL_MS = 250;
export const SWEEP_INTERVAL_ENV = 'BONSAI_S3_LIFECYCLE_INTERVAL_MS';

/** The tick, from the environment when it holds a positive number of milliseconds. */
export function sweepIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env[SWEEP_INTERVAL_ENV]);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_SWEEP_INTERVAL_MS;
}

interface Sweeper {
  timer?: NodeJS.Timeout;
  running: boolean;
  /** Settles once orphan blobs are collected; requests wait for it. */
  ready: Promise<void>;
  isReady: boolean;
  memo: SweepMemo;
}

const sweepers = new WeakMap<Store, Sweeper>();

/** Removes blobs no object version or multipart part refers to. Returns how many went. */
export async function collectCrashLeftovers(store: Store, dataDir: string): Promise<number> {
  return collectOrphanBlobs(store, blobStoreFor(dataDir), await multipartBlobIds(store));
}

function tick(deps: SweepDeps, sweeper: Sweeper): void {
  if (sweeper.running) return;
  sweeper.running = true;
  sweepLifecycle(deps, sweeper.memo)
    .catch((err: unknown) => {
      // A closed store ends the sweeper; anything else is retried on the next tick.
      if (err instanceof StoreUnavailableError) stopLifecycleSweeper(deps.store);
      else deps.log.warn({ err }, 'S3 lifecycle sweep failed; retrying');
    })
    .finally(() => {
      sweeper.running = false;
    });
}

/**
 * Starts the store's sweeper if it has none (collecting crash leftovers first) and returns the
 * promise every request waits on before it runs.
 */
export function ensureLifecycleSweeper(deps: SweepDeps): Promise<void> {
  const existing = sweepers.get(deps.store);
  if (existing) return existing.ready;
  const sweeper: Sweeper = { running: false, isReady: false, memo: new Map(), ready: Promise.resolve() };
  sweeper.ready = collectCrashLeftovers(deps.store, deps.dataDir)
    .then((removed) => {
      if (removed > 0) deps.log.info({ removed }, 'removed S3 blobs left behind by an interrupted write');
    })
    .catch((err: unknown) => deps.log.warn({ err }, 'could not collect orphan S3 blobs'))
    .finally(() => {
      sweeper.isReady = true;
      if (sweepers.get(deps.store) !== sweeper) return; // stopped meanwhile
      sweeper.timer = setInterval(() => tick(deps, sweeper), sweepIntervalMs());
      sweeper.timer.unref();
    });
  sweepers.set(deps.store, sweeper);
  return sweeper.ready;
}

export function stopLifecycleSweeper(store: Store): void {
  const sweeper = sweepers.get(store);
  if (!sweeper?.timer) return;
  clearInterval(sweeper.timer);
  sweeper.timer = undefined;
}

type Handler = (input: never, ctx: RequestContext) => unknown;

/**
 * Wraps every S3 handler so that the first request to a store starts its sweeper, and no request
 * runs while crash leftovers are being collected. Apply it to the merged handlers in
 * src/services/s3/index.ts: `handlers: withLifecycleSweeper(merged.handlers)`.
 */
export function withLifecycleSweeper<H extends Record<string, Handler | undefined>>(handlers: H): H {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    wrapped[name] = (input: never, ctx: RequestContext) => {
      // Keyed by the long-lived store: ctx.store is a new per-request view each time, and a
      // sweeper per view would collect "orphans" (parts being written now) on every request.
      const store = baseStore(ctx.store);
      const sweeper = sweepers.get(store);
      if (sweeper?.isReady) return handler(input, ctx);
      return ensureLifecycleSweeper({ store, clock: ctx.clock, dataDir: ctx.dataDir, log: ctx.log }).then(() => handler(input, ctx));
    };
  }
  return wrapped as H;
}
