/**
 * A RequestContext for S3 work done outside the API operations (website reads, browser POST
 * uploads): the same facilities the pipeline gives handlers, for a principal this part found
 * itself (anonymous for the website, the policy's signer for a POST), so objects/'s functions and
 * the normal authorizer can be used unchanged.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { RawRequest } from '../../../core/http.ts';
import type { Principal } from '../../../core/principal.ts';
import { anonymousPrincipal } from '../../../core/principal.ts';
import { loadServiceModel } from '../../../generated/load-model.ts';
import { withReadMemo } from '../../../store/read-memo.ts';
import type { OutsideApiEnv } from '../../types.ts';

export interface OutsideContextOptions {
  /** The operation the work stands for (GetObject, PutObject): what authorization and region checks name. */
  operation: string;
  /** Undefined: anonymous. */
  principal?: Principal;
  /** The region the request is served in (the bucket's for the website endpoint). */
  region: string;
}

export function outsideApiContext(req: RawRequest, env: OutsideApiEnv, options: OutsideContextOptions): RequestContext {
  const { deps, requestId } = env;
  const principal = options.principal ?? anonymousPrincipal(deps.accountId);
  return {
    requestId,
    accountId: principal.type === 'anonymous' ? deps.accountId : principal.accountId,
    region: options.region,
    signedRegion: options.region,
    service: 's3',
    operation: options.operation,
    principal,
    clock: deps.clock,
    store: withReadMemo(deps.store),
    secrets: deps.secrets,
    log: deps.log.child({ requestId }),
    request: req,
    sourceIp: req.remoteAddress,
    dataDir: deps.dataDir,
  };
}

/**
 * Authorizes `operation` with `input` through the normal authorizer (bucket policy, Block Public
 * Access, ACLs, identity policies), as if the request had been that API call. Throws S3's AwsError
 * when denied.
 */
export async function authorizeAs(env: OutsideApiEnv, ctx: RequestContext, input: Record<string, unknown>): Promise<void> {
  const operation = loadServiceModel('s3').operations[ctx.operation];
  if (!operation) throw new Error(`unknown S3 operation ${ctx.operation}`);
  await env.deps.authorizer.authorize({ ctx, service: env.service, operation, input });
}
