/**
 * Decoding `content-encoding: aws-chunked` bodies (S3 streaming uploads):
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0[;chunk-signature=<sig>]\r\n
 *   [trailer-name:value\r\n …][x-amz-trailer-signature:<sig>\r\n]\r\n
 *
 * Signed chunks chain: each chunk's signature covers the previous one, starting from the seed
 * (the request signature); a signed trailer continues the chain. See AWS's "Transferring Payload
 * in Multiple Chunks" and "Including Trailing Headers".
 *
 * One incremental decoder (AwsChunkedDecoder) serves both the buffered path (decodeAwsChunked,
 * the whole body at once) and streamed uploads (src/auth/sigv4/streaming.ts, bytes as they come
 * off the socket, split anywhere). It holds at most one header or trailer line, never a chunk.
 */
import { createHash, type Hash } from 'node:crypto';
import { checksumAlgorithmOfHeader, createChecksumHasher, type ChecksumAlgorithm, type ChecksumHasher } from '../checksums.ts';
import { EMPTY_SHA256, sha256Hex, signatureHex } from './canonical.ts';
import { AuthFailure } from './types.ts';

export interface ChunkSigning {
  key: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

export interface DecodeOptions {
  /** Present when chunks carry chunk-signature extensions that must verify. */
  signing?: ChunkSigning;
  /** True for the *-TRAILER payload modes: the trailer section is signed when signing is set. */
  trailer: boolean;
  /** Trailer names announced in x-amz-trailer (lower-cased); each must arrive. */
  expectedTrailers: string[];
  /** x-amz-decoded-content-length, when sent. */
  decodedLength?: number;
}

export interface DecodedBody {
  body: Buffer;
  trailers: Record<string, string>;
}

/** A chunk header ("10000;chunk-signature=<64 hex>") or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4096;
/** All trailer lines together (a few checksums and a signature) stay far below this. */
const MAX_TRAILER_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;

function malformed(message: string): AuthFailure {
  return new AuthFailure('malformed-chunk', { message });
}

function parseChunkSize(text: string): number {
  if (text.length === 0 || text.length > 12) throw malformed(`invalid chunk size '${text}'`);
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (digit < 0) throw malformed(`invalid chunk size '${text}'`);
    size = size * 16 + digit;
  }
  return size;
}

/** Splits "10000;chunk-signature=abc" into the size and the signature extension (if any). */
function parseChunkHeader(line: string): { size: number; signature: string | undefined } {
  const semi = line.indexOf(';');
  const size = parseChunkSize((semi < 0 ? line : line.slice(0, semi)).trim());
  if (semi < 0) return { size, signature: undefined };
  let signature: string | undefined;
  for (const ext of line.slice(semi + 1).split(';')) {
    const eq = ext.indexOf('=');
    if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
  }
  return { size, signature };
}

function chunkStringToSign(s: ChunkSigning, previous: string, dataSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previous}\n${EMPTY_SHA256}\n${dataSha256Hex}`;
}

function trailerStringToSign(s: ChunkSigning, previous: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previous}\n${sha256Hex(canonicalTrailers)}`;
}

/** Checks one chunk's signature against the chain; returns it as the next chunk's `previous`. */
function checkChunkSignature(s: ChunkSigning, previous: string, dataSha256Hex: string, provided: string | undefined): string {
  if (provided === undefined) throw malformed('a chunk is missing its chunk-signature');
  const stringToSign = chunkStringToSign(s, previous, dataSha256Hex);
  const expected = signatureHex(s.key, stringToSign);
  if (expected !== provided) {
    throw new AuthFailure('chunk-signature-mismatch', { stringToSign, signatureProvided: provided });
  }
  return expected;
}

type State =
  | 'chunk-header' // reading "<size>[;ext]\r\n"
  | 'chunk-data' // `remaining` bytes of the current chunk
  | 'chunk-crlf' // the CRLF after a chunk's data (`crlfSeen` of its 2 bytes so far)
  | 'trailers' // trailer lines up to the empty line
  | 'done'; // everything after the empty line is ignored

/**
 * The aws-chunked state machine. write() takes raw bytes split anywhere and hands decoded payload
 * to `emit` as it goes; end() runs the checks that need the whole body (decoded length, trailer
 * presence, trailer signature, trailer checksums) and returns the trailers. Both throw
 * AuthFailure. Payload bytes are emitted before their chunk's signature has been checked (a chunk
 * may be gigabytes), so a consumer must not commit anything before end() has succeeded.
 */
