/** S3's bucket operations: create, list, head, location, delete, and the bucket configurations. */
import type { S3Part } from '../part.ts';

export const bucketsPart: S3Part = {
  handlers: {},
};
