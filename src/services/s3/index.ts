/**
 * Amazon S3 (rest-xml). Built from parts, each in its own folder (part.ts there says what it
 * holds): buckets and their configurations, objects and versions, multipart uploads, access
 * (bucket policies, Block Public Access, ownership, ACLs, the authorization table), lifecycle
 * (RestoreObject and the sweeper that executes lifecycle rules) and web (CORS preflight, the
 * website endpoint, browser POST uploads). Object bytes stream to encrypted blobs (blobs/; small
 * ones ride inside their metadata row); metadata lives in the store.
 */
import type { S3Handlers } from '../../generated/s3/handlers.ts';
import type { Migration } from '../../store/types.ts';
import { defineService } from '../types.ts';
import type { S3Part } from './part.ts';
import { bucketsOutputDocuments, bucketsPart } from './buckets/part.ts';
import { createRestXmlCodec } from '../../protocols/rest-xml.ts';
import { objectsPart } from './objects/part.ts';
import { multipartPart } from './multipart/part.ts';
import { accessPart } from './access/part.ts';
import { lifecyclePart, withLifecycleSweeper } from './lifecycle/part.ts';
import { s3Authz } from './access/authz.ts';
import { s3StreamsRequestBody } from './request-body.ts';
import { serveS3OutsideApi, webPart } from './web/part.ts';

const PARTS: readonly S3Part[] = [bucketsPart, objectsPart, multipartPart, accessPart, lifecyclePart, webPart];

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
  // Object uploads stream to disk (a 5 GiB PutObject is never held in memory); everything else is buffered.
  streamsRequestBody: s3StreamsRequestBody,
  codec: createRestXmlCodec({ outputDocuments: bucketsOutputDocuments }),
  // The first request to a store starts its lifecycle sweeper (after collecting crash leftovers).
  handlers: withLifecycleSweeper(merged.handlers),
  authz: s3Authz,
  migrations: merged.migrations,
  compatibility: { notes: merged.notes, operations: merged.operations },
  // CORS preflights, the static website endpoint and browser POST uploads are not API operations.
  serveOutsideApi: serveS3OutsideApi,
});
