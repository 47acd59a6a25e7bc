/** Shared fixtures for the SigV4 tests: raw requests and a credential resolver stub. */
import type { RawRequest } from '../../../src/core/http.ts';
import type { CredentialResolver, ResolvedCredential } from '../../../src/core/principal.ts';
import type { VerifyOptions } from '../../../src/auth/sigv4/types.ts';

export function rawRequest(p: { method: string; target: string; headers: Record<string, string>; body?: Buffer | string }): RawRequest {
  const q = p.target.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.headers)) headers[k.toLowerCase()] = v;
  return {
    method: p.method,
    target: p.target,
    path: q < 0 ? p.target : p.target.slice(0, q),
    query: q < 0 ? '' : p.target.slice(q + 1),
    headers,
    body: typeof p.body === 'string' ? Buffer.from(p.body) : (p.body ?? Buffer.alloc(0)),
    remoteAddress: '127.0.0.1',
    secure: false,
  };
}

export interface KeyEntry {
  secret: string;
  sessionToken?: string;
}

export function credentialFor(accessKeyId: string, entry: KeyEntry): ResolvedCredential {
  return {
    secretAccessKey: entry.secret,
    sessionToken: entry.sessionToken,
    principal: { type: 'user', accountId: '123456789012', arn: `arn:aws:iam::123456789012:user/${accessKeyId}`, userId: 'AIDA' + accessKeyId, name: accessKeyId, accessKeyId },
  };
}

/** Resolves the given keys; records the (key, token) pairs it was asked about. */
export function stubResolver(keys: Record<string, KeyEntry>): CredentialResolver & { calls: Array<[string, string | undefined]> } {
  const calls: Array<[string, string | undefined]> = [];
  return {
    calls,
    async resolve(accessKeyId, token) {
      calls.push([accessKeyId, token]);
      const entry = keys[accessKeyId];
      return entry ? credentialFor(accessKeyId, entry) : undefined;
    },
  };
}

export function options(keys: Record<string, KeyEntry>, nowIso: string, s3: boolean, extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { resolver: stubResolver(keys), nowMs: Date.parse(nowIso), s3, ...extra };
}

/** Awaits a promise that must reject with an AuthFailure and returns it. */
export async function failureOf(p: Promise<unknown>): Promise<import('../../../src/auth/sigv4/types.ts').AuthFailure> {
  try {
    await p;
  } catch (err) {
    const { AuthFailure } = await import('../../../src/auth/sigv4/types.ts');
    if (err instanceof AuthFailure) return err;
    throw err;
  }
  throw new Error('expected an AuthFailure, the request verified');
}

export const S3_DOC_KEY = { AKIAIOSFODNN7EXAMPLE: { secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } };
export const IAM_DOC_KEY = { AKIDEXAMPLE: { secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } };

import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../helpers/node-sha256.ts';

export { NodeSha256 };

export interface SmithySignInput {
  service: string;
  region?: string;
  accessKeyId: string;
  secret: string;
  sessionToken?: string;
  method: string;
  path: string;
  /** Already on the wire: name=value pairs, encoded; the signer gets them decoded. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: string | Buffer;
  signingDate: Date;
  presignExpiresIn?: number;
  s3: boolean;
}

/** Signs with @smithy/signature-v4 (the SDK v3 signer) and returns the request as it would arrive. */
export async function signWithSmithy(p: SmithySignInput): Promise<RawRequest> {
  const signer = new SignatureV4({
    service: p.service,
    region: p.region ?? 'us-east-1',
    credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secret, sessionToken: p.sessionToken },
    sha256: NodeSha256,
    uriEscapePath: !p.s3,
    applyChecksum: false,
  });
  const request = {
    method: p.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: p.path,
    query: { ...(p.query ?? {}) },
    headers: { host: '127.0.0.1:4566', ...p.headers },
    body: p.body === undefined || p.body.length === 0 ? undefined : p.body,
  };
  const signed =
    p.presignExpiresIn !== undefined
      ? await signer.presign(request, { signingDate: p.signingDate, expiresIn: p.presignExpiresIn })
      : await signer.sign(request, { signingDate: p.signingDate });
  const query = Object.entries(signed.query as Record<string, string>)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return rawRequest({
    method: signed.method,
    target: query ? `${signed.path}?${query}` : signed.path,
    headers: signed.headers as Record<string, string>,
    body: p.body,
  });
}
