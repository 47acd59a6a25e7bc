/**
 * S3's object bytes on disk: encrypted blob files under `<dataDir>/s3/blobs` (see types.ts for the
 * contract, format.ts for the file format). One store per data directory per process; opening
 * it the first time sweeps what a crash left in tmp/.
 */
import { join, resolve } from 'node:path';
import { openBlobStore, type LocalBlobStore } from './store.ts';

export type { BlobStore, BlobWriteOptions, ByteRange, WrittenBlob } from './types.ts';
export { openBlobStore, type LocalBlobStore } from './store.ts';
export { BlobIntegrityError, entityTooLarge } from './errors.ts';
export { newDataKey, openDataKey, sealDataKey } from './data-keys.ts';

/** S3's hard limits, in bytes, for callers' maxBytes. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;
export const MAX_PART_BYTES = 5 * 1024 ** 3;

const stores = new Map<string, LocalBlobStore>();
/** The store per data directory as requests name it, so a request does not resolve paths again. */
const storesByDataDir = new Map<string, LocalBlobStore>();

export function blobStoreFor(dataDir: string): LocalBlobStore {
  const known = storesByDataDir.get(dataDir);
  if (known) return known;
  const dir = join(resolve(dataDir), 's3', 'blobs');
  let store = stores.get(dir);
  if (!store) {
    store = openBlobStore(dir);
    store.sweepTemporaryFiles();
    stores.set(dir, store);
  }
  // Relative names depend on the working directory, which may change: only absolute ones are kept.
  if (dataDir === resolve(dataDir)) storesByDataDir.set(dataDir, store);
  return store;
}
