// The arithmetic of completed multipart objects: ETag, composite checksums and full-object CRCs
// combined from the parts' CRCs (checked against CRCs computed over the concatenated bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { computeChecksum } from '../../../../src/auth/checksums.ts';
import { combineCrcs, compositeChecksum, isWellFormedChecksum, multipartEtag } from '../../../../src/services/s3/multipart/checksums.ts';

test('multipartEtag: MD5 of the binary part MD5s, then -N', () => {
  const parts = [Buffer.from('hello '), Buffer.from('world')];
  const md5s = parts.map((p) => createHash('md5').update(p).digest('hex'));
  const expected = createHash('md5').update(Buffer.concat(md5s.map((h) => Buffer.from(h, 'hex')))).digest('hex');
  assert.equal(multipartEtag(md5s), `${expected}-2`);
  // A one-part upload is still "-1", never the part's own MD5.
  assert.equal(multipartEtag([md5s[0]!]), `${createHash('md5').update(Buffer.from(md5s[0]!, 'hex')).digest('hex')}-1`);
});

test('compositeChecksum: the checksum of the concatenated binary part checksums, then -N', () => {
  const parts = [Buffer.from('abc'), Buffer.from('defg'), Buffer.from('')];
  for (const [api, alg] of [['SHA256', 'sha256'], ['CRC32', 'crc32'], ['SHA1', 'sha1']] as const) {
    const values = parts.map((p) => computeChecksum(alg, p));
    const joined = Buffer.concat(values.map((v) => Buffer.from(v, 'base64')));
    assert.equal(compositeChecksum(api, values), `${computeChecksum(alg, joined)}-3`);
  }
});

test('combineCrcs gives the CRC of the concatenated bytes for CRC32, CRC32C and CRC64NVME', () => {
  const parts = [randomBytes(5000), randomBytes(1), Buffer.alloc(0), randomBytes(65537), Buffer.from('tail')];
  for (const [api, alg] of [['CRC32', 'crc32'], ['CRC32C', 'crc32c'], ['CRC64NVME', 'crc64nvme']] as const) {
    const combined = combineCrcs(api, parts.map((p) => ({ checksum: computeChecksum(alg, p), size: p.length })));
    assert.equal(combined, computeChecksum(alg, Buffer.concat(parts)), api);
  }
});

test('combineCrcs of known vectors: "123456789" split in two', () => {
  const a = Buffer.from('1234');
  const b = Buffer.from('56789');
  const parts = [a, b].map((p) => ({ size: p.length }));
  // CRC-32 check value 0xCBF43926, CRC-32C 0xE3069283, CRC-64/NVME 0xAE8B14860A799888.
  assert.equal(combineCrcs('CRC32', [a, b].map((p, i) => ({ ...parts[i]!, checksum: computeChecksum('crc32', p) }))), Buffer.from('cbf43926', 'hex').toString('base64'));
  assert.equal(combineCrcs('CRC32C', [a, b].map((p, i) => ({ ...parts[i]!, checksum: computeChecksum('crc32c', p) }))), Buffer.from('e3069283', 'hex').toString('base64'));
  assert.equal(
    combineCrcs('CRC64NVME', [a, b].map((p, i) => ({ ...parts[i]!, checksum: computeChecksum('crc64nvme', p) }))),
    Buffer.from('ae8b14860a799888', 'hex').toString('base64'),
  );
});

test('isWellFormedChecksum: base64 of exactly the digest length', () => {
  assert.equal(isWellFormedChecksum('CRC32', computeChecksum('crc32', Buffer.from('x'))), true);
  assert.equal(isWellFormedChecksum('CRC32', computeChecksum('sha1', Buffer.from('x'))), false);
  assert.equal(isWellFormedChecksum('SHA256', 'not base64!'), false);
  assert.equal(isWellFormedChecksum('CRC64NVME', computeChecksum('crc64nvme', Buffer.from('x'))), true);
});
