/**
 * What the users'-own-tools tests share: running a tool against a Bonsai with a clean environment
 * (no ~/.aws, no CA bundle or proxy inherited from the machine), temporary working folders, files
 * of a given size with their SHA-256, and the shapes of `aws s3` output lines.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { startTestBonsai, tempDir, type TestBonsai } from '../../../helpers/bonsai.ts';
import { cliEnv, type CliResult } from '../../../helpers/clients.ts';

/**
 * Runs a program with `env` on top of cliEnv's clean environment (root keys, us-east-1, no
 * config files). Tools read AWS_CA_BUNDLE and friends when present; rclone refuses to start with a
 * CA bundle on a plain-HTTP endpoint, so nothing else is inherited.
 */
export function runTool(program: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { env: cliEnv(options.env ?? {}), cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Throws with the tool's output when it failed; returns stdout otherwise. */
export function succeeded(result: CliResult, what = 'command'): string {
  if (result.code !== 0) throw new Error(`${what} exited with ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return result.stdout;
}

export interface Workdir {
  root: string;
  path(...parts: string[]): string;
  /**
   * Writes a text file (creating folders) and returns its absolute path. Its modification time is
   * set a minute back: S3 keeps LastModified in whole seconds, so a file written in the same second
   * as its upload looks newer than the object to `aws s3 sync`, which would upload it again (as it
   * does against S3 itself).
   */
  write(relative: string, content: string | Buffer): string;
  remove(): void;
}

export function workdir(prefix: string): Workdir {
  const root = tempDir(prefix);
  return {
    root,
    path: (...parts) => join(root, ...parts),
    write(relative, content) {
      const file = join(root, relative);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      const aMinuteAgo = new Date(Date.now() - 60_000);
      utimesSync(file, aMinuteAgo, aMinuteAgo);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Starts what each tool test file runs in: an in-process Bonsai and a working folder whose name starts with `prefix`. */
export async function startToolSession(prefix: string): Promise<{ bonsai: TestBonsai; dir: Workdir }> {
  const bonsai = await startTestBonsai();
  return { bonsai, dir: workdir(prefix) };
}

/** Removes the working folder and stops the Bonsai; either is missing when the file's `before` failed. */
export async function endToolSession(bonsai: TestBonsai | undefined, dir: Workdir | undefined): Promise<void> {
  dir?.remove();
  await bonsai?.stop();
}

/** Writes `size` random bytes to `file` in 1 MiB pieces and returns their SHA-256 (hex). */
export async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  const piece = 1024 * 1024;
  for (let written = 0; written < size; written += piece) {
    const chunk = randomBytes(Math.min(piece, size - written));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return hash.digest('hex');
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const md5Hex = (content: string | Buffer): string => createHash('md5').update(content).digest('hex');

/** "2026-11-22 19:09:36" as `aws s3 ls` prints LastModified (local time; the tests run in UTC). */
export const LS_DATE = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`;

/** One `aws s3 ls` object line: date, size right-aligned in 10 columns, key. */
export function lsObjectLine(size: number | string, key: string): RegExp {
  return new RegExp(`^${LS_DATE} ${escapeRegExp(String(size).padStart(10))} ${escapeRegExp(key)}$`);
}

/** One `aws s3 ls` common-prefix line. */
export function lsPrefixLine(prefix: string): string {
  return `${'PRE'.padStart(30)} ${prefix}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Output lines without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(line === '' && i === all.length - 1));
}

/** Matches every line of `actual` against the expectation at the same index (a string or a pattern). */
export function matchLines(actual: string[], expected: Array<string | RegExp>, message?: string): void {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`expected ${expected.length} lines, got ${actual.length}`);
  expected.forEach((want, i) => {
    const got = actual[i];
    const ok = typeof want === 'string' ? got === want : got !== undefined && want.test(got);
    if (!ok) problems.push(`line ${i}: ${JSON.stringify(got)} does not match ${String(want)}`);
  });
  if (problems.length) throw new Error(`${message ?? 'output'}:\n${problems.join('\n')}\n--- actual ---\n${actual.join('\n')}`);
}
