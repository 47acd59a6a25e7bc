/**
 * Where blob files live: `<dir>/<first two hex digits of the id>/<id>` (256 fan-out directories
 * keep each directory small), and `<dir>/tmp/` for writes in progress. Directories are 0700 and
 * files 0600: only Bonsai's user can read even the ciphertext.
 */
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BLOB_ID_PATTERN } from './format.ts';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;
export const TMP_DIR_NAME = 'tmp';

export class BlobPaths {
  readonly dir: string;
  readonly tmpDir: string;
  /** Fan-out directories known to exist (and to be durable in their parent). */
  private readonly madeDirs = new Set<string>();

  constructor(dir: string) {
    this.dir = dir;
    this.tmpDir = join(dir, TMP_DIR_NAME);
  }

  fanOutDir(blobId: string): string {
    return join(this.dir, blobId.slice(0, 2));
  }

  /** The blob's file; throws on anything that is not a blob id, so no caller input can reach another path. */
  file(blobId: string): string {
    if (!BLOB_ID_PATTERN.test(blobId)) throw new RangeError(`not a blob id: ${JSON.stringify(blobId)}`);
    return join(this.fanOutDir(blobId), blobId);
  }

  /** A fresh temporary name for a blob being written (a random suffix: never reused, even for a retried id). */
  temporaryFile(blobId: string): string {
    return join(this.tmpDir, `${blobId}.${randomBytes(4).toString('hex')}.part`);
  }

  async ensureTmpDir(): Promise<void> {
    if (this.madeDirs.has(this.tmpDir)) return;
    await mkdir(this.tmpDir, { recursive: true, mode: DIR_MODE });
    this.madeDirs.add(this.tmpDir);
  }

  /** Creates the blob's fan-out directory if needed, making its entry durable in the parent. */
  async ensureFanOutDir(blobId: string): Promise<string> {
    const fanOut = this.fanOutDir(blobId);
    if (this.madeDirs.has(fanOut)) return fanOut;
    const created = await mkdir(fanOut, { recursive: true, mode: DIR_MODE });
    if (created !== undefined) await fsyncDirectory(this.dir);
    this.madeDirs.add(fanOut);
    return fanOut;
  }
}

/** Makes a directory's entries (a rename, a new file) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
