/**
 * Time to Live: UpdateTimeToLive / DescribeTimeToLive, and the sweeper that deletes expired items.
 *
 * A table's TTL setting is a row of `dynamodb_ttl` (this file's migration) tied to the table's
 * TableId, so a table deleted and created again under the same name starts without TTL.
 *
 * The sweeper runs once a second of wall time (an unref'd timer) for each store it has seen a
 * request for, and can be run on demand (`sweepExpiredItems`). "TTL compares the current time in
 * epoch time format to the time stored in the TTL attribute of an item. If the epoch time value
 * stored in the attribute is less than the current time, the item is marked as expired and
 * subsequently deleted": the current time is Bonsai's clock, so tests move the clock instead of
 * waiting. Only top-level Number attributes count; items whose value is more than five years in
 * the past are left alone, as the Developer Guide says DynamoDB does. Each deletion is its own
 * store transaction that re-reads the item first (a writer may have extended it), and appears in
 * the table's stream as a service deletion.
 */
import type { RequestContext } from '../../core/context.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { DocOps, Migration, Store } from '../../store/types.ts';
import { StoreUnavailableError } from '../../store/index.ts';
import { baseStore } from '../../store/read-memo.ts';
import type { DescribeTimeToLiveInput, TimeToLiveDescription, UpdateTimeToLiveInput } from '../../generated/dynamodb/types.ts';
import type { AttributeMap } from './attributes.ts';
import { namedTableNotFound, validation } from './errors.ts';
import { readItem, readTable, removeItem, type StoredItem } from './item-store.ts';
import { findTable, locationOf, type TableRecord } from './tables.ts';
import { recordItemChange } from './streams/store.ts';

export const TTL_TABLE = 'dynamodb_ttl';

function createTtlTable(text: string, bigint: string): string {
  return `CREATE TABLE ${TTL_TABLE} (
  account TEXT NOT NULL,
  region TEXT NOT NULL,
  table_name ${text} NOT NULL,
  table_id TEXT NOT NULL,
  attribute_name TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  updated_ms ${bigint} NOT NULL,
  PRIMARY KEY (account, region, table_name)
)`;
}

export const ttlMigrations: Migration[] = [
  { id: 21, name: 'dynamodb time to live', sql: { sqlite: createTtlTable('TEXT', 'INTEGER'), postgres: createTtlTable('TEXT COLLATE "C"', 'BIGINT') } },
];

interface TtlRow {
  account: string;
  region: string;
  table_name: string;
  table_id: string;
  attribute_name: string;
  enabled: number | string;
}

const FIVE_YEARS_MS = 5 * 365 * 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 1000;
const SWEEP_PAGE = 500;

type Where = Pick<RequestContext, 'accountId' | 'region'>;

async function ttlRow(db: DocOps, ctx: Where, table: TableRecord): Promise<TtlRow | undefined> {
  const rows = await db.sql<TtlRow>(`SELECT * FROM ${TTL_TABLE} WHERE account = $1 AND region = $2 AND table_name = $3`, [ctx.accountId, ctx.region, table.TableName]);
  const row = rows[0];
  return row && row.table_id === table.TableId ? row : undefined;
}

async function requireTable(db: DocOps, ctx: Where, name: string): Promise<TableRecord> {
  const table = await findTable(db, ctx, name);
  if (!table) throw namedTableNotFound(name);
  return table;
}

export async function updateTimeToLive(ctx: RequestContext, input: UpdateTimeToLiveInput) {
  ensureTtlSweeper(ctx.store, ctx.clock, ctx.log);
  const spec = input.TimeToLiveSpecification;
  await ctx.store.transaction(async (tx) => {
    const table = await requireTable(tx, ctx, input.TableName);
    const current = await ttlRow(tx, ctx, table);
    const active = current !== undefined && Number(current.enabled) === 1;
    if (active && current.attribute_name !== spec.AttributeName) {
      throw validation(`TimeToLive is active on a different AttributeName: current AttributeName is ${current.attribute_name}`);
    }
    if (active && spec.Enabled) throw validation('TimeToLive is already enabled');
    if (!active && !spec.Enabled) throw validation('TimeToLive is already disabled');
    await tx.sql(
      `INSERT INTO ${TTL_TABLE} (account, region, table_name, table_id, attribute_name, enabled, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account, region, table_name) DO UPDATE SET table_id = excluded.table_id, attribute_name = excluded.attribute_name,
         enabled = excluded.enabled, updated_ms = excluded.updated_ms`,
      [ctx.accountId, ctx.region, table.TableName, table.TableId, spec.AttributeName, spec.Enabled ? 1 : 0, ctx.clock.nowMs()],
    );
  });
  return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
}

