/** Tags on users, roles, customer managed policies, instance profiles and MFA devices (50 per resource). */
import type { RequestContext } from '../../core/context.ts';
import type { DocOps } from '../../store/types.ts';
import type { Tag } from '../../generated/iam/types.ts';
import {
  KIND,
  Quotas,
  inTransaction,
  invalidInput,
  nameKey,
  noSuchEntity,
  Messages,
  paginate,
  pageFields,
  putRecord,
  quotaExceeded,
  getRecord,
  type IamKind,
} from './common.ts';
import { findPolicy } from './lookup.ts';

/** Rejects duplicate keys in one request: IAM tag keys are case-insensitive. */
export function checkTagList(tags: Tag[] | undefined): Tag[] {
  const list = tags ?? [];
  const seen = new Set<string>();
  for (const t of list) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  if (list.length > Quotas.tagsPerResource) throw quotaExceeded('TagsPerResource', Quotas.tagsPerResource);
  return list.map((t) => ({ Key: t.Key, Value: t.Value }));
}

/** Adds or replaces tags (matching keys case-insensitively) and enforces the 50-tag quota. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const incoming = checkTagList(added);
  const result = existing.filter((t) => !incoming.some((n) => n.Key.toLowerCase() === t.Key.toLowerCase()));
  result.push(...incoming);
  if (result.length > Quotas.tagsPerResource) throw quotaExceeded('TagsPerResource', Quotas.tagsPerResource);
  return result;
}

export function removeTags(existing: Tag[], keys: string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

interface Taggable {
  Tags: Tag[];
}

/** Where a taggable resource lives and how IAM reports it missing. */
interface TagTarget {
  load(ops: DocOps, account: string, ref: string): Promise<{ kind: IamKind; id: string; rec: Taggable } | undefined>;
  missing(ref: string): string;
}

function byName(kind: IamKind, missing: (ref: string) => string): TagTarget {
  return {
    async load(ops, account, ref) {
      const rec = await getRecord<Taggable>(ops, kind, account, nameKey(ref));
      return rec ? { kind, id: nameKey(ref), rec } : undefined;
    },
    missing,
  };
}

export const TAG_TARGETS = {
  user: byName(KIND.user, Messages.noSuchUser),
  role: byName(KIND.role, Messages.noSuchRole),
  instanceProfile: byName(KIND.instanceProfile, Messages.noSuchInstanceProfile),
  mfa: {
    async load(ops, account, serial) {
      const rec = await getRecord<Taggable>(ops, KIND.mfaDevice, account, serial);
      return rec ? { kind: KIND.mfaDevice, id: serial, rec } : undefined;
    },
    missing: Messages.noSuchMfaDevice,
  } satisfies TagTarget,
  policy: {
    async load(ops, account, arn) {
      const found = await findPolicy(ops, account, arn);
      if (!found || found.kind !== 'customer') return undefined;
      return { kind: KIND.policy, id: nameKey(found.policy.PolicyName), rec: found.policy };
    },
    missing: Messages.policyNotFound,
  } satisfies TagTarget,
} satisfies Record<string, TagTarget>;

export async function tagResource(ctx: RequestContext, target: TagTarget, ref: string, tags: Tag[]): Promise<Record<string, never>> {
  await inTransaction(ctx, async (tx) => {
    const found = await target.load(tx, ctx.accountId, ref);
    if (!found) throw noSuchEntity(target.missing(ref));
    found.rec.Tags = mergeTags(found.rec.Tags, tags);
    await putRecord(tx, found.kind, ctx.accountId, found.id, found.rec);
  });
  return {};
}

export async function untagResource(ctx: RequestContext, target: TagTarget, ref: string, keys: string[]): Promise<Record<string, never>> {
  await inTransaction(ctx, async (tx) => {
    const found = await target.load(tx, ctx.accountId, ref);
    if (!found) throw noSuchEntity(target.missing(ref));
    found.rec.Tags = removeTags(found.rec.Tags, keys);
    await putRecord(tx, found.kind, ctx.accountId, found.id, found.rec);
  });
  return {};
}

export async function listResourceTags(
  ctx: RequestContext,
  target: TagTarget,
  ref: string,
  input: { Marker?: string; MaxItems?: number },
): Promise<{ Tags: Tag[]; IsTruncated: boolean; Marker?: string }> {
  const found = await target.load(ctx.store, ctx.accountId, ref);
  if (!found) throw noSuchEntity(target.missing(ref));
  const page = paginate(found.rec.Tags, input);
  return { Tags: page.items, ...pageFields(page) };
}
