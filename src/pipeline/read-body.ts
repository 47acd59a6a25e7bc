/**
 * Buffering a request body that arrived as a stream, under a size limit. A body declared (by
 * Content-Length) or found to be larger is not kept: the caller answers 413, and the edge then
 * drains or closes the connection, since the rest of the body may still be on the wire.
 */
import type { Readable } from 'node:stream';
import { AwsError } from '../core/errors.ts';
import { takeBufferedBody } from '../core/http.ts';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export type ReadBody = { kind: 'read'; body: Buffer } | { kind: 'oversized'; declaredBytes: number };

/**
 * Reads with listeners rather than `for await`, which would destroy the stream (and with an
 * IncomingMessage, the socket) on an early stop: the 413 still has to be written.
 */
export function readBodyUnderLimit(stream: Readable, headers: Record<string, string>, limit: number): Promise<ReadBody> {
  const declared = Number(headers['content-length'] ?? 0);
  if (declared > limit) return Promise.resolve({ kind: 'oversized', declaredBytes: declared });
  const whole = takeBufferedBody(stream, limit);
  if (whole) return Promise.resolve({ kind: 'read', body: whole.length === 1 ? whole[0]! : Buffer.concat(whole) });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      // Stop at once: whatever is left is the edge's to drain or cut off.
      stop();
      stream.pause();
      resolve({ kind: 'oversized', declaredBytes: Math.max(declared, size) });
    };
    const onEnd = () => {
      stop();
      resolve({ kind: 'read', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    };
    const onError = (err: unknown) => {
      stop();
      if (err instanceof AwsError) reject(err);
      // The client went away mid-body; nobody reads the answer, but it must not be a 500.
      else reject(new AwsError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.', { status: 400, cause: err }));
    };
    const onClose = () => onError(new Error('the body stream closed before its end'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
