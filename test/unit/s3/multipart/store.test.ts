// The multipart tables on both back ends: uploads listed in key then initiation order (byte order
// on PostgreSQL too), parts replaced by number, and the lifecycle/DeleteBucket exports removing
// rows and blobs.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { openStore, type Store } from '../../../../src/store/index.ts';
import { silentLogger } from '../../../../src/core/logger.ts';
import { blobStoreFor } from '../../../../src/services/s3/blobs/index.ts';
import {
  insertUpload, listBucketUploads, multipartMigrations, readParts, upsertPart, type PartRecord, type UploadRecord,
} from '../../../../src/services/s3/multipart/db.ts';
import { abortAllUploads, abortUpload, listUploadsInitiatedBefore, multipartBlobIds } from '../../../../src/services/s3/multipart/abort.ts';
import { tempDir } from '../../../helpers/bonsai.ts';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../helpers/postgres.ts';

function upload(bucket: string, key: string, uploadId: string, initiated: string): UploadRecord {
  return {
    uploadId, bucket, key, initiated, ownerAccountId: '123456789012', initiator: { id: 'x' }, storageClass: 'STANDARD',
    encryption: { kind: 'SSE-S3' }, contentHeaders: {}, metadata: {},
  };
}

async function partWithBlob(dataDir: string, partNumber: number, text: string): Promise<PartRecord> {
  // Over 4 KiB, so the blob is a file (smaller bodies are inline blobs, with no file to see go).
  const blob = await blobStoreFor(dataDir).write(Readable.from([Buffer.from(text.padEnd(5000, '.'))]), { key: Buffer.alloc(32, 7) });
  return { partNumber, blobId: blob.blobId, size: blob.size, md5: blob.md5.toString('hex'), crc64nvme: 'AAAAAAAAAAA=', lastModified: '2026-01-01T00:00:00.000Z' };
}

async function blobIds(dataDir: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of blobStoreFor(dataDir).list()) ids.push(id);
  return ids.sort();
}

function defineSuite(name: string, open: () => Promise<Store>) {
  describe(`multipart tables on ${name}`, () => {
    test('ordering, parts, lifecycle listing and aborts', async () => {
      const store = await open();
      const dataDir = tempDir('bonsai-mpu-');
      try {
        await store.migrate('s3', multipartMigrations);
        await insertUpload(store, upload('bkt', 'b', 'u-b2', '2026-01-02T00:00:00.000Z'));
        await insertUpload(store, upload('bkt', 'b', 'u-b1', '2026-01-01T00:00:00.000Z'));
        await insertUpload(store, upload('bkt', 'B', 'u-B', '2026-01-03T00:00:00.000Z'));
        await insertUpload(store, upload('bkt', 'é', 'u-e', '2026-01-03T00:00:00.000Z'));
        await insertUpload(store, upload('other', 'a', 'u-other', '2025-01-01T00:00:00.000Z'));
        // Byte order: upper case before lower case before non-ASCII; then initiation time.
        assert.deepEqual((await listBucketUploads(store, 'bkt')).map((u) => u.uploadId), ['u-B', 'u-b1', 'u-b2', 'u-e']);
        assert.deepEqual((await listBucketUploads(store, 'bkt', 'b')).map((u) => u.uploadId), ['u-b1', 'u-b2']);
        assert.deepEqual(await listUploadsInitiatedBefore(store, 'bkt', '2026-01-02T00:00:00.000Z'), [
          { uploadId: 'u-b1', key: 'b', initiated: '2026-01-01T00:00:00.000Z' },
        ]);

        const first = await partWithBlob(dataDir, 1, 'one');
        const replacement = await partWithBlob(dataDir, 1, 'uno');
        const second = await partWithBlob(dataDir, 2, 'two');
        await upsertPart(store, 'u-b1', first);
        await upsertPart(store, 'u-b1', replacement);
        await upsertPart(store, 'u-b1', second);
        assert.deepEqual(await readParts(store, 'u-b1'), [replacement, second]);
        assert.deepEqual(await readParts(store, 'u-b1', 1), [second]);
        assert.deepEqual((await multipartBlobIds(store)).sort(), [replacement.blobId, second.blobId].sort());

        const ctx = { store, dataDir, log: silentLogger() };
        assert.equal(await abortUpload(ctx, 'other', 'u-b1'), false, 'another bucket\'s upload id');
        assert.equal(await abortUpload(ctx, 'bkt', 'u-b1'), true);
        assert.equal(await abortUpload(ctx, 'bkt', 'u-b1'), false);
        assert.deepEqual(await blobIds(dataDir), [first.blobId], 'only the blob no row referred to is left');
        assert.deepEqual(await readParts(store, 'u-b1'), []);
        assert.equal(await abortAllUploads(ctx, 'bkt'), 3);
        assert.deepEqual((await listBucketUploads(store, 'bkt')).map((u) => u.uploadId), []);
        assert.deepEqual((await listBucketUploads(store, 'other')).map((u) => u.uploadId), ['u-other']);
      } finally {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}

defineSuite('SQLite', async () => {
  const dir = tempDir('bonsai-mpu-db-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  return openStore({ kind: 'sqlite', file: join(dir, 'bonsai.db') });
});

let server: ThrowawayPostgres | undefined;
after(async () => {
  await server?.stop();
});
defineSuite('PostgreSQL', async () => {
  server ??= await startThrowawayPostgres();
  return openStore({ kind: 'postgres', url: server.url });
});
