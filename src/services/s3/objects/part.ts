/** S3's object operations: put, get, head, copy, delete, tagging, listing and versions. */
import type { S3Part } from '../part.ts';

export const objectsPart: S3Part = {
  handlers: {},
};
