/**
 * Per-owner numbered migrations, recorded in the bonsai_migrations ledger. Each pending migration
 * runs in its own 'migration' transaction together with its ledger row, and re-checks the ledger
 * inside it, so concurrent Bonsai processes on one PostgreSQL database apply it exactly once.
 */
import { StoreUnavailableError } from './errors.ts';
import type { Driver } from './driver.ts';
import type { DialectName, Migration } from './types.ts';

export const MIGRATIONS_TABLE = 'bonsai_migrations';

export async function applyMigrations(driver: Driver, owner: string, migrations: Migration[], now: () => Date): Promise<void> {
  const ordered = checkMigrations(owner, migrations);
  const applied = await appliedMigrations(driver, owner);
  for (const migration of ordered) {
    if (isRecorded(owner, migration, applied.get(migration.id))) continue;
    await driver.transaction(async (ex) => {
      // Another process may have applied it since we looked.
      const rows = await ex.query(`SELECT name FROM ${MIGRATIONS_TABLE} WHERE owner = $1 AND id = $2`, [owner, migration.id]);
      if (isRecorded(owner, migration, rows[0]?.name as string | undefined)) return;
      try {
        await ex.exec(scriptFor(migration, driver.dialect.name));
      } catch (err) {
        if (err instanceof StoreUnavailableError) throw err;
        throw new Error(`Migration ${owner}#${migration.id} (${migration.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      await ex.query(`INSERT INTO ${MIGRATIONS_TABLE} (owner, id, name, applied_at) VALUES ($1, $2, $3, $4)`, [
        owner,
        migration.id,
        migration.name,
        now().getTime(),
      ]);
    }, 'migration');
  }
}

/** Creates the ledger if missing. Run once per store before anything else. */
export async function ensureMigrationsTable(driver: Driver): Promise<void> {
  await driver.transaction((ex) => ex.exec(driver.dialect.createMigrationsTable), 'migration');
}

async function appliedMigrations(driver: Driver, owner: string): Promise<Map<number, string>> {
  const rows = await driver.autocommit((ex) => ex.query(`SELECT id, name FROM ${MIGRATIONS_TABLE} WHERE owner = $1`, [owner]));
  return new Map(rows.map((row) => [Number(row.id), String(row.name)]));
}

/**
 * True if the ledger already holds this migration. A different name under the same id almost
 * always means two migrations were given one number: refuse rather than silently skip one.
 */
function isRecorded(owner: string, migration: Migration, recordedName: string | undefined): boolean {
  if (recordedName === undefined) return false;
  if (recordedName !== migration.name) {
    throw new Error(`Migration ${owner}#${migration.id} was applied as '${recordedName}' but is now named '${migration.name}'`);
  }
  return true;
}

function checkMigrations(owner: string, migrations: Migration[]): Migration[] {
  if (typeof owner !== 'string' || owner === '') throw new TypeError('migrate: owner must be a non-empty string');
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.id) || m.id < 1) throw new RangeError(`Migration ${owner}#${m.id}: id must be a positive integer`);
    if (seen.has(m.id)) throw new RangeError(`Migration ${owner}#${m.id}: id is used twice`);
    if (typeof m.name !== 'string' || m.name === '') throw new TypeError(`Migration ${owner}#${m.id}: name must be a non-empty string`);
    seen.add(m.id);
  }
  return [...migrations].sort((a, b) => a.id - b.id);
}

function scriptFor(migration: Migration, dialect: DialectName): string {
  return typeof migration.sql === 'string' ? migration.sql : migration.sql[dialect];
}
