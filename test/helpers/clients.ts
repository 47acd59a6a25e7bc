/**
 * Runs the real AWS CLI (v1 from the image's Python, v2 from Debian's awscli package) and boto3
 * against a Bonsai, with credentials in the environment and nothing read from ~/.aws.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { TEST_ACCOUNT } from './bonsai.ts';

const run = promisify(execFile);

/** AWS CLI v2 as Debian installs it (`apt-get install awscli`); .ci/run installs it. */
export const AWS_CLI_V2 = '/usr/bin/aws';

export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: TEST_ACCOUNT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_ACCOUNT.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
    ...extra,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(binary: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(binary, args, { env: cliEnv(env), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** AWS CLI v1 is the `aws` on the image's Python path; v2 lives at /usr/bin/aws. */
export async function awsCliV1Path(): Promise<string> {
  const { stdout } = await run('python3', ['-c', 'import awscli, sys, os; print(os.path.join(os.path.dirname(sys.executable), "aws"))']);
  const candidate = stdout.trim();
  return existsSync(candidate) ? candidate : 'aws';
}

export async function runPython(script: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli('python3', ['-c', script], env);
}
