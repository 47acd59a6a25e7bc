/**
 * How each AWS service family words an authentication failure: one table from (family, reason)
 * to code, HTTP status and message, plus the extra members S3 adds to its <Error> body.
 *
 * Sources (AWS documentation and responses quoted in AWS SDK issue threads):
 * - Coral services (query, json, rest-json): "Signature expired: … is now earlier than … (… - 15 min.)"
 *   and "Signature not yet current: … is still later than … (… + 15 min.)"; the canonical request
 *   is not echoed. query answers 403 SignatureDoesNotMatch / InvalidClientTokenId; json answers
 *   400 InvalidSignatureException / UnrecognizedClientException; Lambda (rest-json) answers 403
 *   and its window is 5 minutes (VerifyOptions.maxSkewMs).
 * - EC2: AuthFailure 401 "AWS was not able to validate the provided access credentials";
 *   RequestExpired 400 "Request has expired." for time failures; no credentials at all →
 *   MissingParameter "The request must contain the parameter AWSAccessKeyId".
 * - S3: InvalidAccessKeyId, SignatureDoesNotMatch (with StringToSign, CanonicalRequest and
 *   their bytes), RequestTimeTooSkewed, AccessDenied "Request has expired", XAmzContentSHA256Mismatch,
 *   BadDigest, InvalidToken, AuthorizationHeaderMalformed, AuthorizationQueryParametersError.
 */
import { AwsError } from '../core/errors.ts';
import { formatAmzDate } from './sigv4/parse.ts';
import { DEFAULT_MAX_SKEW_MS } from './sigv4/verify.ts';
import type { AuthFailure, AuthFailureDetail, AuthFailureReason, AuthFamily } from './sigv4/types.ts';

export interface AuthErrorContext {
  host?: string;
  path?: string;
}

interface Rendered {
  code: string;
  status: number;
  message: string;
  fields?: Record<string, unknown>;
}

type Rule = (detail: AuthFailureDetail, ctx: AuthErrorContext) => Rendered;
type FamilyTable = Record<AuthFailureReason, Rule>;

const CORAL_SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const CORAL_INVALID_TOKEN = 'The security token included in the request is invalid.';
/** STS session credentials past their expiration (no final period, as IAM and STS write it). */
const CORAL_EXPIRED_TOKEN = 'The security token included in the request is expired';
const EC2_AUTH_FAILURE = 'AWS was not able to validate the provided access credentials';
const S3_SIGNATURE_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const S3_CREDENTIAL_MALFORMED = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

/** ISO-8601 without milliseconds, as S3 writes ServerTime and Expires: 2013-05-25T00:00:00Z. */
function isoSeconds(date: Date): string {
  return date.toISOString().slice(0, 19) + 'Z';
}

/**
 * The coral services' time-window message. The window is stated in whole minutes, relative to
 * the server's time: "Signature expired: 20230101T000000Z is now earlier than 20230101T001500Z
 * (20230101T003000Z - 15 min.)".
 */
export function coralTimeWindowMessage(detail: AuthFailureDetail): string {
  const skew = detail.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const minutes = Math.round(skew / 60000);
  const request = detail.requestTime ?? new Date(0);
  const server = detail.serverTime ?? new Date(0);
  if (request.getTime() > server.getTime()) {
    return `Signature not yet current: ${formatAmzDate(request)} is still later than ${formatAmzDate(new Date(server.getTime() + skew))} (${formatAmzDate(server)} + ${minutes} min.)`;
  }
  return `Signature expired: ${formatAmzDate(request)} is now earlier than ${formatAmzDate(new Date(server.getTime() - skew))} (${formatAmzDate(server)} - ${minutes} min.)`;
}

/** S3 shows the strings it signed as text and as space-separated hex bytes. */
function hexBytes(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += ' ';
    out += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  }
  return out;
}

/**
 * The coral services (IAM, STS, SNS, RDS, CloudWatch query; DynamoDB, Secrets Manager, Logs;
 * Lambda) share the messages and differ in codes and statuses.
 */
