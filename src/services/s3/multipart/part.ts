/** S3's multipart uploads. */
import type { S3Part } from '../part.ts';

export const multipartPart: S3Part = {
  handlers: {},
};
