/**
 * STS's informational operations: GetCallerIdentity (who am I, for every kind of principal),
 * GetAccessKeyInfo (which account a key belongs to) and DecodeAuthorizationMessage (the details
 * behind an encoded denial, see src/iam/authz/encoded-message.ts).
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  DecodeAuthorizationMessageRequest,
  DecodeAuthorizationMessageResponse,
  GetAccessKeyInfoRequest,
  GetAccessKeyInfoResponse,
  GetCallerIdentityResponse,
} from '../../generated/sts/types.ts';
import { InvalidAuthorizationMessageException } from '../../generated/sts/errors.ts';
import { decodeAuthorizationMessage } from '../../iam/authz/encoded-message.ts';
import { StsMessages } from './common.ts';

/**
 * UserId and Arn as AWS reports them: the account id and :root for the root user; AIDA… and the
 * user ARN for IAM users and their GetSessionToken sessions; "AROA…:session" and the
 * sts assumed-role ARN for role sessions; "account:name" and the federated-user ARN for
 * GetFederationToken sessions. The principal already carries exactly these.
 */
export function getCallerIdentity(ctx: RequestContext): GetCallerIdentityResponse {
  const p = ctx.principal;
  return { UserId: p.userId, Account: p.accountId, Arn: p.arn };
}

/**
 * AWS derives the account from the key id itself, for keys of any account. Bonsai serves one
 * account, so every well-formed key id (the model checks the shape) answers that account.
 */
export function getAccessKeyInfo(ctx: RequestContext, _input: GetAccessKeyInfoRequest): GetAccessKeyInfoResponse {
  return { Account: ctx.accountId };
}

export function decodeMessage(ctx: RequestContext, input: DecodeAuthorizationMessageRequest): DecodeAuthorizationMessageResponse {
  const decoded = decodeAuthorizationMessage(input.EncodedMessage, ctx.accountId);
  if (decoded === undefined) throw new InvalidAuthorizationMessageException(StsMessages.invalidAuthorizationMessage);
  return { DecodedMessage: decoded };
}
