/**
 * Encoded authorization messages: some services (EC2's UnauthorizedOperation) attach the details
 * of a denial as an opaque, encrypted string that only sts:DecodeAuthorizationMessage in the same
 * account can read ("The message is encoded because the details of the authorization status can
 * contain privileged information that the user who requested the operation should not see").
 *
 * Format: base64( iv (12 bytes) ‖ GCM tag (16 bytes) ‖ AES-256-GCM ciphertext of the JSON ).
 * The key is derived from the account id, so a message decodes only in the account it came from.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function accountKey(accountId: string): Buffer {
  return createHash('sha256').update(`bonsai/authorization-message/v1/${accountId}`).digest();
}

/**
 * Encrypts a denial's details (AWS's decoded form: allowed, explicitDeny, matchedStatements,
 * failures, context { principal, action, resource, conditions }). Pass the account whose
 * DecodeAuthorizationMessage should read it (ctx.accountId).
 */
export function encodeAuthorizationMessage(details: object, accountId = ''): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', accountKey(accountId), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(details), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/**
 * The JSON text of an encoded message, or undefined when it is not one of this account's
 * messages (tampered, truncated, from another account or not base64 at all). Messages encoded
 * without an account id are accepted as well, for callers that had none at hand.
 */
export function decodeAuthorizationMessage(encoded: string, accountId: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
  for (const key of accountId === '' ? [''] : [accountId, '']) {
    const text = tryDecrypt(raw, accountKey(key));
    if (text !== undefined) return text;
  }
  return undefined;
}

function tryDecrypt(raw: Buffer, key: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
