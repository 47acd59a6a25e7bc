/**
 * A throw-away PostgreSQL server for tests: a fresh cluster in a temp dir, on a free loopback port,
 * trust auth, fsync off (speed; the data is thrown away). Never outlives the test process: stop()
 * removes it, an exit/signal hook stops what is left, and a watchdog shell stops it even when the
 * test process is killed with SIGKILL.
 *
 * initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server at once (pg_ctl stop -m immediate) and deletes its files. Idempotent. */
  stop(): Promise<void>;
  /**
   * Simulates a server crash: `pg_ctl stop -m immediate` (every server process quits at once,
   * without a checkpoint). The files stay; start() brings the server back.
   */
  crash(): Promise<void>;
  /** Starts a crashed server again on the same port; it replays its WAL first. */
  start(): Promise<void>;
}

interface Cluster {
  root: string;
  dataDir: string;
  port: number;
  stopped: boolean;
  watchdogPid: number | undefined;
}

const running = new Set<Cluster>();

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const owner = clusterOwner();
  const root = mkdtempSync(join(tmpdir(), 'bonsai-pg-'));
  if (owner) chownSync(root, owner.uid, owner.gid);
  const cluster: Cluster = { root, dataDir: join(root, 'data'), port: 0, stopped: false, watchdogPid: undefined };
  running.add(cluster);
  installExitHooks();
  try {
    await runAsOwner(owner, join(bin, 'initdb'), [
      '-D', cluster.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    await startServer(bin, owner, cluster);
    cluster.watchdogPid = startWatchdog(bin, owner, cluster);
  } catch (err) {
    stopClusterSync(bin, owner, cluster);
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${cluster.port}/postgres`,
    port: cluster.port,
    stop: async () => stopClusterSync(bin, owner, cluster),
    crash: () => runAsOwner(owner, join(bin, 'pg_ctl'), ['-D', cluster.dataDir, 'stop', '-m', 'immediate', '-w']),
    start: () => startServer(bin, owner, cluster, cluster.port),
  };
}

/** Starts the server on `port`, or on a free port (retrying if another process takes it first). */
async function startServer(bin: string, owner: Owner | undefined, cluster: Cluster, port?: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    cluster.port = port ?? (await freeLoopbackPort());
    const serverOptions = [
      '-c listen_addresses=127.0.0.1',
      `-c port=${cluster.port}`,
      `-c unix_socket_directories=${cluster.root}`,
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=60',
    ].join(' ');
    try {
      await runAsOwner(owner, join(bin, 'pg_ctl'), [
        '-D', cluster.dataDir, '-l', join(cluster.root, 'server.log'), '-w', '-t', '30', '-o', serverOptions, 'start',
      ]);
      return;
    } catch (err) {
      if (port !== undefined || attempt >= 3) throw err;
    }
  }
}

/** Stops the server if it runs and removes its files; synchronous so it also works in 'exit'. */
function stopClusterSync(bin: string, owner: Owner | undefined, cluster: Cluster): void {
  if (cluster.stopped) return;
  cluster.stopped = true;
  running.delete(cluster);
  if (existsSync(join(cluster.dataDir, 'postmaster.pid'))) {
    spawnSync(...asOwner(owner, join(bin, 'pg_ctl'), ['-D', cluster.dataDir, 'stop', '-m', 'immediate', '-w']), { stdio: 'ignore' });
  }
  if (cluster.watchdogPid !== undefined) {
    try {
      process.kill(cluster.watchdogPid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(cluster.root, { recursive: true, force: true });
}

/**
 * A detached shell that outlives a SIGKILLed test process: once that process is gone it stops the
 * server and deletes the cluster. It also ends by itself when the cluster dir disappears.
 */
function startWatchdog(bin: string, owner: Owner | undefined, cluster: Cluster): number | undefined {
  const [command, args] = asOwner(owner, join(bin, 'pg_ctl'), ['-D', cluster.dataDir, 'stop', '-m', 'immediate']);
  const stopCommand = [command, ...args].map(shellQuote).join(' ');
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null && [ -d ${shellQuote(cluster.dataDir)} ]; do sleep 1; done`,
    `if [ -f ${shellQuote(join(cluster.dataDir, 'postmaster.pid'))} ]; then ${stopCommand}; fi`,
    `rm -rf ${shellQuote(cluster.root)}`,
  ].join('\n');
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog.pid;
}

let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const stopAll = (): void => {
    const bin = postgresBinDir();
    const owner = clusterOwner();
    for (const cluster of [...running]) stopClusterSync(bin, owner, cluster);
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      // Die of the same signal, as we would have without this hook.
      process.kill(process.pid, signal);
    });
  }
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin that has initdb. */
function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv) return fromEnv;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`No PostgreSQL server binaries under ${base}; set PG_BIN to the folder holding initdb and pg_ctl`);
  return join(base, versions[0]!, 'bin');
}

interface Owner {
  user: string;
  uid: number;
  gid: number;
}

/** As root: the postgres user (initdb refuses root). Otherwise: ourselves (undefined). */
function clusterOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error('Running as root and there is no postgres user to run initdb as (initdb refuses root)');
  }
  return { user: 'postgres', uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function asOwner(owner: Owner | undefined, command: string, args: string[]): [string, string[]] {
  return owner ? ['runuser', ['-u', owner.user, '--', command, ...args]] : [command, args];
}

async function runAsOwner(owner: Owner | undefined, command: string, args: string[]): Promise<void> {
  const [cmd, cmdArgs] = asOwner(owner, command, args);
  try {
    await execFileAsync(cmd, cmdArgs, { cwd: tmpdir() });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${command} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