export class AwsChunkedDecoder {
  private state: State = 'chunk-header';
  /** The partial header or trailer line carried over from the previous write. */
  private line: Buffer[] = [];
  private lineBytes = 0;
  private chunkSize = 0;
  private remaining = 0;
  private crlfSeen = 0;
  private chunkSignature: string | undefined;
  private chunkHash: Hash | undefined;
  private previous: string;
  private decodedBytes = 0;
  private trailerBytes = 0;
  private readonly trailers: Record<string, string> = {};
  private canonicalTrailers = '';
  private trailerSignature: string | undefined;
  private readonly checksums = new Map<ChecksumAlgorithm, ChecksumHasher>();

  constructor(private readonly opts: DecodeOptions) {
    this.previous = opts.signing?.seedSignature ?? '';
    // Trailing checksums cover the decoded bytes, which are gone by the time the trailer arrives:
    // hash with every algorithm x-amz-trailer announces while the data passes.
    for (const name of opts.expectedTrailers) {
      const algorithm = checksumAlgorithmOfHeader(name);
      if (algorithm && !this.checksums.has(algorithm)) this.checksums.set(algorithm, createChecksumHasher(algorithm));
    }
  }

  write(input: Buffer, emit: (data: Buffer) => void): void {
    let pos = 0;
    while (pos < input.length && this.state !== 'done') {
      switch (this.state) {
        case 'chunk-header':
        case 'trailers': {
          const lineEnd = this.takeLine(input, pos);
          if (lineEnd === undefined) return; // the line continues in the next write
          pos = lineEnd.next;
          if (this.state === 'chunk-header') this.onChunkHeader(lineEnd.line);
          else this.onTrailerLine(lineEnd.line);
          break;
        }
        case 'chunk-data': {
          const n = Math.min(this.remaining, input.length - pos);
          const data = input.subarray(pos, pos + n);
          this.onData(data);
          emit(data);
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = 'chunk-crlf';
          break;
        }
        case 'chunk-crlf': {
          const expected = this.crlfSeen === 0 ? CR : LF;
          if (input[pos] !== expected) throw malformed('a chunk is not followed by CRLF');
          pos++;
          if (++this.crlfSeen === 2) this.finishChunk();
          break;
        }
      }
    }
  }

  /** The body has ended: the final checks. Returns the trailers (lower-cased names). */
  end(): Record<string, string> {
    if (this.state === 'chunk-header') throw malformed('the chunked body ended inside a chunk header');
    if (this.state === 'chunk-data' || this.state === 'chunk-crlf') throw malformed(`a chunk of ${this.chunkSize} bytes is truncated`);
    // A missing final CRLF is tolerated: the data and its signatures are already complete.
    if (this.state === 'trailers' && this.lineBytes > 0) throw malformed('the chunked body ended inside a trailer line');
    this.checkTrailerSignature();
    this.checkDecodedLength();
    for (const name of this.opts.expectedTrailers) {
      if (this.trailers[name] === undefined) throw malformed(`the trailer ${name} announced in x-amz-trailer is missing`);
    }
    this.checkTrailerChecksums();
    return this.trailers;
  }

  /** Finds the CRLF ending the current line; keeps a partial line for the next write. */
  private takeLine(input: Buffer, pos: number): { line: string; next: number } | undefined {
    // A CR at the end of the previous piece and the LF at the start of this one end the line too.
    const carriedCr = this.lineBytes > 0 && this.line[this.line.length - 1]![this.line[this.line.length - 1]!.length - 1] === CR;
    if (carriedCr && input[pos] === LF) return { line: this.collectLine(Buffer.alloc(0), 1), next: pos + 1 };
    const end = input.indexOf('\r\n', pos, 'latin1');
    if (end < 0) {
      this.appendLinePiece(input.subarray(pos));
      return undefined;
    }
    if (this.lineBytes + (end - pos) > MAX_LINE_BYTES) throw malformed('a chunk header or trailer line is too long');
    return { line: this.collectLine(input.subarray(pos, end), 0), next: end + 2 };
  }

  private appendLinePiece(piece: Buffer): void {
    this.lineBytes += piece.length;
    if (this.lineBytes > MAX_LINE_BYTES) throw malformed('a chunk header or trailer line is too long');
    this.line.push(Buffer.from(piece)); // copied: the caller's buffer may be reused
  }

