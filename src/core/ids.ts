/** Identifiers in AWS's formats. */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomFrom(alphabet: string, length: number): string {
  // Rejection-free because both alphabets have a power-of-two size (32, 64).
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** A 12-digit account id that does not start with 0. */
export function newAccountId(): string {
  return String(randomInt(1, 10)) + Array.from({ length: 11 }, () => randomInt(0, 10)).join('');
}

/** Access key ids are 20 characters: a 4-letter prefix (AKIA long-term, ASIA temporary) and 16 base32 characters. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA' = 'AKIA'): string {
  return prefix + randomFrom(BASE32, 16);
}

/** Secret access keys are 40 characters of base64's alphabet. */
export function newSecretAccessKey(): string {
  return randomFrom(SECRET_ALPHABET, 40);
}

/** Unique ids IAM gives users (AIDA), roles (AROA), groups (AGPA), policies (ANPA), …: 21 characters. */
export function newIamUniqueId(prefix: string): string {
  return prefix + randomFrom(BASE32, 17);
}

export function newRequestId(): string {
  return randomUUID();
}

/**
 * Random bytes for request ids, drawn from the CSPRNG 4 KiB at a time: a call into OpenSSL per
 * request cost more than the rest of making the id (randomUUID pools the same way).
 */
const REQUEST_ID_POOL_BYTES = 4096;
let requestIdPool = randomBytes(REQUEST_ID_POOL_BYTES);
let requestIdPoolOffset = 0;

/** S3's x-amz-request-id: 16 upper-case hex characters. */
export function newS3RequestId(): string {
  if (requestIdPoolOffset + 8 > REQUEST_ID_POOL_BYTES) {
    requestIdPool = randomBytes(REQUEST_ID_POOL_BYTES);
    requestIdPoolOffset = 0;
  }
  const start = requestIdPoolOffset;
  requestIdPoolOffset += 8;
  return requestIdPool.toString('hex', start, start + 8).toUpperCase();
}
