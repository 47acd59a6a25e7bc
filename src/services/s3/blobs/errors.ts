/**
 * The errors the blob store raises. EntityTooLarge is S3's own (the objects part passes it through
 * unchanged); BlobIntegrityError is internal: a read found a file that does not authenticate under
 * the key (a wrong SSE-C key, a tampered or truncated file), and the caller decides how to answer.
 */
import { AwsError } from '../../../core/errors.ts';

/**
 * S3's answer to a body over the limit, as S3 renders it:
 * <Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message>
 * <ProposedSize>6442450944</ProposedSize><MaxSizeAllowed>5368709120</MaxSizeAllowed>
 */
export function entityTooLarge(proposedSize: number, maxSizeAllowed: number): AwsError {
  return new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
    status: 400,
    fields: { ProposedSize: proposedSize, MaxSizeAllowed: maxSizeAllowed },
  });
}

/** A blob file that fails authentication or is not shaped like one (the key is wrong, or the file was altered). */
export class BlobIntegrityError extends Error {
  readonly blobId: string;

  constructor(blobId: string, reason: string, options?: { cause?: unknown }) {
    super(`blob ${blobId} cannot be read: ${reason}`, options);
    this.name = 'BlobIntegrityError';
    this.blobId = blobId;
  }
}