  /** The carried pieces plus `last`, without the `dropCarried` trailing bytes (a carried CR). */
  private collectLine(last: Buffer, dropCarried: number): string {
    const carried = this.line.length === 0 ? '' : Buffer.concat(this.line).toString('latin1');
    this.line = [];
    this.lineBytes = 0;
    return carried.slice(0, carried.length - dropCarried) + last.toString('latin1');
  }

  private onChunkHeader(line: string): void {
    const { size, signature } = parseChunkHeader(line);
    this.chunkSignature = signature;
    if (this.opts.signing) this.chunkHash = createHash('sha256');
    if (size === 0) {
      this.finishFinalChunk();
      return;
    }
    this.chunkSize = size;
    this.remaining = size;
    this.state = 'chunk-data';
  }

  private onData(data: Buffer): void {
    this.decodedBytes += data.length;
    if (this.opts.decodedLength !== undefined && this.decodedBytes > this.opts.decodedLength) {
      throw malformed(`x-amz-decoded-content-length is ${this.opts.decodedLength} but the chunks carry more bytes`);
    }
    this.chunkHash?.update(data);
    for (const hasher of this.checksums.values()) hasher.update(data);
  }

  private finishChunk(): void {
    if (this.opts.signing) {
      this.previous = checkChunkSignature(this.opts.signing, this.previous, this.chunkHash!.digest('hex'), this.chunkSignature);
    }
    this.crlfSeen = 0;
    this.state = 'chunk-header';
  }

  private finishFinalChunk(): void {
    if (this.opts.signing) this.previous = checkChunkSignature(this.opts.signing, this.previous, EMPTY_SHA256, this.chunkSignature);
    this.state = 'trailers';
  }

  /**
   * A trailer line; the empty line ends the body. For a signed trailer the
   * x-amz-trailer-signature line must match the chain; it covers the other lines, each as
   * `name:value\n`.
   */
  private onTrailerLine(line: string): void {
    if (line === '') {
      this.state = 'done';
      return;
    }
    this.trailerBytes += line.length;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw malformed('the trailer section is too long');
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`invalid trailer line '${line}'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.trailerSignature = value;
      return;
    }
    this.trailers[name] = value;
    this.canonicalTrailers += `${name}:${value}\n`;
  }

  /** Fewer bytes than x-amz-decoded-content-length promised: S3's IncompleteBody. */
  private checkDecodedLength(): void {
    const declared = this.opts.decodedLength;
    if (declared !== undefined && this.decodedBytes < declared) {
      throw new AuthFailure('incomplete-body', {
        message: `x-amz-decoded-content-length is ${declared} but the chunks carry ${this.decodedBytes} bytes`,
      });
    }
  }

  private checkTrailerSignature(): void {
    const signing = this.opts.signing;
    if (!this.opts.trailer || !signing) return;
    if (this.trailerSignature === undefined) throw malformed('the signed trailer is missing x-amz-trailer-signature');
    const stringToSign = trailerStringToSign(signing, this.previous, this.canonicalTrailers);
    if (signatureHex(signing.key, stringToSign) !== this.trailerSignature) {
      throw new AuthFailure('chunk-signature-mismatch', { stringToSign, signatureProvided: this.trailerSignature });
    }
  }

  private checkTrailerChecksums(): void {
    for (const [name, value] of Object.entries(this.trailers)) {
      const algorithm = checksumAlgorithmOfHeader(name);
      if (!algorithm) continue;
      const hasher = this.checksums.get(algorithm);
      // Only announced trailers were hashed as the data passed; anything else cannot be checked.
      if (!hasher) throw malformed(`the trailer ${name} was not announced in x-amz-trailer`);
      if (hasher.digest().toString('base64') !== value) {
        throw new AuthFailure('checksum-mismatch', { checksumAlgorithm: algorithm, message: `${name} does not match the decoded body` });
      }
    }
  }
}

/** Decodes a whole aws-chunked body held in memory (the buffered path). */
export function decodeAwsChunked(body: Buffer, opts: DecodeOptions): DecodedBody {
  const decoder = new AwsChunkedDecoder(opts);
  const pieces: Buffer[] = [];
  let length = 0;
  decoder.write(body, (data) => {
    pieces.push(data);
    length += data.length;
  });
  const trailers = decoder.end();
  return { body: pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, length), trailers };
}
