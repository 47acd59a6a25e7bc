/**
 * A pipeline around a stand-in S3 (the real S3 model and S3's streamsRequestBody rule, with
 * handlers the test supplies) and the real STS definition, so streaming can be tested without the
 * S3 provider. Signed with the fixed TEST_ACCOUNT root key; authorization allows everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestContext } from '../../../src/core/context.ts';
import { createClock } from '../../../src/core/clock.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SecretBox } from '../../../src/core/secrets.ts';
import type { Principal } from '../../../src/core/principal.ts';
import { createPipeline, type RequestHandler } from '../../../src/pipeline/pipeline.ts';
import type { Handler, ServiceDefinition } from '../../../src/services/types.ts';
import { s3StreamsRequestBody } from '../../../src/services/s3/request-body.ts';
import { sts } from '../../../src/services/sts/index.ts';
import type { Store } from '../../../src/store/types.ts';
import { TEST_ACCOUNT } from '../../helpers/bonsai.ts';

export { TEST_ACCOUNT };

export function fakeS3(handlers: Record<string, Handler>): ServiceDefinition {
  return {
    name: 's3',
    signingName: 's3',
    protocol: 'rest-xml',
    apiVersion: '2006-03-01',
    authFamily: 's3',
    allowsAnonymous: true,
    signsRawPath: true,
    requestIdStyle: 's3',
    handlers,
    streamsRequestBody: s3StreamsRequestBody,
  };
}

export interface FakePipeline {
  handle: RequestHandler;
  dataDir: string;
  /** Every handler context, in order, so tests can look at ctx.requestBody and ctx.dataDir. */
  contexts: RequestContext[];
}

const ROOT: Principal = {
  type: 'root',
  accountId: TEST_ACCOUNT.accountId,
  arn: `arn:aws:iam::${TEST_ACCOUNT.accountId}:root`,
  userId: TEST_ACCOUNT.accountId,
  name: '',
};

export function fakePipeline(handlers: Record<string, Handler>, opts: { maxBodyBytes?: number; authMode?: 'enforce' | 'off' } = {}): FakePipeline {
  const dataDir = mkdtempSync(join(tmpdir(), 'bonsai-pipeline-'));
  const contexts: RequestContext[] = [];
  const recorded: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    recorded[name] = (input, ctx) => {
      contexts.push(ctx);
      return handler(input, ctx);
    };
  }
  const handle = createPipeline({
    services: [sts, fakeS3(recorded)],
    accountId: TEST_ACCOUNT.accountId,
    resolver: {
      async resolve(accessKeyId) {
        return accessKeyId === TEST_ACCOUNT.accessKeyId ? { secretAccessKey: TEST_ACCOUNT.secretAccessKey, principal: ROOT } : undefined;
      },
    },
    authorizer: { authorize() {} },
    authMode: opts.authMode ?? 'enforce',
    clock: createClock(),
    store: {} as Store, // the stand-in handlers keep nothing
    secrets: new SecretBox(randomBytes(32)),
    log: silentLogger(),
    dataDir,
    maxBodyBytes: opts.maxBodyBytes,
  });
  return { handle, dataDir, contexts };
}
