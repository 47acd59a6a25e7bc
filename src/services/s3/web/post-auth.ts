/**
 * Who signed a browser POST upload (S3 API Reference, "Authenticating Requests in Browser-Based
 * Uploads Using POST (AWS Signature Version 4)"): the form carries x-amz-algorithm,
 * x-amz-credential, x-amz-date, x-amz-signature (and x-amz-security-token for temporary
 * credentials); the signature is the hex HMAC-SHA256 of the base64 `policy` field under the SigV4
 * signing key of the credential's date, region and service. A form with none of these is
 * anonymous. Errors use S3's wording for query-string authentication (src/auth/errors.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { AwsError } from '../../../core/errors.ts';
import type { Principal } from '../../../core/principal.ts';
import { isKnownRegion } from '../../../core/regions.ts';
import { authError } from '../../../auth/errors.ts';
import { signatureHex, signingKey } from '../../../auth/sigv4/canonical.ts';
import { parseCredential } from '../../../auth/sigv4/parse.ts';
import { AuthFailure } from '../../../auth/sigv4/types.ts';
import { rootPrincipal } from '../../../auth/root-credentials.ts';
import type { PipelineDeps } from '../../../pipeline/pipeline.ts';

/** The SigV4 fields, as S3 names them in "Bucket POST must contain a field named …". */
const SIGV4_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['x-amz-signature', 'X-Amz-Signature'],
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
];

export function missingField(name: string): AwsError {
  return new AwsError('InvalidArgument', `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    status: 400,
    fields: { ArgumentName: name, ArgumentValue: '' },
  });
}

export interface PostSigner {
  /** Undefined: an anonymous form. */
  principal?: Principal;
  /** The credential scope's region (the bucket's region for anonymous forms). */
  region?: string;
}

function queryAuthError(failure: AuthFailure): AwsError {
  return authError('s3', failure);
}

function credentialError(message: string, fields?: Record<string, unknown>): AwsError {
  return new AwsError('AuthorizationQueryParametersError', `Error parsing the X-Amz-Credential parameter; ${message}`, { status: 400, fields });
}

const AMZ_DATE = /^(\d{8})T\d{6}Z$/;

/**
 * Verifies the form's signature (the fields are keyed by lower-cased name) and returns who
 * signed it. `bucketRegion` is where the bucket lives: a credential scoped elsewhere is refused.
 */
export async function authenticatePostForm(
  fields: ReadonlyMap<string, string>,
  bucketRegion: string,
  deps: Pick<PipelineDeps, 'resolver' | 'authMode' | 'accountId'>,
): Promise<PostSigner> {
  const signed = SIGV4_FIELDS.some(([name]) => fields.has(name));
  if (!signed) {
    if (fields.has('awsaccesskeyid') || fields.has('signature')) return signatureVersion2(fields);
    return deps.authMode === 'off' ? { principal: rootPrincipal(deps.accountId), region: bucketRegion } : {};
  }
  if (!fields.has('policy')) throw missingField('policy');
  for (const [name, display] of SIGV4_FIELDS) if (!fields.has(name)) throw missingField(display);
  if (deps.authMode === 'off') return { principal: rootPrincipal(deps.accountId), region: bucketRegion };

  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw queryAuthError(new AuthFailure('unsupported-algorithm', { presigned: true }));
  const amzDate = AMZ_DATE.exec(fields.get('x-amz-date')!);
  const scope = parseCredential(fields.get('x-amz-credential')!);
  if (!scope || !amzDate || scope.terminator !== 'aws4_request' || !/^\d{8}$/.test(scope.date)) {
    throw queryAuthError(new AuthFailure('malformed-credential', { presigned: true }));
  }
  if (scope.date !== amzDate[1]) throw queryAuthError(new AuthFailure('malformed-credential', { presigned: true, message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP' }));
  if (scope.service !== 's3') throw credentialError(`incorrect service "${scope.service}". This endpoint belongs to "s3".`);
  if (!isKnownRegion(scope.region) || scope.region !== bucketRegion) {
    throw credentialError(`the region '${scope.region}' is wrong; expecting '${bucketRegion}'`, { Region: bucketRegion });
  }

  const token = fields.get('x-amz-security-token');
  const credential = await deps.resolver.resolve(scope.accessKeyId, token, { service: 's3', region: scope.region });
  if (!credential) throw queryAuthError(new AuthFailure('unknown-key', { accessKeyId: scope.accessKeyId, presigned: true }));
  const expectedToken = credential.sessionToken;
  if (expectedToken === undefined ? token !== undefined && token !== '' : token !== expectedToken) {
    throw queryAuthError(new AuthFailure('invalid-token', { presigned: true, securityToken: token }));
  }
  const policy = fields.get('policy')!;
  const provided = fields.get('x-amz-signature')!;
  const expected = signatureHex(signingKey(credential.secretAccessKey, scope.date, scope.region, 's3'), policy);
  if (!sameSignature(expected, provided)) {
    throw queryAuthError(
      new AuthFailure('signature-mismatch', { presigned: true, accessKeyId: scope.accessKeyId, stringToSign: policy, signatureProvided: provided }),
    );
  }
  return { principal: credential.principal, region: scope.region };
}

function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Signature Version 2 forms (AWSAccessKeyId, signature): S3 requires SigV4 in every region Bonsai plays. */
function signatureVersion2(fields: ReadonlyMap<string, string>): never {
  if (!fields.has('awsaccesskeyid')) throw missingField('AWSAccessKeyId');
  throw new AwsError('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.', { status: 400 });
}
