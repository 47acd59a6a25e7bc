/** The authentication-error table: each family's code, HTTP status, message and extra members. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authError, missingAuthenticationError } from '../../../src/auth/errors.ts';
import { AuthFailure, type AuthFailureDetail, type AuthFailureReason, type AuthFamily } from '../../../src/auth/sigv4/types.ts';

function render(family: AuthFamily, reason: AuthFailureReason, detail: AuthFailureDetail = {}) {
  const e = authError(family, new AuthFailure(reason, detail));
  return { code: e.code, status: e.status, message: e.message, fields: e.fields };
}

const SIG = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const TOKEN = 'The security token included in the request is invalid.';
const PAST = { requestTime: new Date('2023-01-01T00:00:00Z'), serverTime: new Date('2023-01-01T00:30:00Z') };
const FUTURE = { requestTime: new Date('2023-01-01T01:00:00Z'), serverTime: new Date('2023-01-01T00:30:00Z') };
const EXPIRED_MSG = 'Signature expired: 20230101T000000Z is now earlier than 20230101T001500Z (20230101T003000Z - 15 min.)';
const FUTURE_MSG = 'Signature not yet current: 20230101T010000Z is still later than 20230101T004500Z (20230101T003000Z + 15 min.)';

test('query family (IAM, STS, SNS, RDS, CloudWatch)', () => {
  assert.deepEqual(render('query', 'unknown-key'), { code: 'InvalidClientTokenId', status: 403, message: TOKEN, fields: {} });
  assert.deepEqual(render('query', 'invalid-token'), { code: 'InvalidClientTokenId', status: 403, message: TOKEN, fields: {} });
  assert.deepEqual(render('query', 'signature-mismatch'), { code: 'SignatureDoesNotMatch', status: 403, message: SIG, fields: {} });
  assert.deepEqual(render('query', 'skewed', PAST), { code: 'SignatureDoesNotMatch', status: 403, message: EXPIRED_MSG, fields: {} });
  assert.deepEqual(render('query', 'skewed', FUTURE), { code: 'SignatureDoesNotMatch', status: 403, message: FUTURE_MSG, fields: {} });
  assert.deepEqual(render('query', 'presign-expired', PAST), { code: 'SignatureDoesNotMatch', status: 403, message: EXPIRED_MSG, fields: {} });
  const incomplete = "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=x";
  assert.deepEqual(render('query', 'incomplete-signature', { message: incomplete }), { code: 'IncompleteSignature', status: 400, message: incomplete, fields: {} });
  assert.deepEqual(render('query', 'malformed-credential', { message: 'Credential should be scoped with a valid terminator: ...' }), {
    code: 'SignatureDoesNotMatch',
    status: 403,
    message: 'Credential should be scoped with a valid terminator: ...',
    fields: {},
  });
  const host = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
  assert.equal(render('query', 'signature-mismatch', { message: host }).message, host);
});

test('json family (DynamoDB, Secrets Manager, Logs)', () => {
  assert.deepEqual(render('json', 'unknown-key'), { code: 'UnrecognizedClientException', status: 400, message: TOKEN, fields: {} });
  assert.deepEqual(render('json', 'invalid-token'), {
    code: 'UnrecognizedClientException',
    status: 400,
    message: 'The security token included in the request is invalid',
    fields: {},
  });
  assert.deepEqual(render('json', 'signature-mismatch'), { code: 'InvalidSignatureException', status: 400, message: SIG, fields: {} });
  assert.deepEqual(render('json', 'skewed', PAST), { code: 'InvalidSignatureException', status: 400, message: EXPIRED_MSG, fields: {} });
  assert.deepEqual(render('json', 'unsupported-algorithm', { message: 'm' }), { code: 'IncompleteSignatureException', status: 400, message: 'm', fields: {} });
});

test('rest-json family (Lambda): 403s and the 5-minute window in the message', () => {
  assert.deepEqual(render('rest-json', 'unknown-key'), { code: 'UnrecognizedClientException', status: 403, message: TOKEN, fields: {} });
  assert.deepEqual(render('rest-json', 'signature-mismatch'), { code: 'InvalidSignatureException', status: 403, message: SIG, fields: {} });
  assert.deepEqual(render('rest-json', 'skewed', { ...PAST, maxSkewMs: 300000 }), {
    code: 'InvalidSignatureException',
    status: 403,
    message: 'Signature expired: 20230101T000000Z is now earlier than 20230101T002500Z (20230101T003000Z - 5 min.)',
    fields: {},
  });
});

test('ec2 family', () => {
  const auth = { code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials', fields: {} };
  assert.deepEqual(render('ec2', 'unknown-key'), auth);
  assert.deepEqual(render('ec2', 'signature-mismatch'), auth);
  assert.deepEqual(render('ec2', 'invalid-token'), auth);
  assert.deepEqual(render('ec2', 'skewed', PAST), { code: 'RequestExpired', status: 400, message: 'Request has expired.', fields: {} });
  assert.deepEqual(render('ec2', 'incomplete-signature', { message: 'm' }), { code: 'IncompleteSignature', status: 400, message: 'm', fields: {} });
});

test('s3: InvalidAccessKeyId names the key', () => {
  assert.deepEqual(render('s3', 'unknown-key', { accessKeyId: 'AKIAUNKNOWN' }), {
    code: 'InvalidAccessKeyId',
    status: 403,
    message: 'The AWS Access Key Id you provided does not exist in our records.',
    fields: { AWSAccessKeyId: 'AKIAUNKNOWN' },
  });
});

test('s3: SignatureDoesNotMatch carries what S3 signed, as text and bytes', () => {
  const r = render('s3', 'signature-mismatch', { accessKeyId: 'AKID', stringToSign: 'AB\n', signatureProvided: 'ff', canonicalRequest: 'GET' });
  assert.deepEqual(r, {
    code: 'SignatureDoesNotMatch',
    status: 403,
    message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    fields: {
      AWSAccessKeyId: 'AKID',
      StringToSign: 'AB\n',
      SignatureProvided: 'ff',
      StringToSignBytes: '41 42 0a',
      CanonicalRequest: 'GET',
      CanonicalRequestBytes: '47 45 54',
    },
  });
});

test('s3: RequestTimeTooSkewed', () => {
  assert.deepEqual(render('s3', 'skewed', { ...PAST, maxSkewMs: 900000 }), {
    code: 'RequestTimeTooSkewed',
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
    fields: { RequestTime: '20230101T000000Z', ServerTime: '2023-01-01T00:30:00Z', MaxAllowedSkewMilliseconds: '900000' },
  });
});

test('s3: presigned expiry, not-yet-valid and too-long', () => {
  assert.deepEqual(render('s3', 'presign-expired', { requestTime: new Date('2013-05-24T00:00:00Z'), serverTime: new Date('2013-05-25T00:00:01Z'), expiresSeconds: 86400 }), {
    code: 'AccessDenied',
    status: 403,
    message: 'Request has expired',
    fields: { 'X-Amz-Expires': '86400', Expires: '2013-05-25T00:00:00Z', ServerTime: '2013-05-25T00:00:01Z' },
  });
  assert.deepEqual(render('s3', 'presign-not-yet-valid', { requestTime: new Date('2016-09-08T10:09:35Z'), serverTime: new Date('2016-09-08T09:00:00Z'), expiresSeconds: 60 }), {
    code: 'AccessDenied',
    status: 403,
    message: 'Request is not yet valid',
    fields: { 'X-Amz-Date': '1473329375000', Expires: '2016-09-08T10:10:35Z', ServerTime: '2016-09-08T09:00:00Z' },
  });
  assert.deepEqual(render('s3', 'presign-expiry-too-long', { expiresSeconds: 604801 }), {
    code: 'AuthorizationQueryParametersError',
    status: 400,
    message: 'X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds',
    fields: {},
  });
});

test('s3: payload hash, checksum, token and malformed-header errors', () => {
  assert.deepEqual(render('s3', 'payload-hash-mismatch', { declaredHash: 'aa', computedHash: 'bb' }), {
    code: 'XAmzContentSHA256Mismatch',
    status: 400,
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    fields: { ClientComputedContentSHA256: 'aa', S3ComputedContentSHA256: 'bb' },
  });
  assert.equal(render('s3', 'checksum-mismatch', { checksumAlgorithm: 'crc32' }).message, 'The CRC32 you specified did not match the calculated checksum.');
  assert.equal(render('s3', 'checksum-mismatch', { checksumAlgorithm: 'crc64nvme' }).message, 'The CRC64NVME you specified did not match the calculated checksum.');
  assert.equal(render('s3', 'checksum-mismatch', { checksumAlgorithm: 'sha1' }).code, 'BadDigest');
  assert.deepEqual(render('s3', 'invalid-token', { securityToken: 'tok' }), {
    code: 'InvalidToken',
    status: 400,
    message: 'The provided token is malformed or otherwise invalid.',
    fields: { 'Token-0': 'tok' },
  });
  assert.deepEqual(render('s3', 'incomplete-signature', { message: "Authorization header requires 'Signature' parameter." }), {
    code: 'AuthorizationHeaderMalformed',
    status: 400,
    message: 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    fields: {},
  });
  assert.equal(
    render('s3', 'malformed-credential', { message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'x'." }).message,
    'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
  );
  assert.deepEqual(render('s3', 'unsupported-algorithm', { authorization: 'AWS AKID:sig' }), {
    code: 'InvalidArgument',
    status: 400,
    message: 'Unsupported Authorization Type',
    fields: { ArgumentName: 'Authorization', ArgumentValue: 'AWS AKID:sig' },
  });
  assert.deepEqual(render('s3', 'missing-date'), { code: 'AccessDenied', status: 403, message: 'AWS authentication requires a valid Date or x-amz-date header', fields: {} });
  assert.deepEqual(render('s3', 'malformed-chunk'), { code: 'IncompleteBody', status: 400, message: 'The request body terminated unexpectedly', fields: {} });
});

test('every family renders every reason with a code and a 4xx status', () => {
  const reasons: AuthFailureReason[] = [
    'incomplete-signature', 'unsupported-algorithm', 'missing-date', 'malformed-credential', 'unknown-key', 'invalid-token',
    'signature-mismatch', 'skewed', 'presign-expired', 'presign-not-yet-valid', 'presign-expiry-too-long', 'payload-hash-mismatch',
    'chunk-signature-mismatch', 'malformed-chunk', 'checksum-mismatch',
  ];
  for (const family of ['query', 'ec2', 'json', 'rest-json', 's3'] as const) {
    for (const reason of reasons) {
      const e = authError(family, new AuthFailure(reason, { ...PAST, message: 'detail' }));
      assert.ok(e.code.length > 0, `${family} ${reason}`);
      assert.ok(e.status >= 400 && e.status < 500, `${family} ${reason} ${e.status}`);
      assert.equal(e.fault, 'client');
    }
  }
});

test('missing authentication per family', () => {
  const r = (f: AuthFamily) => {
    const e = missingAuthenticationError(f);
    return [e.code, e.status, e.message];
  };
  assert.deepEqual(r('query'), ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token']);
  assert.deepEqual(r('json'), ['MissingAuthenticationTokenException', 400, 'Request is missing Authentication Token']);
  assert.deepEqual(r('rest-json'), ['MissingAuthenticationTokenException', 403, 'Missing Authentication Token']);
  assert.deepEqual(r('ec2'), ['MissingParameter', 400, 'The request must contain the parameter AWSAccessKeyId']);
  assert.deepEqual(r('s3'), ['AccessDenied', 403, 'Access Denied']);
});
