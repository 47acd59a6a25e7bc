/**
 * A worker thread that computes MD5 (and SHA-1/SHA-256 when asked) off the main thread. MD5 runs
 * at ~600 MB/s in Node and AES-GCM at ~1 GB/s; on one thread together they cap a write near
 * 350 MB/s, while the machine has a second core. Large bodies are copied into 1 MiB batches whose
 * memory is transferred (not cloned) to the worker; the writer waits when more than a few MiB are
 * not yet hashed, so a slow worker slows the upload instead of growing memory.
 *
 * The worker's code is a string using only node: modules, so it runs the same under tsx (tests)
 * and from the esbuild bundle (dist/bonsai.mjs), with no file of its own to locate.
 */
import { Worker } from 'node:worker_threads';

export type OffloadedAlgorithm = 'md5' | 'sha1' | 'sha256';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'start') {
    jobs.set(m.job, m.algorithms.map((a) => createHash(a)));
  } else if (m.type === 'data') {
    const hashes = jobs.get(m.job);
    if (hashes) for (const h of hashes) h.update(m.data);
    parentPort.postMessage({ job: m.job, type: 'ack', bytes: m.data.byteLength });
  } else if (m.type === 'end') {
    const hashes = jobs.get(m.job) || [];
    jobs.delete(m.job);
    parentPort.postMessage({ job: m.job, type: 'digests', digests: hashes.map((h) => h.digest()) });
  } else if (m.type === 'abort') {
    jobs.delete(m.job);
  }
});
`;

const BATCH_BYTES = 1024 * 1024;
/** Bytes sent but not yet hashed before the writer is asked to wait. */
const MAX_UNACKED_BYTES = 8 * 1024 * 1024;

interface JobEvents {
  ack(bytes: number): void;
  digests(digests: Uint8Array[]): void;
  fail(err: Error): void;
}

type WorkerMessage = { job: number; type: 'ack'; bytes: number } | { job: number; type: 'digests'; digests: Uint8Array[] };

/**
 * The process's one hashing worker, started on first use. It holds the process open only while
 * a job is waiting on it (an idle worker must not keep a CLI or test run from exiting).
 */
class HashWorker {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, JobEvents>();
  private nextJob = 1;

  register(events: JobEvents): number {
    const job = this.nextJob++;
    this.jobs.set(job, events);
    this.started().ref();
    return job;
  }

  unregister(job: number): void {
    this.jobs.delete(job);
    if (this.jobs.size === 0) this.worker?.unref();
  }

  post(message: { job: number; type: string; [k: string]: unknown }, transfer: ArrayBuffer[] = []): void {
    this.started().postMessage(message, transfer);
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.on('message', (m: WorkerMessage) => {
      const events = this.jobs.get(m.job);
      if (!events) return;
      if (m.type === 'ack') events.ack(m.bytes);
      else events.digests(m.digests);
    });
    const stopped = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const events of jobs) events.fail(err);
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`the hashing worker exited (code ${code})`)));
    // Unref'd after the listeners (adding a 'message' listener refs it again); register() refs it while busy.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

const hashWorker = new HashWorker();

/** One body's hashes, computed by the worker. */
export class OffloadedHashes {
  private readonly job: number;
  private batch: Buffer | undefined;
  private batched = 0;
  private unacked = 0;
  private failure: Error | undefined;
  private roomWaiter: (() => void) | undefined;
  private readonly result: Promise<Buffer[]>;
  private resolveResult!: (digests: Buffer[]) => void;
  private rejectResult!: (err: Error) => void;

  constructor(algorithms: readonly OffloadedAlgorithm[]) {
    this.result = new Promise<Buffer[]>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(() => undefined); // observed through digests() or not at all (an aborted write)
    this.job = hashWorker.register({
      ack: (bytes) => {
        this.unacked -= bytes;
        this.wakeWriter();
      },
      digests: (digests) => {
        hashWorker.unregister(this.job);
        this.resolveResult(digests.map((d) => Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
      },
      fail: (err) => {
        this.failure = err;
        this.rejectResult(err);
        this.wakeWriter();
      },
    });
    hashWorker.post({ job: this.job, type: 'start', algorithms });
  }

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      // A fresh ArrayBuffer per batch (not the pooled allocUnsafe memory), so it can be transferred.
      this.batch ??= Buffer.from(new ArrayBuffer(BATCH_BYTES));
      const copied = chunk.copy(this.batch, this.batched, offset);
      this.batched += copied;
      offset += copied;
      if (this.batched === BATCH_BYTES) this.send();
    }
  }

  /** Resolves once the worker has caught up enough; the writer reads no more of the source until then. */
  async waitForRoom(): Promise<void> {
    while (this.unacked > MAX_UNACKED_BYTES && !this.failure) {
      await new Promise<void>((resolve) => (this.roomWaiter = resolve));
    }
    if (this.failure) throw this.failure;
  }

  /** The digests, in the order of the algorithms given. */
  async digests(): Promise<Buffer[]> {
    this.send();
    hashWorker.post({ job: this.job, type: 'end' });
    return this.result;
  }

  abort(): void {
    hashWorker.unregister(this.job);
    if (!this.failure) hashWorker.post({ job: this.job, type: 'abort' });
  }

  private send(): void {
    if (!this.batch || this.batched === 0) return;
    // A full batch is transferred as is; a partial one (the body's end) is cut to size first.
    const payload = (this.batched === BATCH_BYTES ? this.batch.buffer : this.batch.buffer.slice(0, this.batched)) as ArrayBuffer;
    hashWorker.post({ job: this.job, type: 'data', data: new Uint8Array(payload) }, [payload]);
    this.unacked += this.batched;
    this.batch = undefined;
    this.batched = 0;
  }

  private wakeWriter(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.();
  }
}
