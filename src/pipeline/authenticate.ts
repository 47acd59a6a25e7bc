/**
 * The authenticate stage: SigV4 verification, the region check, and what anonymous requests may
 * do. With `--auth off` (for users migrating from emulators that accept test/test) every request
 * is taken as the account root, signed or not; aws-chunked bodies are still decoded.
 */
import type { RawRequest, RequestBodyStream } from '../core/http.ts';
import type { Principal } from '../core/principal.ts';
import { AwsError } from '../core/errors.ts';
import { isKnownRegion } from '../core/regions.ts';
import { verifySigV4, decodeBodyWithoutVerifying } from '../auth/sigv4/verify.ts';
import { AuthFailure, type AuthFamily } from '../auth/sigv4/types.ts';
import { authError, missingAuthenticationError } from '../auth/errors.ts';
import { rootPrincipal } from '../auth/root-credentials.ts';
import type { ServiceDefinition } from '../services/types.ts';
import type { PipelineDeps } from './pipeline.ts';

export interface Authentication {
  /** Undefined for anonymous requests. */
  principal?: Principal;
  /** The region the request is for: the credential scope's, or us-east-1 when unsigned. */
  region: string;
  /** The payload with any aws-chunked framing removed. */
  body: Buffer;
  trailers: Record<string, string>;
  presigned: boolean;
  /**
   * For a streamed request (the service's streamsRequestBody said so): the decoded, verifying
   * body stream; `body` is then empty and `trailers` arrive on the stream.
   */
  bodyStream?: RequestBodyStream;
}

const DEFAULT_REGION = 'us-east-1';

export async function authenticate(
  req: RawRequest,
  service: ServiceDefinition,
  scopeRegion: string | undefined,
  deps: Pick<PipelineDeps, 'authMode' | 'resolver' | 'accountId' | 'wallClockMs'>,
): Promise<Authentication> {
  if (scopeRegion !== undefined && !isKnownRegion(scopeRegion)) throw invalidRegionError(service.authFamily, scopeRegion);
  // Failures found while a streamed body is read surface on the stream, in the same wording.
  const toAwsError = (failure: AuthFailure) => authError(service.authFamily, failure, { host: req.headers.host, path: req.path });
  let outcome;
  try {
    if (deps.authMode === 'off') {
      const { body, trailers, bodyStream } = decodeBodyWithoutVerifying(req, toAwsError);
      return { principal: rootPrincipal(deps.accountId), region: scopeRegion ?? DEFAULT_REGION, body, trailers, presigned: false, bodyStream };
    }
    outcome = await verifySigV4(req, {
      resolver: deps.resolver,
      nowMs: deps.wallClockMs?.() ?? Date.now(),
      s3: service.signsRawPath === true,
      maxSkewMs: service.maxSignatureSkewMs,
      streamErrors: toAwsError,
    });
  } catch (err) {
    if (err instanceof AuthFailure) throw toAwsError(err);
    throw err;
  }
  if (outcome.kind === 'anonymous') {
    if (!service.allowsAnonymous) throw missingAuthenticationError(service.authFamily);
    return { region: DEFAULT_REGION, body: outcome.body, trailers: outcome.trailers, presigned: false, bodyStream: outcome.bodyStream };
  }
  return {
    principal: outcome.credential.principal,
    region: outcome.region,
    body: outcome.body,
    trailers: outcome.trailers,
    presigned: outcome.presigned,
    bodyStream: outcome.bodyStream,
  };
}

/**
 * AWS refuses a credential scope naming a region it does not have. STS, IAM and the other query
 * services say "Credential should be scoped to a valid region."; S3 says the header is malformed.
 */
function invalidRegionError(family: AuthFamily, region: string): AwsError {
  const message = 'Credential should be scoped to a valid region.';
  switch (family) {
    case 's3':
      return new AwsError('AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${region}' is wrong; expecting 'us-east-1'`, {
        status: 400,
        fields: { Region: 'us-east-1' },
      });
    case 'json':
    case 'rest-json':
      return new AwsError('InvalidSignatureException', message, { status: family === 'json' ? 400 : 403 });
    case 'ec2':
      return new AwsError('AuthFailure', message, { status: 401 });
    default:
      return new AwsError('SignatureDoesNotMatch', message, { status: 403 });
  }
}
