/**
 * Amazon S3 (rest-xml). Built from parts, each in its own folder (part.ts there says what it
 * holds): buckets and their configurations, objects and versions, multipart uploads, and access
 * (bucket policies, Block Public Access, ownership, ACLs, the authorization table). Object bytes
 * stream to encrypted files (blobs/); metadata lives in the store.
 */
import type { S3Handlers } from '../../generated/s3/handlers.ts';
import type { Migration } from '../../store/types.ts';
import { defineService } from '../types.ts';
import type { S3Part } from './part.ts';
import { bucketsPart } from './buckets/part.ts';
import { objectsPart } from './objects/part.ts';
import { multipartPart } from './multipart/part.ts';
import { accessPart } from './access/part.ts';
import { s3Authz } from './access/authz.ts';

const PARTS: readonly S3Part[] = [bucketsPart, objectsPart, multipartPart, accessPart];

function merge(parts: readonly S3Part[]) {
  const handlers: Partial<S3Handlers> = {};
  const migrations: Migration[] = [];
  const notes: string[] = [];
  const operations: Record<string, string> = {};
  for (const part of parts) {
    for (const [name, handler] of Object.entries(part.handlers)) {
      if (name in handlers) throw new Error(`two S3 parts implement ${name}`);
      (handlers as Record<string, unknown>)[name] = handler;
    }
    migrations.push(...(part.migrations ?? []));
    notes.push(...(part.notes ?? []));
    Object.assign(operations, part.operationNotes);
  }
  migrations.sort((a, b) => a.id - b.id);
  return { handlers, migrations, notes, operations };
}

const merged = merge(PARTS);

export const s3 = defineService<S3Handlers>({
  name: 's3',
  signingName: 's3',
  protocol: 'rest-xml',
  apiVersion: '2006-03-01',
  authFamily: 's3',
  allowsAnonymous: true,
  signsRawPath: true,
  requestIdStyle: 's3',
  handlers: merged.handlers,
  authz: s3Authz,
  migrations: merged.migrations,
  compatibility: { notes: merged.notes, operations: merged.operations },
});
