/**
 * Pulls chunks from a Readable one at a time, so the caller reads only as fast as it can write
 * (the source stays paused in between, and an HTTP request's socket is throttled by TCP).
 *
 * Unlike `for await`, giving up early does not destroy the source: when a body is refused
 * (EntityTooLarge) the request must stay open for the error response, and the caller decides
 * whether to drain it or close the connection.
 */
import type { Readable } from 'node:stream';

/**
 * Keeps an 'error' listener on the source while `work` runs: the source may fail while the
 * writer is busy with the disk, and an 'error' event with no listener would crash the process.
 * The error is not lost: nextChunk() finds it in `source.errored`.
 */
export async function guardingErrors<T>(source: Readable, work: () => Promise<T>): Promise<T> {
  const ignore = (): void => undefined;
  source.on('error', ignore);
  try {
    return await work();
  } finally {
    // A destroyed source emits its 'error' on a later tick, possibly after `work` has already
    // rejected with that very error (a small body has nothing left to await): keep swallowing it.
    if (!source.destroyed) source.off('error', ignore);
  }
}

/** The next chunk, or null at the end; rejects with the source's error. */
export async function nextChunk(source: Readable): Promise<Buffer | null> {
  for (;;) {
    if (source.errored) throw source.errored;
    const chunk: unknown = source.read();
    if (chunk !== null) return toBuffer(chunk);
    if (source.readableEnded) return null;
    // read() may itself have failed the source (a _read that destroys it with an error).
    if (source.destroyed) throw source.errored ?? new Error('the source was closed before its end');
    await sourceChanged(source);
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('a blob source must yield bytes');
}

/** Resolves when the source has data, ends or closes; rejects when it errors. */
function sourceChanged(source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (err?: Error): void => {
      source.off('readable', onChange);
      source.off('end', onChange);
      source.off('close', onChange);
      source.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onChange = (): void => settle();
    const onError = (err: Error): void => settle(err);
    source.on('readable', onChange);
    source.on('end', onChange);
    source.on('close', onChange);
    source.on('error', onError);
  });
}
