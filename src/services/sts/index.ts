/**
 * AWS Security Token Service: temporary credentials (AssumeRole, GetSessionToken,
 * GetFederationToken) kept as sessions in the store (sessions.ts, whose resolver lets SigV4 accept
 * them), GetCallerIdentity for every kind of principal, GetAccessKeyInfo and
 * DecodeAuthorizationMessage. Authorization is in authz.ts.
 */
import type { RequestContext } from '../../core/context.ts';
import type { StsHandlers } from '../../generated/sts/handlers.ts';
import { defineService } from '../types.ts';
import { stsAuthz } from './authz.ts';
import { assumeRole } from './assume-role.ts';
import { getFederationToken, getSessionToken } from './user-sessions.ts';
import { decodeMessage, getAccessKeyInfo, getCallerIdentity } from './identity.ts';

export { stsCredentialResolver } from './sessions.ts';

export const sts = defineService<StsHandlers>({
  name: 'sts',
  signingName: 'sts',
  protocol: 'query',
  apiVersion: '2011-06-15',
  authFamily: 'query',
  authz: stsAuthz,
  handlers: {
    AssumeRole: async (input, ctx: RequestContext) => assumeRole(ctx, input),
    GetSessionToken: async (input, ctx: RequestContext) => getSessionToken(ctx, input),
    GetFederationToken: async (input, ctx: RequestContext) => getFederationToken(ctx, input),
    GetCallerIdentity: async (_input, ctx: RequestContext) => getCallerIdentity(ctx),
    GetAccessKeyInfo: async (input, ctx: RequestContext) => getAccessKeyInfo(ctx, input),
    DecodeAuthorizationMessage: async (input, ctx: RequestContext) => decodeMessage(ctx, input),
  },
  compatibility: {
    notes: [
      'Temporary credentials are ASIA keys with a 40-character secret and an opaque session token; they expire on Bonsai\'s movable clock with each family\'s expired-token error.',
      'Session restrictions follow "Compare AWS STS credentials": GetSessionToken sessions cannot call IAM without MFA (InvalidClientTokenId) nor STS except AssumeRole/GetCallerIdentity; federated users cannot call IAM nor STS except GetCallerIdentity; role sessions cannot call GetSessionToken/GetFederationToken.',
      'PackedPolicySize is an approximation: AWS does not document its packed format. Bonsai deflates the session policy, policy ARNs and session tags against a fixed budget; oversized input fails with PackedPolicyTooLarge as on AWS.',
      'Managed session policies (PolicyArns) that do not exist are accepted and grant nothing.',
      'MFA codes may be reused within their 30-second window (AWS refuses a code used moments before).',
      'GetAccessKeyInfo answers the Bonsai account for every well-formed key id.',
      'The root user cannot assume roles ("Roles may not be assumed by root accounts."), also with --auth off, where every request is the root user.',
      'RoleLastUsed is not updated by AssumeRole.',
    ],
    operations: {
      AssumeRoleWithSAML: 'Not implemented: no SAML identity providers.',
      AssumeRoleWithWebIdentity: 'Not implemented: no OIDC identity providers.',
      AssumeRoot: 'Not implemented: no AWS Organizations.',
      GetDelegatedAccessToken: 'Not implemented.',
      GetWebIdentityToken: 'Not implemented.',
    },
  },
});
