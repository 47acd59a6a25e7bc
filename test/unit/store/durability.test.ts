/**
 * Every acknowledged write survives `kill -9` of the writer: a child writes documents and prints
 * an ack after each put resolves; we SIGKILL it at a random point, reopen the store and check that
 * every acknowledged document is there with its exact value, and that the database is intact.
 *
 * What this does not prove: survival of a power loss. A killed process loses nothing the kernel
 * already has, so SQLite's synchronous=FULL (fsync of the WAL on every commit) is not exercised.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openStore, StoreUnavailableError, type Store, type StoreSpec } from '../../../src/store/index.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../helpers/postgres.ts';
import { durableKey, durableValue } from './durability-child.ts';

const childScript = join(dirname(fileURLToPath(import.meta.url)), 'durability-child.ts');

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * Runs the child from document `start` on, SIGKILLs it once it has acknowledged `killAfter`
 * writes, and returns the highest acknowledged index (start - 1 if none).
 */
async function writeUntilKilled(kind: 'sqlite' | 'postgres', target: string, start: number, killAfter: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, kind, target, String(start)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.split('\n').length - 1 >= killAfter) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  assert.equal(signal, 'SIGKILL', `the child should have been killed, but exited with ${code}: ${stderr}`);
  // Only whole lines count: a line cut short by the kill was never a complete acknowledgement.
  const acks = stdout.split('\n').slice(0, -1);
  acks.forEach((line, n) => assert.equal(line, `ack ${start + n}`));
  return start + acks.length - 1;
}

/**
 * Every document up to `lastAck` holds its exact value. Past it there is at most the one write
 * that was in flight when the kill came, which may or may not have committed, but never torn.
 */
async function assertAcknowledgedWritesSurvived(store: Store, lastAck: number): Promise<number> {
  const docs = await store.list<ReturnType<typeof durableValue>>({ kind: 'durable', account: '000000000001', region: 'us-east-1' });
  assert.ok(docs.length === lastAck + 1 || docs.length === lastAck + 2, `found ${docs.length} documents after ${lastAck + 1} acks`);
  docs.forEach((doc, i) => {
    assert.deepEqual(doc.key, durableKey(i));
    assert.deepEqual(doc.value, durableValue(i));
    assert.equal(doc.version, 1);
  });
  return docs.length;
}

function randomKillPoint(t: TestContext): number {
  const killAfter = 20 + Math.floor(Math.random() * 180);
  t.diagnostic(`SIGKILL after ${killAfter} acknowledgements`);
  return killAfter;
}

test('SQLite: every acknowledged put survives kill -9 of the writer, twice in a row', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-durability-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const spec: StoreSpec = { kind: 'sqlite', file: join(dir, 'bonsai.db') };
  let next = 0;
  // The second round starts from a database whose WAL was left behind by a killed process.
  for (let round = 0; round < 2; round++) {
    const lastAck = await writeUntilKilled('sqlite', spec.file, next, randomKillPoint(t));
    const store = await openStore(spec);
    try {
      assert.deepEqual(await store.sql('PRAGMA integrity_check'), [{ integrity_check: 'ok' }]);
      next = await assertAcknowledgedWritesSurvived(store, lastAck);
    } finally {
      await store.close();
    }
  }
});

test('PostgreSQL: acknowledged puts survive kill -9 of the writer and a server crash', async (t) => {
  const server: ThrowawayPostgres = await startThrowawayPostgres();
  cleanups.push(() => server.stop());
  const lastAck = await writeUntilKilled('postgres', server.url, 0, randomKillPoint(t));
  const store = await openStore({ kind: 'postgres', url: server.url });
  try {
    await server.crash();
    await assert.rejects(store.get(durableKey(0)), StoreUnavailableError);
    await server.start();
    // The pool replaces its dead connections by itself.
    await assertAcknowledgedWritesSurvived(store, lastAck);
  } finally {
    await store.close();
  }
});
