/**
 * S3's multipart uploads: create, upload (or copy) parts, list, complete into one object version
 * (through objects/'s commitObjectVersion, reusing the parts' blobs), abort. Uploads and parts in
 * progress live in this part's own tables (db.ts); the lifecycle sweeper and DeleteBucket use
 * abort.ts's exports.
 */
import type { S3Part } from '../part.ts';
import { abortMultipartUpload } from './abort.ts';
import { completeMultipartUpload } from './complete.ts';
import { createMultipartUpload } from './create.ts';
import { multipartMigrations } from './db.ts';
import { listMultipartUploads, listParts } from './list.ts';
import { uploadPart, uploadPartCopy } from './upload-part.ts';

export { abortAllUploads, abortUpload, listUploadsInitiatedBefore, multipartBlobIds, type AbortContext } from './abort.ts';

export const multipartPart: S3Part = {
  handlers: {
    CreateMultipartUpload: createMultipartUpload,
    UploadPart: uploadPart,
    UploadPartCopy: uploadPartCopy,
    CompleteMultipartUpload: completeMultipartUpload,
    AbortMultipartUpload: abortMultipartUpload,
    ListParts: listParts,
    ListMultipartUploads: listMultipartUploads,
  },
  migrations: multipartMigrations,
  operationNotes: {
    CreateMultipartUpload: 'SSE-KMS is not supported: uploads are encrypted with SSE-S3 or SSE-C. Object Lock headers are ignored.',
    CompleteMultipartUpload:
      'Answers once the object is committed (no 200-then-error streaming). An upload created without a checksum algorithm gets no object checksum unless x-amz-checksum-crc64nvme is sent.',
    UploadPartCopy: 'Copies through Bonsai (decrypt, re-encrypt); no part size limit is enforced on the copy source.',
  },
};