function coralTable(codes: {
  incomplete: string;
  signature: string;
  unknownKey: string;
  invalidToken: string;
  invalidTokenMessage: string;
  expiredToken: string;
  status: { incomplete: number; signature: number; unknownKey: number; expiredToken: number };
}): FamilyTable {
  const incomplete: Rule = (d) => ({ code: codes.incomplete, status: codes.status.incomplete, message: d.message ?? '' });
  const signature: Rule = (d) => ({ code: codes.signature, status: codes.status.signature, message: d.message ?? CORAL_SIGNATURE_MESSAGE });
  const timeWindow: Rule = (d) => ({ code: codes.signature, status: codes.status.signature, message: coralTimeWindowMessage(d) });
  return {
    'incomplete-signature': incomplete,
    'unsupported-algorithm': incomplete,
    'missing-date': incomplete,
    'malformed-credential': (d) => ({ code: codes.signature, status: codes.status.signature, message: d.message ?? '' }),
    'unknown-key': () => ({ code: codes.unknownKey, status: codes.status.unknownKey, message: CORAL_INVALID_TOKEN }),
    'invalid-token': () => ({ code: codes.invalidToken, status: codes.status.unknownKey, message: codes.invalidTokenMessage }),
    'expired-token': () => ({ code: codes.expiredToken, status: codes.status.expiredToken, message: CORAL_EXPIRED_TOKEN }),
    'signature-mismatch': signature,
    skewed: timeWindow,
    'presign-expired': timeWindow,
    'presign-not-yet-valid': timeWindow,
    // X-Amz-Expires is ignored by these services, so a too-long expiry never reaches them;
    // kept for completeness with the family's signature wording.
    'presign-expiry-too-long': (d) => ({ code: codes.signature, status: codes.status.signature, message: d.message ?? CORAL_SIGNATURE_MESSAGE }),
    // A declared x-amz-content-sha256 takes part in the signature, so a wrong one is a bad signature.
    'payload-hash-mismatch': () => ({ code: codes.signature, status: codes.status.signature, message: CORAL_SIGNATURE_MESSAGE }),
    'chunk-signature-mismatch': () => ({ code: codes.signature, status: codes.status.signature, message: CORAL_SIGNATURE_MESSAGE }),
    'malformed-chunk': (d) => ({ code: codes.incomplete, status: codes.status.incomplete, message: d.message ?? 'The chunked payload is malformed.' }),
    'checksum-mismatch': (d) => ({ code: codes.signature, status: codes.status.signature, message: d.message ?? CORAL_SIGNATURE_MESSAGE }),
    'incomplete-body': (d) => ({ code: codes.incomplete, status: codes.status.incomplete, message: d.message ?? 'The request body is incomplete.' }),
  };
}

const QUERY_TABLE = coralTable({
  incomplete: 'IncompleteSignature',
  signature: 'SignatureDoesNotMatch',
  unknownKey: 'InvalidClientTokenId',
  invalidToken: 'InvalidClientTokenId',
  invalidTokenMessage: CORAL_INVALID_TOKEN,
  expiredToken: 'ExpiredToken',
  status: { incomplete: 400, signature: 403, unknownKey: 403, expiredToken: 403 },
});

/** DynamoDB answers a bad X-Amz-Security-Token without the final period (observed wording). */
const JSON_TABLE = coralTable({
  incomplete: 'IncompleteSignatureException',
  signature: 'InvalidSignatureException',
  unknownKey: 'UnrecognizedClientException',
  invalidToken: 'UnrecognizedClientException',
  invalidTokenMessage: 'The security token included in the request is invalid',
  expiredToken: 'ExpiredTokenException',
  status: { incomplete: 400, signature: 400, unknownKey: 400, expiredToken: 400 },
});

const REST_JSON_TABLE = coralTable({
  incomplete: 'IncompleteSignatureException',
  signature: 'InvalidSignatureException',
  unknownKey: 'UnrecognizedClientException',
  invalidToken: 'UnrecognizedClientException',
  invalidTokenMessage: CORAL_INVALID_TOKEN,
  // Lambda: 403 ExpiredTokenException (observed in SDK error reports).
  expiredToken: 'ExpiredTokenException',
  status: { incomplete: 403, signature: 403, unknownKey: 403, expiredToken: 403 },
});

