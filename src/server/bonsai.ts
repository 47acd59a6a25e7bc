/**
 * Assembles a running Bonsai: data directory, account, store, clock, pipeline and edge server.
 * The CLI's `bonsai start` and the end-to-end tests both start Bonsai through startBonsai().
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createClock, type Clock } from '../core/clock.ts';
import { DataDir, type AccountFile } from '../core/data-dir.ts';
import { createLogger } from '../core/logger.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { SERVICES } from '../services/registry.ts';
import { createPipeline, type RequestHandler } from '../pipeline/pipeline.ts';
import { chainResolvers, rootCredentialResolver } from '../auth/root-credentials.ts';
import { cachedResolver } from '../auth/credential-cache.ts';
import { createIamAuthorizer } from '../iam/authz/authorizer.ts';
import { iamCredentialResolver, loadPrincipalPolicies, onIamWrite } from '../services/iam/index.ts';
import { accessKeyUseRecorder } from '../services/iam/access-keys.ts';
import { stsCredentialResolver } from '../services/sts/sessions.ts';
import { createEdgeServer } from './edge.ts';
import { createAdminHandler } from './admin.ts';
import { BONSAI_VERSION } from '../core/version.ts';
import { SecretBox } from '../core/secrets.ts';

export interface BonsaiOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  dataDir: string;
  /** 'sqlite' (default, a file in the data directory) or a postgres:// URL. */
  store?: string;
  auth?: 'enforce' | 'off';
  log?: Logger;
  maxBodyBytes?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningBonsai {
  endpoint: string;
  host: string;
  port: number;
  account: AccountFile;
  dataDir: DataDir;
  clock: Clock;
  store: Store;
  handle: RequestHandler;
  /** Stops accepting, lets in-flight requests finish, closes the store. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;
const SHUTDOWN_GRACE_MS = 10_000;
/** How long another process's IAM changes may take to reach this one's caches (IAM is eventually consistent on AWS too). */
const CREDENTIAL_CACHE_TTL_MS = 5_000;

export async function startBonsai(options: BonsaiOptions): Promise<RunningBonsai> {
  const log = options.log ?? createLogger();
  const dataDir = new DataDir(options.dataDir);
  dataDir.ensure();
  const account = dataDir.loadOrCreateAccount(options.env ?? process.env);
  const adminToken = dataDir.loadOrCreateAdminToken();
  const secrets = SecretBox.forDataDir(dataDir);
  const clock = createClock(dataDir.readClockOffset(), (offset) => dataDir.writeClockOffset(offset));
  const storeSpec = options.store ?? 'sqlite';
  const store = await openStore(
    // Document timestamps follow Bonsai's clock, like everything else time-dependent.
    storeSpec === 'sqlite'
      ? { kind: 'sqlite', file: dataDir.path('bonsai.db'), now: () => clock.now() }
      : { kind: 'postgres', url: storeSpec, now: () => clock.now() },
  );
  // Services' own tables (DynamoDB items, …), each applied once per store.
  for (const service of SERVICES) if (service.migrations) await store.migrate(service.name, service.migrations);
  const authMode = options.auth ?? 'enforce';
  const authorizer = createIamAuthorizer({
    log,
    policies: {
      load: (principal) => loadPrincipalPolicies(store, account.accountId, principal),
      onChange: (listener) => onIamWrite(listener),
    },
  });
  // Users' keys and STS sessions live in the store; cache them so a signed request needs no read.
  const storedCredentials = cachedResolver(
    chainResolvers(iamCredentialResolver(store, account.accountId, secrets), stsCredentialResolver(store, account.accountId, clock, secrets)),
    { clock, ttlMs: CREDENTIAL_CACHE_TTL_MS, subscribe: onIamWrite },
  );
  const recordKeyUse = accessKeyUseRecorder(store, account.accountId);
  const handle = createPipeline({
    services: SERVICES,
    accountId: account.accountId,
    resolver: chainResolvers(rootCredentialResolver(account), storedCredentials),
    authorizer,
    authMode,
    clock,
    store,
    secrets,
    log,
    dataDir: dataDir.root,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    onAuthenticated(principal, service, region) {
      // Long-term user keys only: GetAccessKeyLastUsed and the credential report show it.
      if (principal.type !== 'user' || principal.session || !principal.accessKeyId) return;
      recordKeyUse(principal.accessKeyId, service.signingName, region, clock.now()).catch((err: unknown) =>
        log.warn({ err, accessKeyId: principal.accessKeyId }, 'could not record access key use'),
      );
    },
  });
  const host = options.host ?? '127.0.0.1';
  const admin = createAdminHandler({ accountId: account.accountId, adminToken, clock, services: SERVICES, version: BONSAI_VERSION });
  const server = createEdgeServer({
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY,
    handle,
    admin,
    onError: (err) => log.error({ err }, 'edge failure'),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  dataDir.writeServerFile({
    pid: process.pid,
    host,
    port,
    endpoint,
    store: storeSpec === 'sqlite' ? 'sqlite' : 'postgres',
    auth: authMode,
    startedAt: new Date().toISOString(),
  });

  let closing: Promise<void> | undefined;
  return {
    endpoint,
    host,
    port,
    account,
    dataDir,
    clock,
    store,
    handle,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight requests finish; keep-alive connections that outlive the grace period are cut.
          setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
        });
        authorizer.close();
        storedCredentials.close();
        await store.close();
      })();
      return closing;
    },
  };
}
