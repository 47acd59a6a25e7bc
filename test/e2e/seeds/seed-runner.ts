/**
 * Runs the seed procedures of test/seeds/ (bash scripts calling the AWS CLI) against a Bonsai, as
 * a given principal and region, and reads back what they saved. `aws` on the scripts' PATH is the
 * CLI under test (v2 by default), so the scripts read exactly as their authors typed them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, startTestBonsai, tempDir, type TestBonsai } from '../../helpers/bonsai.ts';
import { AWS_CLI_V2, cliEnv, type CliResult } from '../../helpers/clients.ts';

const execFileAsync = promisify(execFile);

export const SEEDS_DIR = join(REPO_ROOT, 'test', 'seeds');

/** The credentials a procedure runs with: an access key pair, and a token for temporary ones. */
export interface SeedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken?: string;
}

export interface SeedWorkspace {
  endpoint: string;
  /** Where scripts `save` their outputs ($SEED_OUT). */
  outDir: string;
  /** A folder whose `aws` is the CLI under test, first on the scripts' PATH. */
  binDir: string;
}

export function createWorkspace(endpoint: string, cli: string = AWS_CLI_V2): SeedWorkspace {
  const root = tempDir('bonsai-seeds-');
  const outDir = join(root, 'out');
  const binDir = join(root, 'bin');
  mkdirSync(outDir);
  mkdirSync(binDir);
  symlinkSync(cli, join(binDir, 'aws'));
  return { endpoint, outDir, binDir };
}

/** Removes the workspace's outputs (secrets included) and its `aws` link. */
export function removeWorkspace(ws: SeedWorkspace): void {
  rmSync(dirname(ws.outDir), { recursive: true, force: true });
}

/** Starts what a seed test file runs in: an in-process Bonsai and a workspace on it. */
export async function startSeedSession(): Promise<{ bonsai: TestBonsai; ws: SeedWorkspace }> {
  const bonsai = await startTestBonsai();
  return { bonsai, ws: createWorkspace(bonsai.endpoint) };
}

/** Removes the workspace and stops the Bonsai; either is missing when the file's `before` failed. */
export async function endSeedSession(bonsai: TestBonsai | undefined, ws: SeedWorkspace | undefined): Promise<void> {
  if (ws) removeWorkspace(ws);
  await bonsai?.stop();
}

function environment(ws: SeedWorkspace, as: SeedCredentials, region: string): NodeJS.ProcessEnv {
  const env = cliEnv({
    PATH: `${ws.binDir}:${process.env.PATH}`,
    BONSAI_ENDPOINT: ws.endpoint,
    SEED_OUT: ws.outDir,
    AWS_ACCESS_KEY_ID: as.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: as.SecretAccessKey,
    AWS_SESSION_TOKEN: as.SessionToken,
    AWS_DEFAULT_REGION: region,
  });
  // A child would see an undefined value as the string "undefined": drop those (no session token).
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
}

async function capture(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

/** Runs test/seeds/<script> with positional arguments, as `as`, with `region` exported. */
export function runSeedScript(ws: SeedWorkspace, script: string, args: string[], as: SeedCredentials, region: string): Promise<CliResult> {
  return capture('bash', [join(SEEDS_DIR, script), ...args], environment(ws, as, region));
}

/** One `aws` command typed at the prompt (a check the seed asks its reader to make). */
export function aws(ws: SeedWorkspace, args: string[], as: SeedCredentials, region: string): Promise<CliResult> {
  return capture(join(ws.binDir, 'aws'), [...args, '--endpoint-url', ws.endpoint, '--output', 'json'], environment(ws, as, region));
}

/** A JSON output a script saved with `save NAME`. */
export function savedOutput<T = any>(ws: SeedWorkspace, name: string): T {
  return JSON.parse(readFileSync(join(ws.outDir, `${name}.json`), 'utf8')) as T;
}

export function savedText(ws: SeedWorkspace, file: string): string {
  return readFileSync(join(ws.outDir, file), 'utf8');
}

/** A successful command's parsed stdout; a failed one throws with its exit code and stderr. */
export function stdoutJson<T = any>(result: CliResult): T {
  if (result.code !== 0) throw new Error(`command failed with exit code ${result.code}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * The line AWS CLI v2 prints for a service error. CLI 2.9 adds " (reached max retries: N)" after the
 * operation name whenever retries are configured, which cliEnv does (AWS_MAX_ATTEMPTS=1).
 */
export function cliErrorLine(code: string, operation: string, message: string): string {
  return `\nAn error occurred (${code}) when calling the ${operation} operation (reached max retries: 0): ${message}\n`;
}

/** Credentials as the CLI's create-access-key / get-session-token / assume-role print them. */
export function credentialsOf(output: { AccessKey?: SeedCredentials; Credentials?: SeedCredentials }): SeedCredentials {
  const c = output.AccessKey ?? output.Credentials;
  if (!c) throw new Error(`no credentials in ${JSON.stringify(output)}`);
  return { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken };
}
