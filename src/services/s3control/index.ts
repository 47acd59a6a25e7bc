/**
 * Amazon S3 Control (rest-xml, paths under /v20180820/, signed as "s3"). Bonsai serves the
 * account-level Block Public Access configuration, which S3 combines with each bucket's own
 * (src/services/s3/access/public-access.ts). Clients address it as {AccountId}.<endpoint>; with
 * a custom endpoint, SDKs are told not to prepend the host prefix (disableHostPrefix) and the
 * account travels in x-amz-account-id, which is all Bonsai reads.
 */
import type { RequestContext } from '../../core/context.ts';
import { AwsError } from '../../core/errors.ts';
import type { S3ControlHandlers } from '../../generated/s3control/handlers.ts';
import type { AuthzTarget, OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import { defineService } from '../types.ts';
import {
  accountPublicAccessBlockKey,
  findAccountPublicAccessBlock,
  normalisePublicAccessBlock,
} from '../s3/access/public-access.ts';

/** S3 Control names this error without a bucket; its message is S3's. */
function noSuchAccountPublicAccessBlock(): AwsError {
  return new AwsError('NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', { status: 404 });
}

/**
 * The account a request names must be the caller's: Bonsai holds one account, and AWS answers
 * another account's configuration only to that account's principals.
 */
function accountOf(input: { AccountId: string }, ctx: RequestContext): string {
  if (input.AccountId !== ctx.accountId) throw new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  return input.AccountId;
}

const handlers: Partial<S3ControlHandlers> = {
  async PutPublicAccessBlock(input, ctx) {
    const account = accountOf(input, ctx);
    const configuration = normalisePublicAccessBlock(input.PublicAccessBlockConfiguration as Record<string, unknown>);
    await ctx.store.put(accountPublicAccessBlockKey(account), configuration);
    return {};
  },

  async GetPublicAccessBlock(input, ctx) {
    const configuration = await findAccountPublicAccessBlock(ctx.store, accountOf(input, ctx));
    if (!configuration) throw noSuchAccountPublicAccessBlock();
    return { PublicAccessBlockConfiguration: { ...configuration } };
  },

  async DeletePublicAccessBlock(input, ctx) {
    await ctx.store.delete(accountPublicAccessBlockKey(accountOf(input, ctx)));
    return {};
  },
};

/** The account-level actions have no resource type: "*" in the named account. */
function accountAction(action: string): OperationAuthz {
  return ({ input, ctx }): AuthzTarget[] => [
    {
      action,
      resource: '*',
      resourceAccount: typeof input.AccountId === 'string' ? input.AccountId : undefined,
      context: ctx.principal.type === 'anonymous' ? {} : { 's3:authType': 'REST-HEADER', 's3:signatureversion': 'AWS4-HMAC-SHA256' },
    },
  ];
}

const authz: ServiceAuthz = {
  prefix: 's3',
  operations: {
    PutPublicAccessBlock: accountAction('s3:PutAccountPublicAccessBlock'),
    GetPublicAccessBlock: accountAction('s3:GetAccountPublicAccessBlock'),
    DeletePublicAccessBlock: accountAction('s3:PutAccountPublicAccessBlock'),
  },
};

export const s3control = defineService<S3ControlHandlers>({
  name: 's3control',
  signingName: 's3',
  protocol: 'rest-xml',
  apiVersion: '2018-08-20',
  pathPrefix: '/v20180820/',
  authFamily: 's3',
  signsRawPath: true,
  requestIdStyle: 's3',
  handlers,
  authz,
  compatibility: {
    notes: ['Only the account-level Block Public Access operations are implemented; the account named in x-amz-account-id must be the caller\'s.'],
  },
});
