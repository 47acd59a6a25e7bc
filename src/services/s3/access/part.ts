/** S3's bucket policies, Block Public Access, ownership controls and ACL reads. */
import type { S3Part } from '../part.ts';

export const accessPart: S3Part = {
  handlers: {},
};
