import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKSUM_ALGORITHMS, checksumAlgorithmOfHeader, checksumDigest, computeChecksum, createChecksumHasher, crc32, crc32c, crc64nvme } from '../../../src/auth/checksums.ts';

const CHECK = Buffer.from('123456789');

test('CRC-32C check value: "123456789" → e3069283', () => {
  assert.equal(crc32c(CHECK).toString(16), 'e3069283');
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test('CRC-64/NVME check value: "123456789" → ae8b14860a799888', () => {
  assert.equal(crc64nvme(CHECK).toString('hex'), 'ae8b14860a799888');
  assert.equal(crc64nvme(Buffer.alloc(0)).toString('hex'), '0000000000000000');
});

test('CRC-32 (zlib) check value: "123456789" → cbf43926', () => {
  assert.equal(crc32(CHECK).toString(16), 'cbf43926');
});

test('checksums are base64 of the big-endian digest, as S3 writes them', () => {
  assert.equal(computeChecksum('crc32', CHECK), Buffer.from('cbf43926', 'hex').toString('base64'));
  assert.equal(computeChecksum('crc32c', CHECK), '4waSgw==');
  assert.equal(computeChecksum('crc64nvme', CHECK), 'rosUhgp5mIg=');
  // "hello\n" as quoted from S3 (x-amz-checksum-crc32: NjowIA==).
  assert.equal(computeChecksum('crc32', Buffer.from('hello\n')), 'NjowIA==');
  assert.equal(computeChecksum('sha256', Buffer.alloc(0)), '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
  assert.equal(computeChecksum('sha1', Buffer.alloc(0)), '2jmj7l5rSw0yVb/vlWAYkK/YBwk=');
});

test('CRC-64/NVME over data longer than one table step agrees with a bitwise reference', () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 131 + 7) & 0xff));
  let crc = 0xffffffffffffffffn;
  const poly = 0x9a6c9329ac4bc9b5n;
  for (const b of data) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  crc ^= 0xffffffffffffffffn;
  assert.equal(crc64nvme(data).toString('hex'), crc.toString(16).padStart(16, '0'));
});

test('checksum header names map to algorithms', () => {
  assert.equal(checksumAlgorithmOfHeader('x-amz-checksum-crc64nvme'), 'crc64nvme');
  assert.equal(checksumAlgorithmOfHeader('x-amz-checksum-md5'), undefined);
  assert.equal(checksumAlgorithmOfHeader('x-amz-meta-crc32'), undefined);
});

test('a checksum fed in pieces equals the one-shot digest, for every algorithm', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog, '.repeat(50));
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const hasher = createChecksumHasher(algorithm);
    hasher.update(data.subarray(0, 7));
    hasher.update(data.subarray(7, 1000));
    hasher.update(data.subarray(1000));
    assert.deepEqual(hasher.digest(), checksumDigest(algorithm, data), algorithm);
  }
});
