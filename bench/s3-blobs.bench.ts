/**
 * S3 blob store throughput: writes a 256 MiB stream (64 KiB chunks, as HTTP delivers them) to an
 * encrypted blob, then reads it back whole and in ranges, printing MiB/s. For scale it also times
 * the pieces alone on one core: MD5, AES-256-GCM and the default CRC32 checksum over the same bytes.
 * Run: npx tsx bench/s3-blobs.bench.ts [MiB]   (uses a temporary directory under os.tmpdir()).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from '../src/auth/checksums.ts';
import { openBlobStore } from '../src/services/s3/blobs/index.ts';

const MIB = 1024 * 1024;
const TOTAL = Number(process.argv[2] ?? 256) * MIB;
const CHUNK = 64 * 1024;
const pool = randomBytes(16 * MIB);

function* chunks(total: number): Generator<Buffer> {
  for (let sent = 0; sent < total; sent += CHUNK) {
    const at = sent % pool.length;
    yield pool.subarray(at, at + Math.min(CHUNK, total - sent));
  }
}

function rate(bytes: number, ms: number): string {
  return `${((bytes / MIB) / (ms / 1000)).toFixed(0).padStart(6)} MiB/s  (${ms.toFixed(0)} ms)`;
}

function timeSync(label: string, work: (chunk: Buffer) => void, finish: () => void = () => undefined): void {
  const start = performance.now();
  for (const chunk of chunks(TOTAL)) work(chunk);
  finish();
  console.log(`${label.padEnd(34)} ${rate(TOTAL, performance.now() - start)}`);
}

async function drain(stream: Readable): Promise<number> {
  let bytes = 0;
  await pipeline(
    stream,
    new Writable({
      highWaterMark: MIB,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  return bytes;
}

/** The disk alone: the same bytes written unencrypted in 4 MiB writes, then fsynced. */
async function timeDisk(dir: string): Promise<void> {
  const start = performance.now();
  const handle = await open(join(dir, 'plain'), 'w');
  let batch: Buffer[] = [];
  let position = 0;
  for (const chunk of chunks(TOTAL)) {
    batch.push(chunk);
    if (batch.length === 64) {
      position += (await handle.writev(batch, position)).bytesWritten;
      batch = [];
    }
  }
  if (batch.length) await handle.writev(batch, position);
  const written = performance.now();
  await handle.sync();
  await handle.close();
  const end = performance.now();
  console.log(`${'disk alone (plain write + fsync)'.padEnd(34)} ${rate(TOTAL, end - start)}  fsync ${(end - written).toFixed(0)} ms`);
  await rm(join(dir, 'plain'));
}

async function main(): Promise<void> {
  console.log(`payload ${TOTAL / MIB} MiB in ${CHUNK / 1024} KiB chunks\n`);
  const md5 = createHash('md5');
  timeSync('md5 alone', (c) => md5.update(c), () => md5.digest());
  const key = randomBytes(32);
  const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
  timeSync('aes-256-gcm alone', (c) => cipher.update(c), () => cipher.final());
  let crc = 0;
  timeSync('crc32 alone', (c) => void (crc = crc32(c, crc)));

  const dir = mkdtempSync(join(tmpdir(), 'bonsai-blob-bench-'));
  try {
    await timeDisk(dir);
    const store = openBlobStore(dir);
    for (const [label, algorithms] of [
      ['write (md5)', []],
      ['write (md5 + crc32)', ['crc32']],
    ] as const) {
      const start = performance.now();
      const written = await store.write(Readable.from(chunks(TOTAL), { objectMode: false, highWaterMark: MIB }), { key, checksumAlgorithms: algorithms });
      console.log(`${label.padEnd(34)} ${rate(written.size, performance.now() - start)}  incl. fsync`);
      if (label === 'write (md5)') {
        let t = performance.now();
        const bytes = await drain(store.read(written.blobId, key));
        console.log(`${'read whole'.padEnd(34)} ${rate(bytes, performance.now() - t)}`);
        t = performance.now();
        let ranged = 0;
        for (let i = 0; i < 200; i++) {
          const start = Math.floor(Math.random() * (TOTAL - MIB));
          ranged += await drain(store.read(written.blobId, key, { start, end: start + 100 * 1024 - 1 }));
        }
        const ms = performance.now() - t;
        console.log(`${'read 200 x 100 KiB ranges'.padEnd(34)} ${rate(ranged, ms)}  ${(ms / 200).toFixed(2)} ms each`);
      }
      await store.delete(written.blobId);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