const EC2_TABLE: FamilyTable = (() => {
  const authFailure: Rule = () => ({ code: 'AuthFailure', status: 401, message: EC2_AUTH_FAILURE });
  const incomplete: Rule = (d) => ({ code: 'IncompleteSignature', status: 400, message: d.message ?? '' });
  const expired: Rule = () => ({ code: 'RequestExpired', status: 400, message: 'Request has expired.' });
  return {
    'incomplete-signature': incomplete,
    'unsupported-algorithm': incomplete,
    'missing-date': incomplete,
    'malformed-credential': authFailure,
    'unknown-key': authFailure,
    'invalid-token': authFailure,
    // EC2's common errors: RequestExpired "can also occur if the [temporary security] credentials have expired".
    'expired-token': expired,
    'signature-mismatch': authFailure,
    skewed: expired,
    'presign-expired': expired,
    'presign-not-yet-valid': expired,
    'presign-expiry-too-long': authFailure,
    'payload-hash-mismatch': authFailure,
    'chunk-signature-mismatch': authFailure,
    'malformed-chunk': incomplete,
    'checksum-mismatch': authFailure,
    'incomplete-body': incomplete,
  };
})();

/** S3's SignatureDoesNotMatch body: what it signed, so the client can compare. */
function s3SignatureFields(d: AuthFailureDetail): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (d.accessKeyId !== undefined) fields.AWSAccessKeyId = d.accessKeyId;
  if (d.stringToSign !== undefined) fields.StringToSign = d.stringToSign;
  if (d.signatureProvided !== undefined) fields.SignatureProvided = d.signatureProvided;
  if (d.stringToSign !== undefined) fields.StringToSignBytes = hexBytes(d.stringToSign);
  if (d.canonicalRequest !== undefined) {
    fields.CanonicalRequest = d.canonicalRequest;
    fields.CanonicalRequestBytes = hexBytes(d.canonicalRequest);
  }
  return fields;
}

const CHECKSUM_NAMES: Record<string, string> = {
  crc32: 'CRC32',
  crc32c: 'CRC32C',
  crc64nvme: 'CRC64NVME',
  sha1: 'SHA1',
  sha256: 'SHA256',
};

