/**
 * How much synchronous=FULL costs over NORMAL for single-document puts (each its own commit).
 * Not a test; run by hand:  node --import tsx test/unit/store/sync-cost.bench.ts [dir] [count]
 * `dir` should be on the disk Bonsai's data directory will use (tmpfs makes fsync free).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/index.ts';

const base = process.argv[2] ?? tmpdir();
const count = Number(process.argv[3] ?? 2000);

async function measure(synchronous: 'full' | 'normal'): Promise<{ perPutUs: number; putsPerSecond: number }> {
  const dir = mkdtempSync(join(base, `bonsai-sync-${synchronous}-`));
  try {
    const store = await openStore({ kind: 'sqlite', file: join(dir, 'bench.db'), synchronous });
    const value = { name: 'bench', arn: 'arn:aws:iam::000000000000:user/bench', tags: [{ Key: 'k', Value: 'v' }] };
    for (let i = 0; i < 100; i++) await store.put({ kind: 'warm', account: 'a', region: 'r', id: String(i) }, value);
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await store.put({ kind: 'bench', account: 'a', region: 'r', id: String(i) }, value);
    const elapsedUs = Number(process.hrtime.bigint() - started) / 1000;
    await store.close();
    return { perPutUs: Math.round(elapsedUs / count), putsPerSecond: Math.round((count * 1e6) / elapsedUs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const mode of ['normal', 'full', 'normal', 'full'] as const) {
  console.log(mode.padEnd(6), JSON.stringify(await measure(mode)));
}
