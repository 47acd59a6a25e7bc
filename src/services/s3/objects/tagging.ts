/**
 * Object tags: the x-amz-tagging header of PutObject/CopyObject (URL-encoded, as a query string)
 * and Get/Put/DeleteObjectTagging. S3 allows 10 tags per object, keys up to 128 and values up to
 * 256 characters, and no key twice.
 */
import type { RequestContext } from '../../../core/context.ts';
import { AwsError } from '../../../core/errors.ts';
import type { S3Handlers } from '../../../generated/s3/handlers.ts';
import { requireBucket } from '../buckets/record.ts';
import { requireObjectVersion } from './lookup.ts';
import type { ObjectVersion } from './record.ts';
import { updateVersionDoc } from './table.ts';

export type TagList = Array<{ Key: string; Value: string }>;

const MAX_TAGS = 10;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;

function invalidTag(message: string): AwsError {
  return new AwsError('InvalidTag', message);
}

/** Checks a tag set as S3 does; returns it unchanged. */
export function validateTags(tags: TagList): TagList {
  if (tags.length > MAX_TAGS) throw new AwsError('BadRequest', 'Object tags cannot be greater than 10');
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length === 0) throw invalidTag('The TagKey you have provided is invalid');
    if ([...Key].length > MAX_KEY_CHARS) throw invalidTag('The TagKey you have provided is too long, max 128');
    if ([...Value].length > MAX_VALUE_CHARS) throw invalidTag('The TagValue you have provided is too long, max 256');
    if (seen.has(Key)) throw invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(Key);
  }
  return tags;
}

/** The x-amz-tagging header ("k1=v1&k2=v2", form-encoded) as a checked tag list. */
export function parseTaggingHeader(header: string | undefined): TagList | undefined {
  if (header === undefined) return undefined;
  const tags: TagList = [];
  for (const [Key, Value] of new URLSearchParams(header)) tags.push({ Key, Value });
  return validateTags(tags);
}

function versionIdOutput(version: ObjectVersion): { VersionId?: string } {
  return version.versionId === 'null' ? {} : { VersionId: version.versionId };
}

async function setTags(ctx: RequestContext, version: ObjectVersion, tags: TagList | undefined): Promise<void> {
  const next: ObjectVersion = { ...version };
  if (tags && tags.length) next.tags = tags;
  else delete next.tags;
  await updateVersionDoc(ctx.store, next);
}

export const taggingHandlers: Pick<S3Handlers, 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging'> = {
  async GetObjectTagging(input, ctx) {
    await requireBucket(ctx, input.Bucket);
    const { version } = await requireObjectVersion(ctx, input.Bucket, input.Key, input.VersionId, 'GET');
    return { ...versionIdOutput(version), TagSet: version.tags ?? [] };
  },

  async PutObjectTagging(input, ctx) {
    await requireBucket(ctx, input.Bucket);
    const tags = validateTags((input.Tagging?.TagSet ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' })));
    const { version } = await requireObjectVersion(ctx, input.Bucket, input.Key, input.VersionId, 'PUT');
    await setTags(ctx, version, tags);
    return versionIdOutput(version);
  },

  async DeleteObjectTagging(input, ctx) {
    await requireBucket(ctx, input.Bucket);
    const { version } = await requireObjectVersion(ctx, input.Bucket, input.Key, input.VersionId, 'DELETE');
    await setTags(ctx, version, undefined);
    return versionIdOutput(version);
  },
};
