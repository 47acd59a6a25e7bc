/**
 * Verifies a request's Signature Version 4, header or presigned, against the raw bytes.
 *
 * The checks run in the order AWS reports them (observed on the coral services: missing parts,
 * date, time window, host signed, algorithm, credential shape, credential scope, access key,
 * signature, security token), then the payload: declared hash, aws-chunked framing, chunk
 * signatures and trailing checksums. Every failure is an AuthFailure; errors.ts renders it in
 * the wording of the service family.
 */
import type { Readable } from 'node:stream';
import type { RawRequest, RequestBodyStream } from '../../core/http.ts';
import { AwsError } from '../../core/errors.ts';
import type { ResolvedCredential } from '../../core/principal.ts';
import {
  buildCanonicalRequest,
  buildStringToSign,
  canonicalHeaders,
  canonicalQuery,
  normalizedCanonicalUri,
  s3CanonicalUris,
  sha256Hex,
  signatureHex,
  signingKey,
} from './canonical.ts';
import { AwsChunkedDecoder, decodeAwsChunked, type ChunkSigning, type DecodeOptions } from './chunked.ts';
import {
  declaredContentLength, PassThroughDecoder, Sha256CheckingDecoder, verifyingBodyStream, type BodyDecoder, type StreamErrorMapper,
} from './streaming.ts';
import {
  ALGORITHM,
  formatAmzDateAs,
  isPresignedQuery,
  parseAmzDate,
  parseAuthorizationHeader,
  parseCredential,
  parseSignedHeaders,
  parsePresignedQuery,
  requestTimeFromHeaders,
  splitRawQuery,
  type CredentialScope,
  type RawQueryPair,
  type SignatureParts,
} from './parse.ts';
import { AuthFailure, type AuthOutcome, type VerifyOptions } from './types.ts';

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL can live at most 7 days: the signing key is only valid that long. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604800;

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

export async function verifySigV4(req: RawRequest, opts: VerifyOptions): Promise<AuthOutcome> {
  const authorization = req.headers['authorization'];
  // The query is split once, here, and the pairs serve both presign detection and the canonical query.
  const pairs = splitRawQuery(req.query);
  if (opts.s3 && isSignatureVersion2(authorization, pairs)) throw signatureVersion2NotSupported();
  if (authorization !== undefined && authorization.trim() !== '') {
    return verifySigned(req, opts, parseAuthorizationHeader(authorization), pairs, authorization);
  }
  if (isPresignedQuery(pairs)) return verifySigned(req, opts, parsePresignedQuery(pairs), pairs, undefined);
  return { kind: 'anonymous', ...decodeBodyWithoutVerifying(req, opts.streamErrors) };
}

/**
 * S3's Signature Version 2: an `Authorization: AWS AKID:signature` header, or a URL presigned with
 * AWSAccessKeyId, Signature and Expires (what boto3's generate_presigned_url makes unless told
 * `signature_version="s3v4"`). Without this check such a URL would pass as anonymous and fail with
 * a puzzling AccessDenied.
 */
function isSignatureVersion2(authorization: string | undefined, pairs: RawQueryPair[]): boolean {
  if (authorization !== undefined && authorization.startsWith('AWS ')) return true;
  let accessKey = false;
  let signature = false;
  for (const p of pairs) {
    if (p.name === 'AWSAccessKeyId') accessKey = true;
    else if (p.name === 'Signature') signature = true;
  }
  return accessKey && signature;
}

/** S3 buckets created since June 2020, and every region opened since 2014, take SigV4 only. */
function signatureVersion2NotSupported(): AwsError {
  return new AwsError('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.', { status: 400 });
}

/** What the checks before the key lookup establish about the request. */
interface CheckedParts {
  scope: CredentialScope;
  signedAt: Date;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  securityToken: string | undefined;
}

