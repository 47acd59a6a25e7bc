/**
 * Child-process helpers for the benchmarks: CPU time and resident memory from /proc (Linux), start
 * lines, the servers every service bench starts (Bonsai's bundle, moto) and their load clients' results.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU seconds consumed so far by a process (not its children). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); utime is field 14, stime field 15 → indices 11, 12.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Resolves with the first capture group of `pattern` once the child prints it (20 s at most). */
export function readLine(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start line within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
}

/** A server a benchmark measures, in its own process on loopback. */
export interface BenchServer<Name extends string = string> {
  name: Name;
  child: ChildProcess;
  endpoint: string;
  /** Bonsai's data directory (removed by cleanup). */
  dataDir?: string;
  cleanup?: () => void;
}

/** The credentials Bonsai is started with as its root user. */
export interface BenchAccount {
  id: string;
  key: string;
  secret: string;
}

/** A port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Bonsai from the built bundle (`node scripts/build.mjs` first) on a fresh data directory, logging
 * warnings only; `env` adds variables, `nodeArgs` go before the bundle (--cpu-prof …).
 */
export async function startBonsaiBundle(options: {
  account: BenchAccount;
  dataDirPrefix: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
  bundle?: string;
}): Promise<BenchServer<'Bonsai'>> {
  const dataDir = mkdtempSync(join(tmpdir(), options.dataDirPrefix));
  const env = {
    ...process.env,
    BONSAI_ACCOUNT_ID: options.account.id,
    BONSAI_ROOT_ACCESS_KEY_ID: options.account.key,
    BONSAI_ROOT_SECRET_ACCESS_KEY: options.account.secret,
    BONSAI_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const bundle = options.bundle ?? join(ROOT, 'dist', 'bonsai.mjs');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bundle, 'start', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await readLine(child, /is running at (\S+)/);
  return { name: 'Bonsai', child, endpoint, dataDir, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** The moto server of the machine's Python (threaded Werkzeug, in memory), bound to loopback; its access log is discarded. */
export async function startMotoServer(): Promise<BenchServer<'moto'>> {
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'ignore'] });
  return { name: 'moto', child, endpoint: `http://127.0.0.1:${port}` };
}

/** Stops a server (SIGINT lets a Bonsai started with --cpu-prof write its profile) and removes its files. */
export async function stopServer(server: BenchServer, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode === null) {
    const exited = once(server.child, 'exit');
    server.child.kill(signal);
    await exited;
  }
  server.cleanup?.();
}

/**
 * Each load client's one JSON line of results, in order. A client that exits with an error fails
 * the run with its stderr (which otherwise holds only SDK v3's Node 20 support warning).
 */
export function clientResults<T>(label: string, clients: ChildProcess[]): Promise<T[]> {
  return Promise.all(
    clients.map(async (c) => {
      let out = '';
      let err = '';
      c.stdout!.on('data', (d: Buffer) => (out += d));
      c.stderr!.on('data', (d: Buffer) => (err += d));
      const [code] = await once(c, 'exit');
      if (code !== 0) throw new Error(`${label} client exited with ${code}:\n${err}`);
      return JSON.parse(out) as T;
    }),
  );
}

/** The value below which p % of the values lie (nearest rank); NaN when there are none. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
