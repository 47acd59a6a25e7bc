/**
 * S3 is built from parts (buckets, objects, multipart, access, …), each in its own folder, each
 * contributing handlers, store migrations and compatibility notes. index.ts merges them.
 */
import type { S3Handlers } from '../../generated/s3/handlers.ts';
import type { Migration } from '../../store/types.ts';

export interface S3Part {
  handlers: Partial<S3Handlers>;
  /** Ids are unique across parts: buckets 1–19, objects 20–39, multipart 40–59, lifecycle 60–79, others 80+. */
  migrations?: Migration[];
  /** Service-level known differences for docs/compatibility.md. */
  notes?: string[];
  /** Per-operation known differences (operation name → note). */
  operationNotes?: Record<string, string>;
}
