/**
 * Each bucket's data key (SSE-S3): 32 random bytes, kept in the bucket's record sealed under the
 * data directory's master key (src/core/secrets.ts), so a store dump alone never opens a blob.
 */
import { randomBytes } from 'node:crypto';
import type { SecretBox } from '../../../core/secrets.ts';
import { KEY_BYTES } from './format.ts';

export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function sealDataKey(box: SecretBox, key: Buffer): string {
  if (key.length !== KEY_BYTES) throw new RangeError('a data key must be 32 bytes');
  return box.seal(key.toString('base64'));
}

/** Throws when the value was not sealed by this master key, was altered, or does not hold a 32-byte key. */
export function openDataKey(box: SecretBox, sealed: string): Buffer {
  const key = Buffer.from(box.open(sealed), 'base64');
  if (key.length !== KEY_BYTES) throw new Error('the sealed data key is not 32 bytes');
  return key;
}
