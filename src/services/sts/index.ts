/**
 * AWS Security Token Service. GetCallerIdentity answers for every principal type and needs no
 * permission (AWS documents that even an explicit deny cannot block it). Temporary credentials
 * (AssumeRole, GetSessionToken, …) come with IAM.
 */
import type { RequestContext } from '../../core/context.ts';
import type { StsHandlers } from '../../generated/sts/handlers.ts';
import { defineService } from '../types.ts';

export const sts = defineService<StsHandlers>({
  name: 'sts',
  signingName: 'sts',
  protocol: 'query',
  apiVersion: '2011-06-15',
  authFamily: 'query',
  handlers: {
    async GetCallerIdentity(_input: unknown, ctx: RequestContext) {
      const p = ctx.principal;
      return { UserId: p.userId, Account: p.accountId, Arn: p.arn };
    },
  },
});
