/**
 * One version of one object (or a delete marker), as the objects part keeps it. Unversioned
 * buckets hold one version per key, with versionId 'null'; so do suspended buckets' new writes.
 * The bytes are blobs (../blobs/types.ts), listed in order: one for PutObject, one per part for a
 * multipart upload, so completing an upload copies nothing.
 */
import type { ChecksumAlgorithm } from '../../../auth/checksums.ts';

export type S3ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

/** 'CRC32' → 'crc32' (the header and hasher spelling). */
export function hasherAlgorithm(algorithm: S3ChecksumAlgorithm): ChecksumAlgorithm {
  return algorithm.toLowerCase() as ChecksumAlgorithm;
}

export type ObjectEncryption =
  | { kind: 'SSE-S3' }
  /** SSE-C: only the key's MD5 is kept, to recognise the key on later requests. */
  | { kind: 'SSE-C'; customerKeyMd5: string };

export interface ObjectVersion {
  bucket: string;
  key: string;
  /** 'null' for the null version (unversioned and suspended buckets). */
  versionId: string;
  isDeleteMarker: boolean;
  /** ISO-8601 with milliseconds, Bonsai's clock. */
  lastModified: string;
  ownerAccountId: string;

  // Everything below is absent on delete markers.
  size: number;
  /** Without quotes: the MD5 hex, or "<md5 of part md5s>-<N>" for multipart. */
  etag: string;
  storageClass: string;
  blobs: Array<{ blobId: string; size: number }>;
  /** Multipart objects: each part's size and checksum, for partNumber GETs and GetObjectAttributes. */
  parts?: Array<{ size: number; checksum?: string }>;
  checksum?: { algorithm: S3ChecksumAlgorithm; value: string; type: 'FULL_OBJECT' | 'COMPOSITE' };
  encryption: ObjectEncryption;
  /** Content-Type, Cache-Control, …, as stored (header names as the API's members). */
  contentHeaders: {
    ContentType?: string;
    ContentEncoding?: string;
    ContentDisposition?: string;
    ContentLanguage?: string;
    CacheControl?: string;
    Expires?: string;
  };
  /** x-amz-meta-* user metadata, names lower-cased as S3 returns them. */
  metadata: Record<string, string>;
  tags?: Array<{ Key: string; Value: string }>;
  websiteRedirectLocation?: string;
  /** GLACIER / DEEP_ARCHIVE restores: when the temporary copy is readable and until when. */
  restore?: { completesAt: string; expiresAt: string };
}
