/**
 * Starts a Bonsai for a test: in-process on a free loopback port with a throw-away data directory,
 * or as a separate `bonsai start` process when the test needs to kill or restart it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startBonsai, type RunningBonsai } from '../../src/server/bonsai.ts';
import { silentLogger } from '../../src/core/logger.ts';

/** Fixed root credentials, so tests (and AWS CLI/boto3 subprocesses) can sign without reading files. */
export const TEST_ACCOUNT = {
  accountId: '123456789012',
  accessKeyId: 'AKIAIOSFODNN7BONSAIX',
  secretAccessKey: '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',
};

export const TEST_ENV = {
  BONSAI_ACCOUNT_ID: TEST_ACCOUNT.accountId,
  BONSAI_ROOT_ACCESS_KEY_ID: TEST_ACCOUNT.accessKeyId,
  BONSAI_ROOT_SECRET_ACCESS_KEY: TEST_ACCOUNT.secretAccessKey,
};

export function tempDir(prefix = 'bonsai-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestBonsai extends RunningBonsai {
  /** Closes the server and removes the data directory. */
  stop(): Promise<void>;
}

export async function startTestBonsai(
  options: { auth?: 'enforce' | 'off'; store?: string; dataDir?: string; maxBodyBytes?: number } = {},
): Promise<TestBonsai> {
  const dataDir = options.dataDir ?? tempDir();
  const running = await startBonsai({
    port: 0,
    dataDir,
    store: options.store,
    auth: options.auth,
    maxBodyBytes: options.maxBodyBytes,
    log: silentLogger(),
    env: TEST_ENV,
  });
  return {
    ...running,
    async stop() {
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const BONSAI_BIN = join(REPO_ROOT, 'bin', 'bonsai.mjs');

export interface BonsaiProcess {
  child: ChildProcess;
  endpoint: string;
  output: () => string;
}

/** Runs `bonsai start --port 0` as a child process and waits for its endpoint line. */
export async function spawnBonsai(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BonsaiProcess> {
  const child = spawn(process.execPath, [BONSAI_BIN, 'start', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, BONSAI_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bonsai did not start in 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const m = /is running at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bonsai exited with ${code} before starting:\n${out}`));
    });
  });
  return { child, endpoint, output: () => out };
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = await exited;
  return code as number | null;
}
