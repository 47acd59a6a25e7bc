/**
 * Receiving a part's bytes: which checksum the request declares (a header, or a trailer named by
 * x-amz-trailer), whether the upload accepts it, streaming the body to a blob while MD5 and the
 * checksums are computed, then checking them against what the client sent.
 */
import type { RequestContext } from '../../../core/context.ts';
import type { ChecksumAlgorithm } from '../../../auth/checksums.ts';
import { MAX_PART_BYTES } from '../blobs/index.ts';
import type { BlobStore, WrittenBlob } from '../blobs/types.ts';
import { badChecksum, badDigestMd5, invalidChecksumValue } from '../objects/errors.ts';
import { bodyStreamOf, checksumRequestOf, contentMd5Of } from '../objects/upload.ts';
import { hasherAlgorithm, type S3ChecksumAlgorithm } from '../objects/record.ts';
import { isWellFormedChecksum } from './checksums.ts';
import type { UploadRecord } from './db.ts';
import { checksumTypeMismatch } from './errors.ts';

/** The checksum members of UploadPart's input (one header per algorithm). */
export type ChecksumInput = Partial<Record<`Checksum${S3ChecksumAlgorithm}`, string>> & { ChecksumAlgorithm?: string };

/** The checksum a request declares: its value now (header) or once the body has ended (trailer). */
export interface DeclaredChecksum {
  algorithm: S3ChecksumAlgorithm;
  headerValue?: string;
  fromTrailer: boolean;
}

/**
 * The checksum the request declares, parsed as PutObject parses it (objects/upload.ts), except
 * that a part declaring none has none (PutObject's CRC64NVME default is an object's, not a part's).
 */
export function declaredChecksum(ctx: RequestContext, input: ChecksumInput): DeclaredChecksum | undefined {
  const request = checksumRequestOf(input, ctx.request.headers);
  if (!request.inTrailer && request.expected === undefined && input.ChecksumAlgorithm === undefined) return undefined;
  return { algorithm: request.algorithm, ...(request.expected !== undefined ? { headerValue: request.expected } : {}), fromTrailer: request.inTrailer };
}

/**
 * Whether the upload takes a part with this checksum. An upload created with an algorithm wants
 * that algorithm on every part (FULL_OBJECT uploads also take parts without one: S3 computes it);
 * an upload created without one takes any checksum, which is checked but not kept.
 */
export function checkPartChecksumAllowed(upload: UploadRecord, declared: DeclaredChecksum | undefined): void {
  const expected = upload.checksum;
  if (!expected) return;
  if (!declared) {
    if (expected.type === 'COMPOSITE') throw checksumTypeMismatch(expected.algorithm, undefined);
    return;
  }
  if (declared.algorithm !== expected.algorithm) throw checksumTypeMismatch(expected.algorithm, declared.algorithm);
}

/** Content-MD5 as sent: base64 of 16 bytes, else InvalidDigest. */
export const declaredMd5 = contentMd5Of;

/** Trailers arrive on the verifying body stream once it has ended. */
function trailerValue(ctx: RequestContext, body: unknown, algorithm: S3ChecksumAlgorithm): string | undefined {
  const trailers = ctx.requestBody?.trailers ?? (body as { trailers?: Record<string, string> } | undefined)?.trailers;
  return trailers?.[`x-amz-checksum-${algorithm.toLowerCase()}`];
}

export interface ReceivedPart {
  blob: WrittenBlob;
  /** Base64 checksums computed over the part, by algorithm (the upload's, or CRC64NVME when it has none, plus the declared one). */
  checksums: Partial<Record<S3ChecksumAlgorithm, string>>;
}

/**
 * Streams the body into a new blob and checks it against Content-MD5 and the declared checksum.
 * On any mismatch the blob is deleted before the error is thrown.
 */
export async function receivePartBody(
  ctx: RequestContext,
  blobs: BlobStore,
  key: Buffer,
  body: unknown,
  options: { upload: UploadRecord; declared?: DeclaredChecksum; contentMd5?: Buffer },
): Promise<ReceivedPart> {
  // An upload without a checksum algorithm may still be completed with a full-object CRC64NVME
  // (complete.ts objectChecksum), which is combined from the parts'; otherwise the parts'
  // CRC64NVME is never used, and at ~500 MB/s it is worth not computing.
  const algorithms = new Set<S3ChecksumAlgorithm>(options.upload.checksum ? [options.upload.checksum.algorithm] : ['CRC64NVME']);
  if (options.declared) algorithms.add(options.declared.algorithm);
  const blob = await blobs.write(bodyStreamOf(body), {
    key,
    checksumAlgorithms: [...algorithms].map(hasherAlgorithm),
    maxBytes: MAX_PART_BYTES,
  });
  const checksums: ReceivedPart['checksums'] = {};
  for (const algorithm of algorithms) checksums[algorithm] = blob.checksums[hasherAlgorithm(algorithm) as ChecksumAlgorithm]!.toString('base64');
  try {
    if (options.contentMd5 && !options.contentMd5.equals(blob.md5)) throw badDigestMd5();
    const declared = options.declared;
    if (declared) {
      const sent = declared.fromTrailer ? trailerValue(ctx, body, declared.algorithm) : declared.headerValue;
      if (sent !== undefined && declared.fromTrailer && !isWellFormedChecksum(declared.algorithm, sent)) throw invalidChecksumValue(declared.algorithm);
      if (sent !== undefined && sent !== checksums[declared.algorithm]) throw badChecksum(declared.algorithm);
    }
  } catch (err) {
    await blobs.delete(blob.blobId);
    throw err;
  }
  return { blob, checksums };
}
