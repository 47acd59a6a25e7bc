/** A RequestContext on a throw-away SQLite store, for calling IAM handlers directly. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsError } from '../../../src/core/errors.ts';
import { createClock, type Clock } from '../../../src/core/clock.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import type { Principal } from '../../../src/core/principal.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { SecretBox } from '../../../src/core/secrets.ts';
import { randomBytes } from 'node:crypto';

export const ACCOUNT = '123456789012';

export const ROOT: Principal = { type: 'root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, name: '' };

export function userPrincipal(name: string): Principal {
  return { type: 'user', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, userId: 'AIDAEXAMPLE', name };
}

export interface TestEnv {
  store: Store;
  clock: Clock;
  secrets: SecretBox;
  ctx(principal?: Principal): RequestContext;
  close(): Promise<void>;
}

export async function openTestEnv(): Promise<TestEnv> {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-iam-'));
  const clock = createClock();
  const store = await openStore({ kind: 'sqlite', file: join(dir, 'bonsai.db'), now: () => clock.now() });
  const secrets = new SecretBox(randomBytes(32));
  return {
    store,
    clock,
    secrets,
    ctx(principal = ROOT) {
      return {
        requestId: 'test-request',
        accountId: ACCOUNT,
        region: 'us-east-1',
        signedRegion: 'us-east-1',
        service: 'iam',
        operation: 'test',
        principal,
        clock,
        store,
        secrets,
        log: silentLogger(),
        request: { method: 'POST', target: '/', headers: {}, body: Buffer.alloc(0) } as unknown as RequestContext['request'],
        sourceIp: '127.0.0.1',
        dataDir: dir,
      };
    },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Asserts that `promise` rejects with an AwsError of this code, status and message. */
export async function rejectsWith(promise: Promise<unknown>, code: string, status: number, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

export const TRUST_EC2 = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Principal: { Service: ['ec2.amazonaws.com'] } }],
});

export const ALLOW_S3 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