export async function describeTimeToLive(ctx: RequestContext, input: DescribeTimeToLiveInput) {
  ensureTtlSweeper(ctx.store, ctx.clock, ctx.log);
  const table = await requireTable(ctx.store, ctx, input.TableName);
  const row = await ttlRow(ctx.store, ctx, table);
  const description: TimeToLiveDescription =
    row && Number(row.enabled) === 1 ? { TimeToLiveStatus: 'ENABLED', AttributeName: row.attribute_name } : { TimeToLiveStatus: 'DISABLED' };
  return { TimeToLiveDescription: description };
}

// ---------------------------------------------------------------------------------------------
// Expiry

/** Whether an item's TTL attribute says it has expired at `nowMs`. */
export function isExpired(item: AttributeMap, attributeName: string, nowMs: number): boolean {
  const value = item[attributeName];
  if (value?.N === undefined) return false;
  const seconds = Number(value.N);
  if (!Number.isFinite(seconds)) return false;
  const expiresMs = seconds * 1000;
  return expiresMs < nowMs && nowMs - expiresMs <= FIVE_YEARS_MS;
}

async function expiredItems(store: Store, where: Where, table: TableRecord, attributeName: string, nowMs: number): Promise<StoredItem[]> {
  const loc = locationOf(where, table.TableName);
  const expired: StoredItem[] = [];
  let after: StoredItem['key'] | undefined;
  for (;;) {
    const page = await readTable(store, loc, after, SWEEP_PAGE);
    for (const stored of page) if (isExpired(stored.item, attributeName, nowMs)) expired.push(stored);
    if (page.length < SWEEP_PAGE) return expired;
    after = page[page.length - 1]!.key;
  }
}

/** Deletes one item if it is still expired; true if it was deleted. */
async function deleteIfExpired(store: Store, clock: Clock, where: Where, table: TableRecord, attributeName: string, key: StoredItem['key']): Promise<boolean> {
  const loc = locationOf(where, table.TableName);
  return store.transaction(async (tx) => {
    const stored = await readItem(tx, loc, key);
    if (!stored || !isExpired(stored.item, attributeName, clock.nowMs())) return false;
    await removeItem(tx, loc, key);
    await recordItemChange(tx, { ...where, clock }, table, stored.item, undefined, 'ttl');
    return true;
  });
}

/**
 * One pass over every table with TTL enabled, in every account and region of the store.
 * Returns how many items it deleted.
 */
export async function sweepExpiredItems(store: Store, clock: Clock): Promise<number> {
  const rows = await store.sql<TtlRow>(`SELECT * FROM ${TTL_TABLE} WHERE enabled = 1 ORDER BY account, region, table_name`);
  let deleted = 0;
  for (const row of rows) {
    const where: Where = { accountId: row.account, region: row.region };
    const table = await findTable(store, where, row.table_name);
    if (!table || table.TableId !== row.table_id) continue;
    for (const stored of await expiredItems(store, where, table, row.attribute_name, clock.nowMs())) {
      if (await deleteIfExpired(store, clock, where, table, row.attribute_name, stored.key)) deleted++;
    }
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// The background sweeper: one per store, started by the first DynamoDB request that reaches it.

interface Sweeper {
  timer: NodeJS.Timeout;
  running: boolean;
}

const sweepers = new WeakMap<Store, Sweeper>();

export function ensureTtlSweeper(requestStore: Store, clock: Clock, log?: Pick<Logger, 'warn'>): void {
  // Keyed by the store itself, not the request's view of it: one sweeper per store, not per request.
  const store = baseStore(requestStore);
  if (sweepers.has(store)) return;
  const sweeper: Sweeper = {
    running: false,
    timer: setInterval(() => {
      if (sweeper.running) return;
      sweeper.running = true;
      sweepExpiredItems(store, clock)
        .catch((err: unknown) => {
          // A closed store ends the sweeper; anything else is retried on the next tick.
          if (err instanceof StoreUnavailableError) stopTtlSweeper(store);
          else log?.warn({ err }, 'DynamoDB TTL sweep failed; retrying in a second');
        })
        .finally(() => {
          sweeper.running = false;
        });
    }, SWEEP_INTERVAL_MS),
  };
  sweeper.timer.unref();
  sweepers.set(store, sweeper);
}

export function stopTtlSweeper(store: Store): void {
  const sweeper = sweepers.get(baseStore(store));
  if (sweeper) clearInterval(sweeper.timer);
}

/** Wraps every handler so that the first DynamoDB request to a store starts its TTL sweeper. */
export function withTtlSweeper<H extends Record<string, ((input: never, ctx: RequestContext) => unknown) | undefined>>(handlers: H): H {
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    if (!handler) continue;
    wrapped[name] = (input: never, ctx: RequestContext) => {
      ensureTtlSweeper(ctx.store, ctx.clock, ctx.log);
      return handler(input, ctx);
    };
  }
  return wrapped as H;
}
