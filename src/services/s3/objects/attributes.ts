/** GetObjectAttributes: only the attributes asked for in x-amz-object-attributes. */
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import type { GetObjectAttributesOutput, ObjectPart } from '../../../generated/s3/types.ts';
import { requireBucket } from '../buckets/record.ts';
import { invalidArgument } from './errors.ts';
import { customerKeyFrom, keyForRead } from './keys.ts';
import { requireObjectVersion } from './lookup.ts';
import type { ObjectVersion } from './record.ts';
import { checksumMember } from './upload.ts';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);
const DEFAULT_MAX_PARTS = 1000;

function objectParts(version: ObjectVersion, maxParts: number | undefined, marker: number | undefined): GetObjectAttributesOutput['ObjectParts'] {
  const parts = version.parts ?? [];
  const after = marker ?? 0;
  const limit = maxParts ?? DEFAULT_MAX_PARTS;
  const page = parts.map((p, i) => ({ ...p, number: i + 1 })).filter((p) => p.number > after).slice(0, limit);
  const isTruncated = after + page.length < parts.length;
  const algorithm = version.checksum?.algorithm;
  return {
    TotalPartsCount: parts.length,
    PartNumberMarker: after,
    NextPartNumberMarker: page.length ? page[page.length - 1]!.number : after,
    MaxParts: limit,
    IsTruncated: isTruncated,
    Parts: page.map((p): ObjectPart => ({
      PartNumber: p.number,
      Size: p.size,
      ...(algorithm && p.checksum ? { [checksumMember(algorithm)]: p.checksum } : {}),
    })),
  };
}

export const attributesHandlers: Pick<S3Handlers, 'GetObjectAttributes'> = {
  async GetObjectAttributes(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket);
    const wanted = new Set(input.ObjectAttributes.map((a) => a.trim()));
    for (const a of wanted) if (!ATTRIBUTES.has(a)) throw invalidArgument('Invalid attribute name specified.');
    const { version } = await requireObjectVersion(ctx, bucket.name, input.Key, input.VersionId, 'GET');
    await keyForRead(ctx, bucket, version, customerKeyFrom(input));
    const out: GetObjectAttributesOutput = { LastModified: new Date(version.lastModified) };
    if (bucket.versioning !== 'Unversioned' || version.versionId !== 'null') out.VersionId = version.versionId;
    if (wanted.has('ETag')) out.ETag = version.etag;
    if (wanted.has('Checksum') && version.checksum) {
      out.Checksum = { [checksumMember(version.checksum.algorithm)]: version.checksum.value, ChecksumType: version.checksum.type };
    }
    if (wanted.has('ObjectParts') && version.parts) out.ObjectParts = objectParts(version, input.MaxParts, input.PartNumberMarker);
    if (wanted.has('StorageClass')) out.StorageClass = version.storageClass as GetObjectAttributesOutput['StorageClass'];
    if (wanted.has('ObjectSize')) out.ObjectSize = version.size;
    return out;
  },
};
