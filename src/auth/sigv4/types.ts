/**
 * The public face of Bonsai's SigV4 verifier. The pipeline calls verifySigV4() (verify.ts) before
 * any parsing, because the payload hash and chunk signatures must be checked against raw bytes.
 */
import type { ResolvedCredential } from '../../core/principal.ts';
import type { RequestBodyStream } from '../../core/http.ts';

/** Whose wording an authentication failure uses: each AWS service family has its own. */
export type AuthFamily = 'query' | 'ec2' | 'json' | 'rest-json' | 's3';

export interface VerifyOptions {
  resolver: import('../../core/principal.ts').CredentialResolver;
  /** Wall-clock milliseconds (clients sign with real time; Bonsai's movable clock is not used). */
  nowMs: number;
  /**
   * S3 signs the path exactly as sent; every other service normalises the path and
   * double-encodes its segments in the canonical request.
   */
  s3: boolean;
  /**
   * How far the request time may be from nowMs (default 900000, 15 minutes). Lambda answers
   * "Signature expired: … (… - 5 min.)", so the pipeline passes 300000 for it.
   */
  maxSkewMs?: number;
  /**
   * For a request whose body streams (RawRequest.bodyStream): what a failure found while the body
   * is read becomes (the pipeline renders it in the service's wording). Default: the AuthFailure.
   */
  streamErrors?: (failure: AuthFailure) => Error;
}

export type AuthOutcome =
  | {
      kind: 'anonymous';
      /** aws-chunked framing removed (signatures are not checked: there are none). */
      body: Buffer;
      trailers: Record<string, string>;
      /** For a streamed request: the decoded body; `body` is then empty. */
      bodyStream?: RequestBodyStream;
    }
  | {
      kind: 'signed';
      credential: ResolvedCredential;
      accessKeyId: string;
      /** From the credential scope: yyyymmdd/REGION/SERVICE/aws4_request. */
      region: string;
      service: string;
      signedAt: Date;
      presigned: boolean;
      signedHeaders: string[];
      /** The payload with any aws-chunked framing removed and chunk signatures verified. */
      body: Buffer;
      /** Trailing headers of aws-chunked uploads (e.g. x-amz-checksum-crc32), lower-cased names. */
      trailers: Record<string, string>;
      /** The x-amz-content-sha256 value the client declared (hash, UNSIGNED-PAYLOAD, STREAMING-…). */
      payloadMode: string;
      /**
       * For a streamed request: the body decoded and verified as it is read; `body` is then empty
       * and `trailers` arrive on the stream.
       */
      bodyStream?: RequestBodyStream;
    };

export type AuthFailureReason =
  | 'incomplete-signature'
  | 'unsupported-algorithm'
  | 'missing-date'
  | 'malformed-credential'
  | 'unknown-key'
  | 'invalid-token'
  /** A temporary credential (STS session) past its expiration on Bonsai's clock. */
  | 'expired-token'
  | 'signature-mismatch'
  | 'skewed'
  | 'presign-expired'
  /** A presigned URL whose X-Amz-Date is still in the future (S3: "Request is not yet valid"). */
  | 'presign-not-yet-valid'
  | 'presign-expiry-too-long'
  | 'payload-hash-mismatch'
  | 'chunk-signature-mismatch'
  | 'malformed-chunk'
  | 'checksum-mismatch'
  /** The body ended before the bytes x-amz-decoded-content-length (or Content-Length) promised. */
  | 'incomplete-body';

export interface AuthFailureDetail {
  /** The text AWS includes in its message (e.g. the skew window, the missing parameter). */
  message?: string;
  /** For signature mismatches: S3 returns these in its error body. */
  canonicalRequest?: string;
  stringToSign?: string;
  accessKeyId?: string;
  signatureProvided?: string;
  /** For checksum failures: which algorithm, e.g. 'crc32'. */
  checksumAlgorithm?: string;
  /** Timestamps involved in skew/expiry errors. */
  requestTime?: Date;
  serverTime?: Date;
  expiresSeconds?: number;
  /** The skew window that applied (skew and presigned-time failures). */
  maxSkewMs?: number;
  /** True when the failure concerns a presigned (query-string) request. */
  presigned?: boolean;
  /** The Authorization header as sent (S3 echoes it for unsupported authorization types). */
  authorization?: string;
  /** The security token the request carried (S3 echoes it as Token-0). */
  securityToken?: string;
  /** For payload-hash-mismatch: the declared x-amz-content-sha256 and the hash of the bytes. */
  declaredHash?: string;
  computedHash?: string;
}

export class AuthFailure extends Error {
  constructor(readonly reason: AuthFailureReason, readonly detail: AuthFailureDetail = {}) {
    super(`${reason}${detail.message ? `: ${detail.message}` : ''}`);
    this.name = 'AuthFailure';
  }
}