async function verifySigned(
  req: RawRequest,
  opts: VerifyOptions,
  parts: SignatureParts,
  pairs: RawQueryPair[],
  authorization: string | undefined,
): Promise<AuthOutcome> {
  const checked = checkParts(req, opts, parts, authorization);
  const { scope } = checked;

  const credential = await opts.resolver.resolve(scope.accessKeyId, checked.securityToken, { service: scope.service, region: scope.region });
  if (!credential) {
    throw new AuthFailure('unknown-key', { accessKeyId: scope.accessKeyId, presigned: parts.presigned });
  }

  const { payloadMode, hashedBody } = declaredPayloadHash(req, opts, parts);
  const key = signingKey(credential.secretAccessKey, scope.date, scope.region, scope.service);
  verifySignature(req, opts, parts, pairs, checked, key, payloadMode);
  checkSecurityToken(credential, checked.securityToken, parts.presigned);

  const { body, trailers, bodyStream } = decodePayload(req, payloadMode, hashedBody, key, checked, opts.streamErrors);
  return {
    kind: 'signed',
    credential,
    accessKeyId: scope.accessKeyId,
    region: scope.region,
    service: scope.service,
    signedAt: checked.signedAt,
    presigned: parts.presigned,
    signedHeaders: checked.signedHeaders,
    body,
    trailers,
    payloadMode,
    bodyStream,
  };
}

