/**
 * S3's object operations: put, get, head, copy, delete, tagging, attributes, listing and versions.
 * Versions live in the s3_object_versions table (table.ts); bytes in encrypted blobs (../blobs).
 * Other parts use versions.ts (commitObjectVersion, loadObjectVersion, …) and queries.ts.
 */
import type { S3Part } from '../part.ts';
import { attributesHandlers } from './attributes.ts';
import { copyHandlers } from './copy.ts';
import { deleteHandlers } from './delete.ts';
import { getHandlers } from './get.ts';
import { listingHandlers } from './listing.ts';
import { putHandlers } from './put.ts';
import { objectMigrations } from './table.ts';
import { taggingHandlers } from './tagging.ts';


export const objectsPart: S3Part = {
  handlers: {
    ...putHandlers,
    ...getHandlers,
    ...copyHandlers,
    ...deleteHandlers,
    ...taggingHandlers,
    ...attributesHandlers,
    ...listingHandlers,
  },
  migrations: objectMigrations,
  notes: [
    'Objects are stored encrypted (AES-256-GCM) under the bucket\'s data key or the SSE-C key; SSE-KMS is not offered. SSE-C is accepted over plain HTTP (S3 requires HTTPS).',
  ],
  operationNotes: {
    ListObjectsV2: 'MaxKeys above 1000 is echoed as given and capped at 1000. Continuation tokens are Bonsai\'s own (opaque base64).',
    ListObjectVersions: 'Versions and DeleteMarkers are returned as two lists (S3 interleaves them in key/version order in the XML; parsed results are the same).',
    GetObject: 'A partNumber GET of an object not uploaded in parts answers 206 with the whole object as part 1.',
    CopyObject: 'Copies always re-encrypt into a new blob; x-amz-copy-source-range is UploadPartCopy\'s (multipart).',
  },
};
