/**
 * The authenticator app of the seeds' MFA steps: RFC 6238 time-based one-time passwords
 * (HMAC-SHA1 over the 30-second step counter, dynamic truncation to 6 digits, RFC 4226 §5.3),
 * written here independently of Bonsai's own implementation so the tests check it rather than
 * agree with it by construction. Time is Bonsai's: its clock may have been moved forward.
 */
import { createHmac } from 'node:crypto';
import { ADMIN_TOKEN_HEADER } from '../../../src/server/admin.ts';

const STEP_SECONDS = 30;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32, as IAM's Base32StringSeed bootstrap method writes the secret. */
export function decodeBase32(text: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bitCount = 0;
  for (const char of text.trim().replace(/=+$/, '').toUpperCase()) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error(`not a Base32 character: ${JSON.stringify(char)}`);
    buffer = (buffer << 5) | index;
    bitCount += 5;
    if (bitCount >= 8) {
      bitCount -= 8;
      bytes.push((buffer >>> bitCount) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step that contains `epochMs`. */
export function stepAt(epochMs: number): number {
  return Math.floor(epochMs / 1000 / STEP_SECONDS);
}

/** The 6-digit code an authenticator app shows during `step` for a Base32 seed. */
export function totpCode(base32Seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', decodeBase32(base32Seed)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

/** A 6-digit code that is none of the codes valid around `step` (a mistyped code). */
export function wrongCode(base32Seed: string, step: number): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCode(base32Seed, step + d)));
  let candidate = Number(totpCode(base32Seed, step));
  do candidate = (candidate + 111_111) % 1_000_000;
  while (valid.has(String(candidate).padStart(6, '0')));
  return String(candidate).padStart(6, '0');
}

/** Bonsai's current time, from its admin endpoint (`GET /_bonsai/clock`), in epoch milliseconds. */
export async function bonsaiNowMs(endpoint: string, adminToken: string): Promise<number> {
  const res = await fetch(`${endpoint}/_bonsai/clock`, { headers: { [ADMIN_TOKEN_HEADER]: adminToken } });
  if (!res.ok) throw new Error(`GET /_bonsai/clock answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { now: string; offsetMs: number };
  // `now` is computed when Bonsai answered; recompute from the offset so the step is current.
  return Date.now() + body.offsetMs;
}

/** Moves Bonsai's clock forward (`POST /_bonsai/clock`), e.g. to the next TOTP step. */
export async function advanceBonsaiClock(endpoint: string, adminToken: string, advance: string): Promise<void> {
  const res = await fetch(`${endpoint}/_bonsai/clock`, {
    method: 'POST',
    headers: { [ADMIN_TOKEN_HEADER]: adminToken, 'content-type': 'application/json' },
    body: JSON.stringify({ advance }),
  });
  if (!res.ok) throw new Error(`POST /_bonsai/clock answered ${res.status}: ${await res.text()}`);
}
