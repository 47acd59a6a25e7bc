/** The errors of S3's object operations, with S3's codes, statuses, messages and extra fields. */
import { AwsError } from '../../../core/errors.ts';

export function noSuchKey(key: string, headers?: Record<string, string>): AwsError {
  return new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: key }, headers });
}

export function noSuchVersion(key: string, versionId: string): AwsError {
  return new AwsError('NoSuchVersion', 'The specified version does not exist.', { status: 404, fields: { Key: key, VersionId: versionId } });
}

export function invalidArgument(message: string, name?: string, value?: string): AwsError {
  const fields: Record<string, unknown> = {};
  if (name !== undefined) fields.ArgumentName = name;
  if (value !== undefined) fields.ArgumentValue = value;
  return new AwsError('InvalidArgument', message, { fields });
}

export function invalidVersionId(versionId: string): AwsError {
  return invalidArgument('Invalid version id specified', 'versionId', versionId);
}

export function invalidRequest(message: string): AwsError {
  return new AwsError('InvalidRequest', message);
}

export function preconditionFailed(condition: string): AwsError {
  return new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    status: 412,
    fields: { Condition: condition },
  });
}

/** 304: no body reaches the client (node drops it for 304), only these headers. */
export function notModified(headers: Record<string, string>): AwsError {
  return new AwsError('NotModified', 'Not Modified', { status: 304, headers });
}

/** A GET/HEAD naming a delete marker's version id: 405, with the marker's headers. */
export function deleteMarkerMethodNotAllowed(method: string, headers: Record<string, string>): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    status: 405,
    fields: { Method: method, ResourceType: 'DeleteMarker' },
    headers,
  });
}

export function invalidRange(rangeRequested: string, actualObjectSize: number): AwsError {
  return new AwsError('InvalidRange', 'The requested range is not satisfiable', {
    status: 416,
    fields: { RangeRequested: rangeRequested, ActualObjectSize: actualObjectSize },
  });
}

export function invalidObjectState(storageClass: string): AwsError {
  return new AwsError('InvalidObjectState', "The operation is not valid for the object's storage class", {
    status: 403,
    fields: { StorageClass: storageClass },
  });
}

export function badDigestMd5(): AwsError {
  return new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.');
}

export function invalidDigest(): AwsError {
  return new AwsError('InvalidDigest', 'The Content-MD5 you specified is not valid.');
}

/** 'CRC32' → "The CRC32 you specified did not match the calculated checksum." */
export function badChecksum(algorithmName: string): AwsError {
  return new AwsError('BadDigest', `The ${algorithmName} you specified did not match the calculated checksum.`);
}

export function invalidChecksumValue(algorithmName: string): AwsError {
  return invalidRequest(`Value for x-amz-checksum-${algorithmName.toLowerCase()} header is invalid.`);
}

export const MAX_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;

export function entityTooLarge(proposedSize: number): AwsError {
  return new AwsError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
    fields: { ProposedSize: proposedSize, MaxSizeAllowed: MAX_OBJECT_SIZE },
  });
}

export function missingContentLength(): AwsError {
  return new AwsError('MissingContentLength', 'You must provide the Content-Length HTTP header.', { status: 411 });
}

export const MAX_METADATA_BYTES = 2048;

export function metadataTooLarge(size: number): AwsError {
  return new AwsError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', {
    fields: { Size: size, MaxSizeAllowed: MAX_METADATA_BYTES },
  });
}

export function accessDenied(): AwsError {
  return new AwsError('AccessDenied', 'Access Denied', { status: 403 });
}
