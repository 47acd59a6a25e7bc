/**
 * The errors S3 answers multipart requests with, in its wording. Errors objects share (digests,
 * preconditions, NoSuchKey) come from ../objects/errors.ts.
 */
import { AwsError } from '../../../core/errors.ts';
import type { S3ChecksumAlgorithm } from '../objects/record.ts';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

export function noSuchUpload(uploadId: string): AwsError {
  return new AwsError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { status: 404, fields: { UploadId: uploadId } },
  );
}

export function invalidArgument(message: string, name: string, value: string): AwsError {
  return new AwsError('InvalidArgument', message, { status: 400, fields: { ArgumentName: name, ArgumentValue: value } });
}

export function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequest', message, { status: 400 });
}

export function invalidPartNumber(value: number | string): AwsError {
  return invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(value));
}

export function invalidPartOrder(): AwsError {
  return new AwsError('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', {
    status: 400,
  });
}

/** AWS's wording, with its two spaces (seen on the wire; the brief's single-spaced text is the docs'). */
export function invalidPart(uploadId: string, partNumber: number, etag: string): AwsError {
  return new AwsError(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    { status: 400, fields: { UploadId: uploadId, PartNumber: String(partNumber), ETag: etag } },
  );
}

export function entityTooSmall(size: number, partNumber: number, etag: string): AwsError {
  return new AwsError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', {
    status: 400,
    fields: { ProposedSize: String(size), MinSizeAllowed: String(MIN_PART_SIZE), PartNumber: String(partNumber), ETag: etag },
  });
}

export function malformedXml(): AwsError {
  return new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', {
    status: 400,
  });
}

/** A part (or completion) that carries a checksum of another algorithm than the upload's, or none. */
export function checksumTypeMismatch(expected: S3ChecksumAlgorithm | undefined, actual: S3ChecksumAlgorithm | undefined): AwsError {
  const name = (algorithm: S3ChecksumAlgorithm | undefined) => (algorithm ? algorithm.toLowerCase() : 'null');
  return invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${name(expected)}, actual checksum Type: ${name(actual)}`);
}

export function missingPartChecksum(algorithm: S3ChecksumAlgorithm, partNumber: number): AwsError {
  return invalidRequest(
    `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${partNumber} in the request.`,
  );
}