const S3_TABLE: FamilyTable = {
  'incomplete-signature': (d) =>
    d.presigned
      ? {
          code: 'AuthorizationQueryParametersError',
          status: 400,
          message:
            'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        }
      : d.message?.startsWith('Credential must have')
        ? { code: 'AuthorizationHeaderMalformed', status: 400, message: `The authorization header is malformed; ${S3_CREDENTIAL_MALFORMED}` }
        : {
            code: 'AuthorizationHeaderMalformed',
            status: 400,
            message: 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
          },
  'unsupported-algorithm': (d) =>
    d.presigned
      ? { code: 'AuthorizationQueryParametersError', status: 400, message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' }
      : {
          code: 'InvalidArgument',
          status: 400,
          message: 'Unsupported Authorization Type',
          fields: { ArgumentName: 'Authorization', ArgumentValue: d.authorization ?? '' },
        },
  'missing-date': () => ({ code: 'AccessDenied', status: 403, message: 'AWS authentication requires a valid Date or x-amz-date header' }),
  'malformed-credential': (d) => {
    const dateMismatch = d.message?.startsWith('Date in Credential scope') || d.message?.includes(' Date in Credential scope');
    if (d.presigned) {
      return {
        code: 'AuthorizationQueryParametersError',
        status: 400,
        message: dateMismatch
          ? 'Invalid credential date "X-Amz-Credential". Date is not the same as X-Amz-Date.'
          : `Error parsing the X-Amz-Credential parameter; ${S3_CREDENTIAL_MALFORMED}`,
      };
    }
    return {
      code: 'AuthorizationHeaderMalformed',
      status: 400,
      message: dateMismatch
        ? 'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.'
        : `The authorization header is malformed; ${S3_CREDENTIAL_MALFORMED}`,
    };
  },
  'unknown-key': (d) => ({
    code: 'InvalidAccessKeyId',
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
    fields: { AWSAccessKeyId: d.accessKeyId ?? '' },
  }),
  'invalid-token': (d) => ({
    code: 'InvalidToken',
    status: 400,
    message: 'The provided token is malformed or otherwise invalid.',
    fields: d.securityToken ? { 'Token-0': d.securityToken } : {},
  }),
  'expired-token': (d) => ({
    code: 'ExpiredToken',
    status: 400,
    message: 'The provided token has expired.',
    fields: d.securityToken ? { 'Token-0': d.securityToken } : {},
  }),
  'signature-mismatch': (d) => ({ code: 'SignatureDoesNotMatch', status: 403, message: S3_SIGNATURE_MESSAGE, fields: s3SignatureFields(d) }),
  skewed: (d) => ({
    code: 'RequestTimeTooSkewed',
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
    fields: {
      RequestTime: d.requestTime ? formatAmzDate(d.requestTime) : '',
      ServerTime: d.serverTime ? isoSeconds(d.serverTime) : '',
      MaxAllowedSkewMilliseconds: String(d.maxSkewMs ?? DEFAULT_MAX_SKEW_MS),
    },
  }),
  'presign-expired': (d) => ({
    code: 'AccessDenied',
    status: 403,
    message: 'Request has expired',
    fields: {
      'X-Amz-Expires': String(d.expiresSeconds ?? ''),
      Expires: d.requestTime ? isoSeconds(new Date(d.requestTime.getTime() + (d.expiresSeconds ?? 0) * 1000)) : '',
      ServerTime: d.serverTime ? isoSeconds(d.serverTime) : '',
    },
  }),
  // S3 writes X-Amz-Date here as epoch milliseconds (observed: <X-Amz-Date>1473415775000</X-Amz-Date>).
  'presign-not-yet-valid': (d) => ({
    code: 'AccessDenied',
    status: 403,
    message: 'Request is not yet valid',
    fields: {
      'X-Amz-Date': d.requestTime ? String(d.requestTime.getTime()) : '',
      Expires: d.requestTime ? isoSeconds(new Date(d.requestTime.getTime() + (d.expiresSeconds ?? 0) * 1000)) : '',
      ServerTime: d.serverTime ? isoSeconds(d.serverTime) : '',
    },
  }),
  'presign-expiry-too-long': () => ({
    code: 'AuthorizationQueryParametersError',
    status: 400,
    message: 'X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds',
  }),
  'payload-hash-mismatch': (d) => ({
    code: 'XAmzContentSHA256Mismatch',
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    fields: { ClientComputedContentSHA256: d.declaredHash ?? '', S3ComputedContentSHA256: d.computedHash ?? '' },
  }),
  'chunk-signature-mismatch': (d) => ({ code: 'SignatureDoesNotMatch', status: 403, message: S3_SIGNATURE_MESSAGE, fields: s3SignatureFields(d) }),
  'malformed-chunk': () => ({ code: 'IncompleteBody', status: 400, message: 'The request body terminated unexpectedly' }),
  'checksum-mismatch': (d) => ({
    code: 'BadDigest',
    status: 400,
    message: `The ${CHECKSUM_NAMES[d.checksumAlgorithm ?? ''] ?? (d.checksumAlgorithm ?? '').toUpperCase()} you specified did not match the calculated checksum.`,
  }),
  // AWS's S3 error table: "You did not provide the number of bytes specified by the Content-Length HTTP header."
  'incomplete-body': () => ({
    code: 'IncompleteBody',
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  }),
};

const TABLES: Record<AuthFamily, FamilyTable> = {
  query: QUERY_TABLE,
  ec2: EC2_TABLE,
  json: JSON_TABLE,
  'rest-json': REST_JSON_TABLE,
  s3: S3_TABLE,
};

/** Renders a verifier failure in the wording of the service family the request addressed. */
export function authError(family: AuthFamily, failure: AuthFailure, ctx: AuthErrorContext = {}): AwsError {
  const rendered = TABLES[family][failure.reason](failure.detail, ctx);
  return new AwsError(rendered.code, rendered.message, { status: rendered.status, fields: rendered.fields, cause: failure });
}

const MISSING_AUTHENTICATION: Record<AuthFamily, Rendered> = {
  query: { code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' },
  ec2: { code: 'MissingParameter', status: 400, message: 'The request must contain the parameter AWSAccessKeyId' },
  json: { code: 'MissingAuthenticationTokenException', status: 400, message: 'Request is missing Authentication Token' },
  'rest-json': { code: 'MissingAuthenticationTokenException', status: 403, message: 'Missing Authentication Token' },
  s3: { code: 'AccessDenied', status: 403, message: 'Access Denied' },
};

/** The answer to an unsigned request on a service that does not serve anonymous callers. */
export function missingAuthenticationError(family: AuthFamily): AwsError {
  const r = MISSING_AUTHENTICATION[family];
  return new AwsError(r.code, r.message, { status: r.status });
}
