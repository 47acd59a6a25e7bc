/**
 * MD5 and the requested checksums over a blob's plaintext as it streams.
 *
 * Small bodies are hashed on the main thread (a worker round trip would cost more than the
 * hashing). Once a body passes OFFLOAD_THRESHOLD_BYTES, or announces that it will, MD5 and the
 * SHA checksums move to the hashing worker (hash-worker.ts) so they run beside the encryption.
 * "Passes" is strict: a body of exactly the threshold (a 1 MiB PUT) is hashed here, in place,
 * instead of being copied into the worker's batch on its last chunk just to finish there. An
 * announced size at or under the threshold keeps the body here unless it turns out longer.
 * CRC32 (zlib, several GB/s) and the table-driven CRC32C/CRC64NVME stay on the main thread.
 */
import { createHash } from 'node:crypto';
import { createChecksumHasher, type ChecksumAlgorithm, type ChecksumHasher } from '../../../auth/checksums.ts';
import type { WrittenBlob } from './types.ts';
import { OffloadedHashes, type OffloadedAlgorithm } from './hash-worker.ts';

export const OFFLOAD_THRESHOLD_BYTES = 1024 * 1024;

const OFFLOADABLE: ReadonlySet<ChecksumAlgorithm> = new Set<ChecksumAlgorithm>(['sha1', 'sha256']);

export class PlaintextDigests {
  size = 0;
  /** Checksums computed here whatever the body's size. */
  private readonly local: Array<[ChecksumAlgorithm, ChecksumHasher]>;
  /** MD5 first, then the SHA checksums: the worker's job when the body is large. */
  private readonly offloadable: OffloadedAlgorithm[];
  /** The chunks of a body still small enough to hash here; referenced, not copied. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private offloaded: OffloadedHashes | undefined;

  constructor(algorithms: readonly ChecksumAlgorithm[], expectedSize?: number) {
    const unique = [...new Set(algorithms)];
    this.local = unique.filter((a) => !OFFLOADABLE.has(a)).map((a) => [a, createChecksumHasher(a)]);
    this.offloadable = ['md5', ...(unique.filter((a) => OFFLOADABLE.has(a)) as OffloadedAlgorithm[])];
    if (expectedSize !== undefined && expectedSize > OFFLOAD_THRESHOLD_BYTES) this.offloaded = new OffloadedHashes(this.offloadable);
  }

  /** Whether MD5 and the SHA checksums went to the hashing worker (for tests and measurement). */
  get usesWorker(): boolean {
    return this.offloaded !== undefined;
  }

  update(chunk: Buffer): void {
    this.size += chunk.length;
    for (const [, hasher] of this.local) hasher.update(chunk);
    if (this.offloaded) {
      this.offloaded.update(chunk);
      return;
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes > OFFLOAD_THRESHOLD_BYTES) {
      this.offloaded = new OffloadedHashes(this.offloadable);
      for (const held of this.held) this.offloaded.update(held);
      this.held = [];
    }
  }

  /** Backpressure from the hashing worker. */
  async waitForRoom(): Promise<void> {
    if (this.offloaded) await this.offloaded.waitForRoom();
  }

  async result(): Promise<Omit<WrittenBlob, 'blobId'>> {
    const offloadedDigests = this.offloaded ? await this.offloaded.digests() : this.hashHeld();
    const [md5, ...shaDigests] = offloadedDigests;
    const checksums: WrittenBlob['checksums'] = {};
    for (const [algorithm, hasher] of this.local) checksums[algorithm] = hasher.digest();
    this.offloadable.slice(1).forEach((algorithm, i) => (checksums[algorithm as ChecksumAlgorithm] = shaDigests[i]!));
    return { size: this.size, md5: md5!, checksums };
  }

  /** Stops the worker's job of a write that failed. */
  abort(): void {
    this.offloaded?.abort();
  }

  private hashHeld(): Buffer[] {
    return this.offloadable.map((algorithm) => {
      const hash = createHash(algorithm);
      for (const chunk of this.held) hash.update(chunk);
      return hash.digest();
    });
  }
}
