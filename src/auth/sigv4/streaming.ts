/**
 * Request bodies verified while they stream (S3 PutObject/UploadPart, up to 5 GiB, never held in
 * memory). Authentication checks the header or presigned signature first, which does not depend
 * on the body; the body then flows through one of three decoders chosen by x-amz-content-sha256:
 *
 *   <64 hex digits>          bytes pass through while hashed; a mismatch at the end is an error
 *   STREAMING-…              aws-chunked framing removed, chunk/trailer signatures and trailing
 *                            checksums checked (the same AwsChunkedDecoder the buffered path uses)
 *   UNSIGNED-PAYLOAD, none   bytes pass through
 *
 * A failure errors the stream with `toError(failure)`: the pipeline renders the AuthFailure in the
 * service's wording, so the handler reading the body sees an AwsError it can let propagate.
 *
 * A small upload usually arrives in the same packets as its headers, so by the time it is
 * authenticated all of it is buffered (takeBufferedBody in core/http.ts). Such a body is decoded
 * at once, with the same decoder and the same checks, into a stream that already holds the
 * result (DecodedBodyStream): no pipe, no Transform, no extra turns of the event loop.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { takeBufferedBody, type RequestBodyStream } from '../../core/http.ts';
import { AwsChunkedDecoder } from './chunked.ts';
import { AuthFailure } from './types.ts';

/** What turns a verifier failure into the error the stream reports. */
export type StreamErrorMapper = (failure: AuthFailure) => Error;

/** The incremental shape every body decoder has (AwsChunkedDecoder is one). */
export interface BodyDecoder {
  /** Takes raw bytes split anywhere, hands decoded bytes to `emit`; throws AuthFailure. */
  write(input: Buffer, emit: (data: Buffer) => void): void;
  /** The body ended: final checks; returns the trailers. Throws AuthFailure. */
  end(): Record<string, string>;
}

function incompleteBody(message: string): AuthFailure {
  return new AuthFailure('incomplete-body', { message });
}

/**
 * Counts bytes against Content-Length. node:http already refuses a socket that closes early, but
 * in-process callers hand over any Readable; a short body is S3's IncompleteBody either way.
 */
class LengthCounter {
  private seen = 0;
  constructor(private readonly expected: number | undefined) {}
  add(n: number): void {
    this.seen += n;
  }
  check(): void {
    if (this.expected !== undefined && this.seen < this.expected) {
      throw incompleteBody(`Content-Length is ${this.expected} but the body carried ${this.seen} bytes`);
    }
  }
}

/** UNSIGNED-PAYLOAD (and presigned uploads): the bytes as sent. */
export class PassThroughDecoder implements BodyDecoder {
  private readonly length: LengthCounter;
  constructor(contentLength?: number) {
    this.length = new LengthCounter(contentLength);
  }
  write(input: Buffer, emit: (data: Buffer) => void): void {
    this.length.add(input.length);
    emit(input);
  }
  end(): Record<string, string> {
    this.length.check();
    return {};
  }
}

/** A hex x-amz-content-sha256: the bytes pass while hashed; the hash is compared at the end. */
export class Sha256CheckingDecoder implements BodyDecoder {
  private readonly hash: Hash = createHash('sha256');
  private readonly length: LengthCounter;
  constructor(
    private readonly declaredHash: string,
    contentLength?: number,
  ) {
    this.length = new LengthCounter(contentLength);
  }
  write(input: Buffer, emit: (data: Buffer) => void): void {
    this.length.add(input.length);
    this.hash.update(input);
    emit(input);
  }
  end(): Record<string, string> {
    this.length.check();
    const computed = this.hash.digest('hex');
    if (computed !== this.declaredHash.toLowerCase()) {
      throw new AuthFailure('payload-hash-mismatch', { declaredHash: this.declaredHash, computedHash: computed });
    }
    return {};
  }
}

/** The transform between the socket and the handler. */
class VerifyingBodyStream extends Transform implements RequestBodyStream {
  trailers: Record<string, string> = {};

  constructor(
    private readonly decoder: BodyDecoder,
    private readonly toError: StreamErrorMapper,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.decoder.write(chunk, (data) => this.push(data));
      callback();
    } catch (err) {
      callback(this.mapped(err));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      // Filled before 'end' is emitted, as RequestBodyStream promises.
      this.trailers = this.decoder.end();
      callback();
    } catch (err) {
      callback(this.mapped(err));
    }
  }

  mapped(err: unknown): Error {
    if (err instanceof AuthFailure) return this.toError(err);
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * A body decoded in one pass: it holds the decoded bytes (and its trailers) from the start, or
 * the failure, which errors the stream when it is first read — where the streamed path would
 * have failed too, so the reader sees the same AwsError either way.
 */
class DecodedBodyStream extends Readable implements RequestBodyStream {
  trailers: Record<string, string> = {};
  private failure: Error | undefined;

  constructor(outcome: { decoded: Buffer[]; trailers: Record<string, string> } | { failure: Error }) {
    super();
    if ('failure' in outcome) {
      this.failure = outcome.failure;
      return;
    }
    this.trailers = outcome.trailers;
    for (const data of outcome.decoded) this.push(data);
    this.push(null);
  }

  override _read(): void {
    if (this.failure) this.destroy(this.failure);
  }
}

/** A whole body at most this large is decoded at once; larger ones (rarely complete so early) stream. */
const WHOLE_BODY_MAX_BYTES = 1024 * 1024;

/** Runs a whole body's bytes through `decoder` at once. */
function decodedAtOnce(raw: Buffer[], decoder: BodyDecoder, toError: StreamErrorMapper): RequestBodyStream {
  const decoded: Buffer[] = [];
  let out: DecodedBodyStream;
  try {
    for (const chunk of raw) decoder.write(chunk, (data) => decoded.push(data));
    out = new DecodedBodyStream({ decoded, trailers: decoder.end() });
  } catch (err) {
    out = new DecodedBodyStream({ failure: err instanceof AuthFailure ? toError(err) : err instanceof Error ? err : new Error(String(err)) });
  }
  // As for the streamed body: a failure nobody reads must not crash the process.
  out.on('error', () => {});
  return out;
}

/**
 * Connects `source` (the socket's IncomingMessage, or any Readable in-process) through `decoder`.
 * A source that fails or closes before its end (the client went away) errors the result with
 * IncompleteBody. A source already received whole is decoded at once (decodedAtOnce).
 */
export function verifyingBodyStream(source: Readable, decoder: BodyDecoder, toError: StreamErrorMapper = (f) => f): RequestBodyStream {
  const whole = takeBufferedBody(source, WHOLE_BODY_MAX_BYTES);
  if (whole) return decodedAtOnce(whole, decoder, toError);
  const out = new VerifyingBodyStream(decoder, toError);
  // A body nobody reads (the request failed before its handler) may still fail when the client
  // hangs up; its readers get errors through their own listeners, the process must not crash.
  out.on('error', () => {});
  const cutShort = () => {
    if (!out.destroyed && !source.readableEnded) out.destroy(toError(incompleteBody('the connection closed before the body ended')));
  };
  source.on('error', cutShort);
  source.on('close', cutShort);
  // Whoever reads the body may stop early (a handler failing on it): stop reading the source,
  // so the edge can drain or close the connection.
  out.on('close', () => {
    if (!source.readableEnded) source.unpipe(out);
  });
  source.pipe(out);
  return out;
}

/** Content-Length as a number, when it is one (absent for Transfer-Encoding: chunked). */
export function declaredContentLength(headers: Record<string, string>): number | undefined {
  const text = headers['content-length'];
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