/** Everything that can be judged without the secret key, in AWS's order. */
function checkParts(req: RawRequest, opts: VerifyOptions, parts: SignatureParts, authorization: string | undefined): CheckedParts {
  const presigned = parts.presigned;
  // S3 judges the authorization type first: "AWS AKID:sig" (SigV2) is not a malformed SigV4 header.
  if (opts.s3 && parts.algorithm !== undefined && parts.algorithm !== ALGORITHM) {
    throw new AuthFailure('unsupported-algorithm', { presigned, authorization, message: unsupportedAlgorithmMessage(parts.algorithm) });
  }
  if (parts.malformedComponent) {
    throw new AuthFailure('incomplete-signature', { presigned, authorization, message: parts.malformedComponent });
  }
  const time = requestTime(req, parts);
  checkMissingParts(parts, time, authorization);
  if (!time?.date) {
    const text = time?.text ?? '';
    throw new AuthFailure('missing-date', {
      presigned,
      message: `Date must be in ISO-8601 'basic format'. Got '${text}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    });
  }
  const signedAt = time.date;
  const maxSkewMs = opts.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (presigned) checkPresignedTime(opts, parts, signedAt, maxSkewMs);
  else checkSkew(opts.nowMs, signedAt, maxSkewMs);

  const signedHeaders = parseSignedHeaders(parts.signedHeaders!);
  if (!opts.s3 && !signedHeaders.includes('host')) {
    throw new AuthFailure('signature-mismatch', {
      presigned,
      message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    });
  }
  if (parts.algorithm !== ALGORITHM) {
    throw new AuthFailure('unsupported-algorithm', { presigned, authorization, message: unsupportedAlgorithmMessage(parts.algorithm ?? '') });
  }
  const amzDate = formatAmzDateAs(signedAt, time.text.trim());
  const scope = checkCredential(parts.credential!, amzDate, presigned);
  const securityToken = presigned ? parts.securityToken : req.headers['x-amz-security-token'];
  return { scope, signedAt, amzDate, signedHeaders, signature: parts.signature!, securityToken };
}

function unsupportedAlgorithmMessage(algorithm: string): string {
  return `Unsupported AWS 'algorithm': '${algorithm}' (only AWS4-HMAC-SHA256 for now). `;
}

function requestTime(req: RawRequest, parts: SignatureParts): { text: string; date: Date | undefined } | undefined {
  if (parts.presigned) return parts.amzDate === undefined ? undefined : { text: parts.amzDate, date: parseAmzDate(parts.amzDate) };
  return requestTimeFromHeaders(req.headers);
}

/**
 * AWS lists every missing piece in one message, e.g. "Authorization header requires 'Credential'
 * parameter. Authorization header requires 'Signature' parameter. … Authorization=<header>".
 */
function checkMissingParts(parts: SignatureParts, time: { text: string } | undefined, authorization: string | undefined): void {
  if (hasRequiredParts(parts, time)) return; // the usual case: no message lists to build
  let message = '';
  if (parts.presigned) {
    const required: Array<[string, string | undefined]> = [
      ['X-Amz-Algorithm', parts.algorithm],
      ['X-Amz-Credential', parts.credential],
      ['X-Amz-Signature', parts.signature],
      ['X-Amz-SignedHeaders', parts.signedHeaders],
      ['X-Amz-Date', parts.amzDate],
    ];
    for (const [name, value] of required) if (!value) message += `AWS query-string parameters must include '${name}'. `;
    if (message) throw new AuthFailure('incomplete-signature', { presigned: true, message: message + 'Re-examine the query-string parameters.' });
    return;
  }
  const required: Array<[string, string | undefined]> = [
    ['Credential', parts.credential],
    ['Signature', parts.signature],
    ['SignedHeaders', parts.signedHeaders],
  ];
  let partMissing = false;
  for (const [name, value] of required) {
    if (!value) {
      message += `Authorization header requires '${name}' parameter. `;
      partMissing = true;
    }
  }
  if (!time) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (!message) return;
  message += `Authorization=${authorization ?? ''}`;
  throw new AuthFailure(partMissing ? 'incomplete-signature' : 'missing-date', { message, authorization });
}

function hasRequiredParts(parts: SignatureParts, time: { text: string } | undefined): boolean {
  if (!parts.credential || !parts.signature || !parts.signedHeaders) return false;
  return parts.presigned ? Boolean(parts.algorithm) && Boolean(parts.amzDate) : time !== undefined;
}

/** Header auth: the request time must be within maxSkewMs of the server's clock, either way. */
function checkSkew(nowMs: number, signedAt: Date, maxSkewMs: number): void {
  const t = signedAt.getTime();
  if (t < nowMs - maxSkewMs || t > nowMs + maxSkewMs) {
    throw new AuthFailure('skewed', { requestTime: signedAt, serverTime: new Date(nowMs), maxSkewMs });
  }
}

/**
 * Presigned requests. S3 honours X-Amz-Expires (at most 7 days) and refuses URLs dated in the
 * future. The other services ignore X-Amz-Expires and accept the signature within the usual
 * window around X-Amz-Date (aws/aws-sdk-go#2167: STS presigned URLs live 15 minutes whatever
 * X-Amz-Expires says).
 */
function checkPresignedTime(opts: VerifyOptions, parts: SignatureParts, signedAt: Date, maxSkewMs: number): void {
  const t = signedAt.getTime();
  const serverTime = new Date(opts.nowMs);
  if (!opts.s3) {
    if (t < opts.nowMs - maxSkewMs) throw new AuthFailure('presign-expired', { presigned: true, requestTime: signedAt, serverTime, maxSkewMs });
    if (t > opts.nowMs + maxSkewMs) throw new AuthFailure('presign-not-yet-valid', { presigned: true, requestTime: signedAt, serverTime, maxSkewMs });
    return;
  }
  const expires = parts.expires === undefined ? NaN : Number(parts.expires);
  if (parts.expires === undefined || !/^\d+$/.test(parts.expires) || !Number.isSafeInteger(expires)) {
    throw new AuthFailure('incomplete-signature', { presigned: true, message: "AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters." });
  }
  if (expires > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw new AuthFailure('presign-expiry-too-long', { presigned: true, expiresSeconds: expires });
  }
  if (t > opts.nowMs + maxSkewMs) {
    throw new AuthFailure('presign-not-yet-valid', { presigned: true, requestTime: signedAt, serverTime, expiresSeconds: expires, maxSkewMs });
  }
  if (opts.nowMs > t + expires * 1000) {
    throw new AuthFailure('presign-expired', { presigned: true, requestTime: signedAt, serverTime, expiresSeconds: expires, maxSkewMs });
  }
}

/**
 * The credential must have 5 parts, end in aws4_request and carry the request's date. Region
 * and service are not judged here: Bonsai serves every region, and the router picks the
 * service from the scope.
 */
function checkCredential(credential: string, amzDate: string, presigned: boolean): CredentialScope {
  const scope = parseCredential(credential);
  if (!scope) {
    throw new AuthFailure('incomplete-signature', {
      presigned,
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    });
  }
  const problems: string[] = [];
  if (scope.terminator !== 'aws4_request') {
    problems.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope.terminator}'.`);
  }
  const day = amzDate.slice(0, 8);
  if (scope.date !== day) {
    problems.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${day}', from '${amzDate}'.`,
    );
  }
  if (problems.length > 0) {
    throw new AuthFailure('malformed-credential', { presigned, accessKeyId: scope.accessKeyId, message: problems.join(' ') });
  }
  return scope;
}

