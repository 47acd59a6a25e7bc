/**
 * The arithmetic of a completed multipart object's ETag and checksums, kept apart from the handlers
 * so it can be tested on its own:
 * - the ETag is the MD5 of the parts' binary MD5s, then "-<number of parts>";
 * - a COMPOSITE checksum is the checksum of the parts' binary checksums, then "-<N>";
 * - a FULL_OBJECT checksum (CRC types only) is the CRC of the whole object, obtained by combining the
 *   parts' CRCs arithmetically (no byte is read again).
 */
import { createHash } from 'node:crypto';
import { checksumDigest, type ChecksumAlgorithm } from '../../../auth/checksums.ts';
import { hasherAlgorithm, type S3ChecksumAlgorithm } from '../objects/record.ts';

export const CHECKSUM_ALGORITHMS: readonly S3ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The algorithms whose checksums can be combined into a whole-object value (FULL_OBJECT). */
export const CRC_ALGORITHMS: readonly S3ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];

/** Digest length in bytes, to tell a well-formed checksum value from a malformed one. */
export const DIGEST_BYTES: Record<S3ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** "<md5 hex of the concatenated binary part MD5s>-<N>", without quotes. */
export function multipartEtag(partMd5Hexes: readonly string[]): string {
  const md5 = createHash('md5');
  for (const hex of partMd5Hexes) md5.update(Buffer.from(hex, 'hex'));
  return `${md5.digest('hex')}-${partMd5Hexes.length}`;
}

/** "<base64 of the checksum of the concatenated binary part checksums>-<N>". */
export function compositeChecksum(algorithm: S3ChecksumAlgorithm, partChecksumsBase64: readonly string[]): string {
  const joined = Buffer.concat(partChecksumsBase64.map((value) => Buffer.from(value, 'base64')));
  return `${checksumDigest(hasherAlgorithm(algorithm), joined).toString('base64')}-${partChecksumsBase64.length}`;
}

/**
 * A reflected CRC's parameters. CRC-32, CRC-32C and CRC-64/NVME all start from all ones and end
 * xored with all ones, which is what makes `crc(A‖B) = shift(crc(A), |B|) ⊕ crc(B)` hold.
 */
interface CrcSpec {
  width: bigint;
  /** The polynomial, bit-reversed (the form table-driven reflected CRCs use). */
  reflectedPoly: bigint;
}

const CRC_SPECS: Record<'CRC32' | 'CRC32C' | 'CRC64NVME', CrcSpec> = {
  CRC32: { width: 32n, reflectedPoly: 0xedb88320n },
  CRC32C: { width: 32n, reflectedPoly: 0x82f63b78n },
  CRC64NVME: { width: 64n, reflectedPoly: 0x9a6c9329ac4bc9b5n },
};

/**
 * a·b mod P in GF(2)[x], both in the reflected bit order (the top bit is x^0). Plain shift-and-xor:
 * combining is done once per part, so BigInt's cost does not matter.
 */
function multiplyModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  let product = 0n;
  for (let bit = 1n << (spec.width - 1n); bit > 0n; bit >>= 1n) {
    if (a & bit) product ^= b;
    b = b & 1n ? (b >> 1n) ^ spec.reflectedPoly : b >> 1n;
  }
  return product;
}

/** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a CRC register. */
function shiftOperator(spec: CrcSpec, bytes: number): bigint {
  let result = 1n << (spec.width - 1n); // x^0
  let power = multiplyModP(spec, 1n << (spec.width - 2n), 1n << (spec.width - 2n)); // x^2
  power = multiplyModP(spec, power, power); // x^4
  power = multiplyModP(spec, power, power); // x^8: one byte
  for (let n = BigInt(bytes); n > 0n; n >>= 1n) {
    if (n & 1n) result = multiplyModP(spec, power, result);
    power = multiplyModP(spec, power, power);
  }
  return result;
}

function toBigInt(digest: Buffer): bigint {
  return BigInt(`0x${digest.toString('hex') || '0'}`);
}

function toDigest(value: bigint, width: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(Number(width / 4n), '0'), 'hex');
}

/**
 * The CRC of the parts laid end to end, from each part's CRC (base64 of the big-endian digest) and
 * size: base64 of the whole object's digest, as a single PutObject of the same bytes would give.
 */
export function combineCrcs(algorithm: 'CRC32' | 'CRC32C' | 'CRC64NVME', parts: ReadonlyArray<{ checksum: string; size: number }>): string {
  const spec = CRC_SPECS[algorithm];
  let crc = toBigInt(checksumDigest(hasherAlgorithm(algorithm), new Uint8Array(0)));
  for (const part of parts) {
    const partCrc = toBigInt(Buffer.from(part.checksum, 'base64'));
    crc = multiplyModP(spec, shiftOperator(spec, part.size), crc) ^ partCrc;
  }
  return toDigest(crc, spec.width).toString('base64');
}

export function isCrcAlgorithm(algorithm: S3ChecksumAlgorithm): algorithm is 'CRC32' | 'CRC32C' | 'CRC64NVME' {
  return CRC_ALGORITHMS.includes(algorithm);
}

/** 'crc32' → 'CRC32'. */
export function apiAlgorithm(algorithm: ChecksumAlgorithm): S3ChecksumAlgorithm {
  return algorithm.toUpperCase() as S3ChecksumAlgorithm;
}

/** The API member that carries a checksum of this algorithm: 'CRC32' → 'ChecksumCRC32'. */
export function checksumMember(algorithm: S3ChecksumAlgorithm): `Checksum${S3ChecksumAlgorithm}` {
  return `Checksum${algorithm}`;
}

/** True when the value is base64 of exactly the algorithm's digest length. */
export function isWellFormedChecksum(algorithm: S3ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return false;
  return Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm];
}
