/**
 * Bonsai's data directory: the account, the admin token, the clock offset, the embedded database
 * and (later) blobs. Its layout is versioned in bonsai.json so a future Bonsai can migrate it or
 * refuse clearly instead of misreading it. Everything secret is written 0600.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { newAccessKeyId, newAccountId, newSecretAccessKey } from './ids.ts';

export const DATA_FORMAT_VERSION = 1;

export interface AccountFile {
  accountId: string;
  rootAccessKeyId: string;
  rootSecretAccessKey: string;
  createdAt: string;
}

export interface ServerFile {
  pid: number;
  host: string;
  port: number;
  endpoint: string;
  store: string;
  auth: 'enforce' | 'off';
  startedAt: string;
}

export class DataDirError extends Error {}

export class DataDir {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Creates the directory (0700) and its format marker, or checks an existing one's format. */
  ensure(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    const marker = this.path('bonsai.json');
    if (!existsSync(marker)) {
      writeFileAtomic(marker, JSON.stringify({ formatVersion: DATA_FORMAT_VERSION, createdAt: new Date().toISOString() }, null, 2) + '\n', 0o600);
      return;
    }
    const { formatVersion } = JSON.parse(readFileSync(marker, 'utf8')) as { formatVersion: number };
    if (formatVersion > DATA_FORMAT_VERSION) {
      throw new DataDirError(
        `${this.root} was written by a newer Bonsai (data format ${formatVersion}; this Bonsai reads up to ${DATA_FORMAT_VERSION}). Upgrade Bonsai or use another --data-dir.`,
      );
    }
  }

  /**
   * The account: created on first start; BONSAI_ACCOUNT_ID, BONSAI_ROOT_ACCESS_KEY_ID and
   * BONSAI_ROOT_SECRET_ACCESS_KEY fix its values (for CI), and are persisted when they differ.
   */
  loadOrCreateAccount(env: NodeJS.ProcessEnv = process.env): AccountFile {
    const file = this.path('account.json');
    const existing = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AccountFile) : undefined;
    const account: AccountFile = {
      accountId: env.BONSAI_ACCOUNT_ID ?? existing?.accountId ?? newAccountId(),
      rootAccessKeyId: env.BONSAI_ROOT_ACCESS_KEY_ID ?? existing?.rootAccessKeyId ?? newAccessKeyId('AKIA'),
      rootSecretAccessKey: env.BONSAI_ROOT_SECRET_ACCESS_KEY ?? existing?.rootSecretAccessKey ?? newSecretAccessKey(),
      createdAt: existing?.createdAt ?? new Date().toISOString(),
    };
    validateAccount(account);
    if (!existing || JSON.stringify(existing) !== JSON.stringify(account)) {
      writeFileAtomic(file, JSON.stringify(account, null, 2) + '\n', 0o600);
    }
    return account;
  }

  readAccount(): AccountFile | undefined {
    const file = this.path('account.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as AccountFile) : undefined;
  }

  /** A random token that admin endpoints (/_bonsai/clock, …) require; only the data dir's owner can read it. */
  loadOrCreateAdminToken(): string {
    const file = this.path('admin-token');
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    const token = randomBytes(24).toString('base64url');
    writeFileAtomic(file, token + '\n', 0o600);
    return token;
  }

  readAdminToken(): string | undefined {
    const file = this.path('admin-token');
    return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
  }

  readClockOffset(): number {
    const file = this.path('clock.json');
    return existsSync(file) ? Number((JSON.parse(readFileSync(file, 'utf8')) as { offsetMs: number }).offsetMs) || 0 : 0;
  }

  writeClockOffset(offsetMs: number): void {
    writeFileAtomic(this.path('clock.json'), JSON.stringify({ offsetMs }) + '\n', 0o600);
  }

  writeServerFile(info: ServerFile): void {
    writeFileAtomic(this.path('server.json'), JSON.stringify(info, null, 2) + '\n', 0o600);
  }

  readServerFile(): ServerFile | undefined {
    const file = this.path('server.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ServerFile) : undefined;
  }
}

function validateAccount(a: AccountFile): void {
  if (!/^\d{12}$/.test(a.accountId)) throw new DataDirError(`BONSAI_ACCOUNT_ID must be 12 digits, got "${a.accountId}"`);
  if (!/^AKIA[A-Z2-7]{16}$/.test(a.rootAccessKeyId)) {
    throw new DataDirError('BONSAI_ROOT_ACCESS_KEY_ID must be AKIA followed by 16 characters of A-Z and 2-7 (20 in all)');
  }
  if (a.rootSecretAccessKey.length !== 40) throw new DataDirError('BONSAI_ROOT_SECRET_ACCESS_KEY must be 40 characters');
}

/** Write-to-temp, fsync, rename: a crash leaves either the old file or the new one, never half of one. */
export function writeFileAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  chmodSync(file, mode);
}