/**
 * The payload hash the client declared (x-amz-content-sha256, or X-Amz-Content-Sha256 in a
 * presigned query). Without one, S3 presigned requests are UNSIGNED-PAYLOAD and every other
 * request signs the SHA-256 of its body; hashedBody then says the value is the body's own hash,
 * so decodePayload need not hash the body a second time to check it.
 */
function declaredPayloadHash(req: RawRequest, opts: VerifyOptions, parts: SignatureParts): { payloadMode: string; hashedBody: boolean } {
  if (parts.presigned) {
    if (parts.contentSha256) return { payloadMode: parts.contentSha256, hashedBody: false };
    return opts.s3 ? { payloadMode: UNSIGNED_PAYLOAD, hashedBody: false } : { payloadMode: hashOfWholeBody(req), hashedBody: true };
  }
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== '') return { payloadMode: declared.trim(), hashedBody: false };
  return { payloadMode: hashOfWholeBody(req), hashedBody: true };
}

/**
 * The body's own hash, for requests that do not declare one. A streamed body is not read before
 * the signature is checked, so it must declare one; S3 requires the header on every SigV4 request
 * and answers its absence this way.
 */
function hashOfWholeBody(req: RawRequest): string {
  if (req.bodyStream) throw new AwsError('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', { status: 400 });
  return sha256Hex(req.body);
}

function verifySignature(
  req: RawRequest,
  opts: VerifyOptions,
  parts: SignatureParts,
  pairs: RawQueryPair[],
  checked: CheckedParts,
  key: Buffer,
  payloadHash: string,
): void {
  const query = canonicalQuery(pairs, parts.presigned);
  const headers = canonicalHeaders(req.headers, checked.signedHeaders);
  const uris = opts.s3 ? s3CanonicalUris(req.path) : [normalizedCanonicalUri(req.path)];
  let first: { canonicalRequest: string; stringToSign: string } | undefined;
  for (const uri of uris) {
    const canonicalRequest = buildCanonicalRequest({
      method: req.method,
      uri,
      query,
      headers,
      signedHeaders: parts.signedHeaders!,
      payloadHash,
    });
    const stringToSign = buildStringToSign(checked.amzDate, checked.scope.scope, canonicalRequest);
    if (sameSignature(signatureHex(key, stringToSign), checked.signature)) return;
    first ??= { canonicalRequest, stringToSign };
  }
  throw new AuthFailure('signature-mismatch', {
    presigned: parts.presigned,
    accessKeyId: checked.scope.accessKeyId,
    signatureProvided: checked.signature,
    canonicalRequest: first!.canonicalRequest,
    stringToSign: first!.stringToSign,
  });
}

/**
 * Compares in time independent of where the strings differ, like timingSafeEqual, but on the
 * UTF-16 code units directly: no Buffers to allocate, and no character above U+00FF folded onto
 * its low byte as a latin1 Buffer would.
 */
