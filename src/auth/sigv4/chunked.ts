/**
 * Decoding `content-encoding: aws-chunked` bodies (S3 streaming uploads):
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n … 0[;chunk-signature=<sig>]\r\n
 *   [trailer-name:value\r\n …][x-amz-trailer-signature:<sig>\r\n]\r\n
 *
 * Signed chunks chain: each chunk's signature covers the previous one, starting from the seed
 * (the request signature); a signed trailer continues the chain. See AWS's "Transferring Payload
 * in Multiple Chunks" and "Including Trailing Headers".
 */
import { checksumAlgorithmOfHeader, computeChecksum } from '../checksums.ts';
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

const CRLF = '\r\n';

function malformed(message: string): AuthFailure {
  return new AuthFailure('malformed-chunk', { message });
}

/** Reads one CRLF-terminated line starting at pos; throws on a truncated body. */
function readLine(body: Buffer, pos: number): { line: string; next: number } {
  const end = body.indexOf(CRLF, pos, 'latin1');
  if (end < 0) throw malformed('the chunked body ended inside a chunk header');
  return { line: body.toString('latin1', pos, end), next: end + 2 };
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

function chunkStringToSign(s: ChunkSigning, previous: string, data: Uint8Array): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previous}\n${EMPTY_SHA256}\n${sha256Hex(data)}`;
}

function trailerStringToSign(s: ChunkSigning, previous: string, canonicalTrailers: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previous}\n${sha256Hex(canonicalTrailers)}`;
}

function checkChunkSignature(s: ChunkSigning, previous: string, data: Uint8Array, provided: string | undefined): string {
  if (provided === undefined) throw malformed('a chunk is missing its chunk-signature');
  const stringToSign = chunkStringToSign(s, previous, data);
  const expected = signatureHex(s.key, stringToSign);
  if (expected !== provided) {
    throw new AuthFailure('chunk-signature-mismatch', { stringToSign, signatureProvided: provided });
  }
  return expected;
}

export function decodeAwsChunked(body: Buffer, opts: DecodeOptions): DecodedBody {
  const pieces: Buffer[] = [];
  let decodedLength = 0;
  let pos = 0;
  let previous = opts.signing?.seedSignature ?? '';
  for (;;) {
    const header = readLine(body, pos);
    const { size, signature } = parseChunkHeader(header.line);
    pos = header.next;
    if (size === 0) {
      if (opts.signing) previous = checkChunkSignature(opts.signing, previous, Buffer.alloc(0), signature);
      break;
    }
    if (pos + size + 2 > body.length) throw malformed(`a chunk of ${size} bytes is truncated`);
    const data = body.subarray(pos, pos + size);
    if (body[pos + size] !== 0x0d || body[pos + size + 1] !== 0x0a) throw malformed('a chunk is not followed by CRLF');
    if (opts.signing) previous = checkChunkSignature(opts.signing, previous, data, signature);
    pieces.push(data);
    decodedLength += size;
    pos += size + 2;
  }
  const trailers = readTrailers(body, pos, opts, previous);
  const decoded = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, decodedLength);
  if (opts.decodedLength !== undefined && opts.decodedLength !== decoded.length) {
    throw malformed(`x-amz-decoded-content-length is ${opts.decodedLength} but the chunks carry ${decoded.length} bytes`);
  }
  for (const name of opts.expectedTrailers) {
    if (trailers[name] === undefined) throw malformed(`the trailer ${name} announced in x-amz-trailer is missing`);
  }
  verifyTrailerChecksums(decoded, trailers);
  return { body: decoded, trailers };
}

/**
 * Reads the trailer lines after the final chunk up to the empty line. For a signed trailer the
 * x-amz-trailer-signature line must match the chain; it covers the other lines, each as
 * `name:value\n`.
 */
function readTrailers(body: Buffer, start: number, opts: DecodeOptions, previous: string): Record<string, string> {
  const trailers: Record<string, string> = {};
  let canonical = '';
  let trailerSignature: string | undefined;
  let pos = start;
  // A missing final CRLF is tolerated: the data and its signatures are already complete.
  while (pos < body.length) {
    const { line, next } = readLine(body, pos);
    pos = next;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`invalid trailer line '${line}'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      trailerSignature = value;
      continue;
    }
    trailers[name] = value;
    canonical += `${name}:${value}\n`;
  }
  if (opts.trailer && opts.signing) {
    if (trailerSignature === undefined) throw malformed('the signed trailer is missing x-amz-trailer-signature');
    const stringToSign = trailerStringToSign(opts.signing, previous, canonical);
    if (signatureHex(opts.signing.key, stringToSign) !== trailerSignature) {
      throw new AuthFailure('chunk-signature-mismatch', { stringToSign, signatureProvided: trailerSignature });
    }
  }
  return trailers;
}

function verifyTrailerChecksums(decoded: Buffer, trailers: Record<string, string>): void {
  for (const [name, value] of Object.entries(trailers)) {
    const algorithm = checksumAlgorithmOfHeader(name);
    if (!algorithm) continue;
    if (computeChecksum(algorithm, decoded) !== value) {
      throw new AuthFailure('checksum-mismatch', { checksumAlgorithm: algorithm, message: `${name} does not match the decoded body` });
    }
  }
}
