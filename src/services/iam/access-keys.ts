/** Users' long-term access keys (AKIA…, at most two per user). Secrets are returned once and never logged. */
import { AwsError } from '../../core/errors.ts';
import { newAccessKeyId, newSecretAccessKey } from '../../core/ids.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  CreateAccessKeyRequest,
  DeleteAccessKeyRequest,
  GetAccessKeyLastUsedRequest,
  ListAccessKeysRequest,
  UpdateAccessKeyRequest,
} from '../../generated/iam/types.ts';
import type { DocOps, Store } from '../../store/types.ts';
import { StoreConflictError } from '../../store/errors.ts';
import {
  KIND,
  docKey,
  Messages,
  Quotas,
  deleteRecord,
  getRecord,
  inTransaction,
  listRecords,
  nameKey,
  noSuchEntity,
  nowIso,
  pageFields,
  paginate,
  putRecord,
  quotaExceeded,
  toDate,
  type AccessKeyRecord,
} from './common.ts';
import { requireUser } from './lookup.ts';

/** Operations that default to the calling user when UserName is omitted. */
export function callerUserName(ctx: RequestContext, userName: string | undefined): string {
  if (userName !== undefined) return userName;
  if (ctx.principal.type === 'user') return ctx.principal.name;
  throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials', { status: 400 });
}

export async function keysOfUser(ops: DocOps, account: string, userName: string): Promise<AccessKeyRecord[]> {
  const key = nameKey(userName);
  return (await listRecords<AccessKeyRecord>(ops, KIND.accessKey, account))
    .filter((k) => nameKey(k.UserName) === key)
    .sort((a, b) => a.CreateDate.localeCompare(b.CreateDate));
}

export async function createAccessKey(ctx: RequestContext, input: CreateAccessKeyRequest) {
  const userName = callerUserName(ctx, input.UserName);
  const rec = await inTransaction(ctx, async (tx) => {
    const user = await requireUser(tx, ctx.accountId, userName);
    if ((await keysOfUser(tx, ctx.accountId, user.UserName)).length >= Quotas.accessKeysPerUser) {
      throw quotaExceeded('AccessKeysPerUser', Quotas.accessKeysPerUser);
    }
    const secretAccessKey = newSecretAccessKey();
    const key: AccessKeyRecord = {
      AccessKeyId: newAccessKeyId('AKIA'),
      SecretAccessKey: ctx.secrets.seal(secretAccessKey),
      UserName: user.UserName,
      Status: 'Active',
      CreateDate: nowIso(ctx),
    };
    await putRecord(tx, KIND.accessKey, ctx.accountId, key.AccessKeyId, key);
    return { ...key, SecretAccessKey: secretAccessKey };
  });
  return {
    AccessKey: { UserName: rec.UserName, AccessKeyId: rec.AccessKeyId, Status: rec.Status, SecretAccessKey: rec.SecretAccessKey, CreateDate: toDate(rec.CreateDate) },
  };
}

async function requireKeyOfUser(ops: DocOps, account: string, userName: string, accessKeyId: string): Promise<AccessKeyRecord> {
  const user = await requireUser(ops, account, userName);
  const key = await getRecord<AccessKeyRecord>(ops, KIND.accessKey, account, accessKeyId);
  if (!key || nameKey(key.UserName) !== nameKey(user.UserName)) throw noSuchEntity(Messages.noSuchAccessKey(accessKeyId));
  return key;
}

export async function updateAccessKey(ctx: RequestContext, input: UpdateAccessKeyRequest) {
  const userName = callerUserName(ctx, input.UserName);
  await inTransaction(ctx, async (tx) => {
    const key = await requireKeyOfUser(tx, ctx.accountId, userName, input.AccessKeyId);
    key.Status = input.Status === 'Inactive' ? 'Inactive' : 'Active';
    await putRecord(tx, KIND.accessKey, ctx.accountId, key.AccessKeyId, key);
  });
  return {};
}

export async function deleteAccessKey(ctx: RequestContext, input: DeleteAccessKeyRequest) {
  const userName = callerUserName(ctx, input.UserName);
  await inTransaction(ctx, async (tx) => {
    const key = await requireKeyOfUser(tx, ctx.accountId, userName, input.AccessKeyId);
    await deleteRecord(tx, KIND.accessKey, ctx.accountId, key.AccessKeyId);
  });
  return {};
}

export async function listAccessKeys(ctx: RequestContext, input: ListAccessKeysRequest) {
  const user = await requireUser(ctx.store, ctx.accountId, callerUserName(ctx, input.UserName));
  const page = paginate(await keysOfUser(ctx.store, ctx.accountId, user.UserName), input);
  return {
    AccessKeyMetadata: page.items.map((k) => ({ UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: toDate(k.CreateDate) })),
    ...pageFields(page),
  };
}

/** A key never used reports ServiceName and Region "N/A" and no date, as IAM does. */
export async function getAccessKeyLastUsed(ctx: RequestContext, input: GetAccessKeyLastUsedRequest) {
  const key = await getRecord<AccessKeyRecord>(ctx.store, KIND.accessKey, ctx.accountId, input.AccessKeyId);
  if (!key) throw noSuchEntity(Messages.noSuchAccessKey(input.AccessKeyId));
  const lastUsed = key.LastUsed
    ? { LastUsedDate: toDate(key.LastUsed.Date), ServiceName: key.LastUsed.ServiceName, Region: key.LastUsed.Region }
    : { ServiceName: 'N/A', Region: 'N/A' };
  return { UserName: key.UserName, AccessKeyLastUsed: lastUsed };
}

/** How often one key's last use is written: IAM reports it to the hour, so once a minute is plenty. */
const LAST_USE_WRITE_INTERVAL_MS = 60_000;

/**
 * Records that a user's access key signed a request (GetAccessKeyLastUsed, the credential
 * report). Called after authentication; writes at most once a minute per key, and a concurrent
 * change to the key (UpdateAccessKey, DeleteAccessKey) wins over the bookkeeping.
 */
export function accessKeyUseRecorder(store: Store, accountId: string) {
  const lastWritten = new Map<string, number>();
  // Called for every signed request: the once-a-minute check is synchronous, so the usual
  // request allocates no async function frame, only the shared settled promise.
  return function recordUse(accessKeyId: string, serviceName: string, region: string, at: Date): Promise<void> {
    const previous = lastWritten.get(accessKeyId);
    if (previous !== undefined && at.getTime() - previous < LAST_USE_WRITE_INTERVAL_MS) return ALREADY_RECORDED;
    lastWritten.set(accessKeyId, at.getTime());
    return writeLastUse(store, accountId, accessKeyId, serviceName, region, at);
  };
}

const ALREADY_RECORDED: Promise<void> = Promise.resolve();

/** Writes the key's last use unless the key is gone; a concurrent change to it wins. */
async function writeLastUse(store: Store, accountId: string, accessKeyId: string, serviceName: string, region: string, at: Date): Promise<void> {
  const key = docKey(KIND.accessKey, accountId, accessKeyId);
  const doc = await store.get<AccessKeyRecord>(key);
  if (!doc) return;
  const LastUsed = { Date: at.toISOString(), ServiceName: serviceName, Region: region };
  await store.put(key, { ...doc.value, LastUsed }, { expectVersion: doc.version }).catch((err: unknown) => {
    if (!(err instanceof StoreConflictError)) throw err;
  });
}