function sameSignature(expected: string, provided: string): boolean {
  if (expected.length !== provided.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ provided.charCodeAt(i);
  return difference === 0;
}

/**
 * A temporary credential is only usable with its own session token; a permanent key sent with
 * a token is refused as well (the token then names nothing the key belongs to).
 */
function checkSecurityToken(credential: ResolvedCredential, token: string | undefined, presigned: boolean): void {
  const expected = credential.sessionToken;
  if (expected === undefined ? token !== undefined && token !== '' : token !== expected) {
    throw new AuthFailure('invalid-token', { presigned, securityToken: token });
  }
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** What the payload checks leave for the handler. */
interface DecodedPayload {
  body: Buffer;
  trailers: Record<string, string>;
  /** Streamed requests: the body, checked as it is read (`body` is then empty). */
  bodyStream?: RequestBodyStream;
}

/** Checks a declared payload hash against the bytes and removes aws-chunked framing. */
function decodePayload(
  req: RawRequest,
  payloadMode: string,
  hashedBody: boolean,
  key: Buffer,
  checked: CheckedParts,
  toError: StreamErrorMapper | undefined,
): DecodedPayload {
  const signing = (): ChunkSigning | undefined =>
    payloadMode === STREAMING_UNSIGNED_TRAILER ? undefined : { key, amzDate: checked.amzDate, scope: checked.scope.scope, seedSignature: checked.signature };
  if (req.bodyStream) return streamedPayload(req, req.bodyStream, payloadMode, signing, toError);
  // payloadMode was computed from these very bytes: nothing to check, no framing to remove.
  if (hashedBody) return { body: req.body, trailers: {} };
  if (isSha256Hex(payloadMode)) {
    const computed = sha256Hex(req.body);
    if (computed !== payloadMode.toLowerCase()) {
      throw new AuthFailure('payload-hash-mismatch', { declaredHash: payloadMode, computedHash: computed });
    }
    return { body: req.body, trailers: {} };
  }
  if (!isStreamingMode(payloadMode)) return { body: req.body, trailers: {} };
  return decodeAwsChunked(req.body, chunkedOptions(req, payloadMode, signing()));
}

/** The streamed counterpart of decodePayload: the same checks, made as the bytes pass. */
function streamedPayload(
  req: RawRequest,
  source: Readable,
  payloadMode: string,
  signing: () => ChunkSigning | undefined,
  toError: StreamErrorMapper | undefined,
): DecodedPayload {
  let decoder: BodyDecoder;
  if (isSha256Hex(payloadMode)) decoder = new Sha256CheckingDecoder(payloadMode, declaredContentLength(req.headers));
  else if (isStreamingMode(payloadMode)) decoder = new AwsChunkedDecoder(chunkedOptions(req, payloadMode, signing()));
  else decoder = new PassThroughDecoder(declaredContentLength(req.headers));
  return { body: EMPTY_BODY, trailers: {}, bodyStream: verifyingBodyStream(source, decoder, toError) };
}

const EMPTY_BODY = Buffer.alloc(0);

function isStreamingMode(payloadMode: string): boolean {
  return payloadMode === STREAMING_SIGNED || payloadMode === STREAMING_SIGNED_TRAILER || payloadMode === STREAMING_UNSIGNED_TRAILER;
}

/** How to decode a request's aws-chunked body: chunk signatures when `signing` is given, trailers, decoded length. */
function chunkedOptions(req: RawRequest, payloadMode: string, signing: ChunkSigning | undefined): DecodeOptions {
  const decodedLengthHeader = req.headers['x-amz-decoded-content-length'];
  const decodedLength = decodedLengthHeader === undefined ? undefined : Number(decodedLengthHeader.trim());
  if (decodedLength !== undefined && !Number.isSafeInteger(decodedLength)) {
    throw new AuthFailure('malformed-chunk', { message: `invalid x-amz-decoded-content-length '${decodedLengthHeader}'` });
  }
  const announced = req.headers['x-amz-trailer'];
  const expectedTrailers = announced ? announced.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '') : [];
  return { signing, trailer: payloadMode !== STREAMING_SIGNED, expectedTrailers, decodedLength };
}

/**
 * For `--auth off`: no signature is checked, but aws-chunked bodies (which SDK v3 sends to S3 by
 * default) still need their framing removed and their trailing checksums checked.
 */
export function decodeBodyWithoutVerifying(req: RawRequest, toError?: StreamErrorMapper): DecodedPayload {
  const payloadMode = (req.headers['x-amz-content-sha256'] ?? '').trim();
  const chunked = isStreamingMode(payloadMode);
  if (req.bodyStream) {
    const decoder = chunked ? new AwsChunkedDecoder(chunkedOptions(req, payloadMode, undefined)) : new PassThroughDecoder(declaredContentLength(req.headers));
    return { body: EMPTY_BODY, trailers: {}, bodyStream: verifyingBodyStream(req.bodyStream, decoder, toError) };
  }
  return chunked ? decodeAwsChunked(req.body, chunkedOptions(req, payloadMode, undefined)) : { body: req.body, trailers: {} };
}
