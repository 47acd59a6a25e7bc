/**
 * Encryption at rest for secrets Bonsai must be able to read back (access key secrets, session
 * credentials): AES-256-GCM under a master key kept 0600 in the data directory. A store dump or a
 * shared PostgreSQL database shows only sealed values; the master key never leaves the data dir.
 *
 * Sealed form: "sealed:v1:" + base64(12-byte IV ‖ 16-byte tag ‖ ciphertext).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic, type DataDir } from './data-dir.ts';

const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('the master key must be 32 bytes');
    this.key = key;
  }

  /** The data directory's master key, created on first use. */
  static forDataDir(dir: DataDir): SecretBox {
    const file = dir.path('master.key');
    if (!existsSync(file)) writeFileAtomic(file, randomBytes(32).toString('base64') + '\n', 0o600);
    return new SecretBox(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  /** Throws when the value was not sealed by this key or was altered. */
  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
