/**
 * Child process of durability.test.ts: opens a store and writes documents start, start+1, ... one
 * at a time, printing "ack <i>" only after each put has resolved. The parent kills it with SIGKILL.
 *
 *   node --import tsx durability-child.ts <sqlite|postgres> <file|url> <start>
 */
import { pathToFileURL } from 'node:url';
import { openStore, type DocKey } from '../../../src/store/index.ts';

export function durableKey(i: number): DocKey {
  return { kind: 'durable', account: '000000000001', region: 'us-east-1', id: String(i).padStart(8, '0') };
}

/** Values of varied sizes (up to a few pages) and non-ASCII text, so torn writes would show. */
export function durableValue(i: number): { i: number; text: string; blob: string } {
  return { i, text: `document ${i} ${'é✓盆'.repeat(i % 40)}`, blob: 'x'.repeat((i * 997) % 9000) };
}

async function main(): Promise<void> {
  const [kind, target, start] = process.argv.slice(2);
  const store =
    kind === 'sqlite' ? await openStore({ kind: 'sqlite', file: target! }) : await openStore({ kind: 'postgres', url: target! });
  for (let i = Number(start); ; i++) {
    await store.put(durableKey(i), durableValue(i));
    // Pipes are written synchronously on Linux: the line is out before the next put starts.
    process.stdout.write(`ack ${i}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
