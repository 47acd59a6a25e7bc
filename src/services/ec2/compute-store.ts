/**
 * Where EC2's compute resources live in the store: instances, EBS volumes and snapshots, the
 * account's own images (AMIs) and key pairs, one document each keyed (`ec2:<kind>`, account,
 * region, id) like the networking documents of db.ts. Kept apart from db.ts's `Ec2Kind`; the
 * tagging operations reach both through ids.ts's `TaggableKind`.
 */
import { randomFillSync } from 'node:crypto';
import type { RequestContext } from '../../core/context.ts';
import type { DocKey, DocOps } from '../../store/types.ts';
import { ec2Error } from './errors.ts';

/** `client-token` documents are RunInstances' idempotency index (instances.ts), not resources. */
export type ComputeKind = 'instance' | 'volume' | 'snapshot' | 'image' | 'key-pair' | 'client-token';

/** Id prefixes of compute resources and the sub-resources they embed. */
export type ComputeIdPrefix = 'i' | 'r' | 'vol' | 'snap' | 'ami' | 'key' | 'eni' | 'eni-attach' | 'iip-assoc' | 'vol-attach';

/** A long-format EC2 id: the prefix and 17 lower-case hex characters. */
export function newComputeId(prefix: ComputeIdPrefix): string {
  return `${prefix}-${randomIdSuffix()}`;
}

/**
 * Random bytes come from a pooled buffer refilled 4 KiB at a time: a launch makes half a dozen ids,
 * and one randomBytes call each cost more CPU than the rest of building the records.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

/** `count` fresh random bytes as lower-case hex (2 × count characters). */
export function randomHex(count: number): string {
  if (randomPoolOffset + count > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const hex = randomPool.toString('hex', randomPoolOffset, randomPoolOffset + count);
  randomPoolOffset += count;
  return hex;
}

/** The 17 hex characters after an EC2 id's prefix. */
export function randomIdSuffix(): string {
  return randomHex(9).slice(0, 17);
}

/** The kind an id names ('i-…' → instance), or undefined for ids of other kinds. Key pairs are named, not matched here. */
export function computeKindOfId(id: string): ComputeKind | undefined {
  if (/^i-[0-9a-f]{8,17}$/.test(id)) return 'instance';
  if (/^vol-[0-9a-f]{8,17}$/.test(id)) return 'volume';
  if (/^snap-[0-9a-f]{8,17}$/.test(id)) return 'snapshot';
  if (/^ami-[0-9a-f]{8,17}$/.test(id)) return 'image';
  return undefined;
}

/**
 * Resource ARNs as the Service Authorization Reference writes them: images and snapshots carry no
 * account (arn:aws:ec2:us-east-1::image/ami-…), the others do; key pairs are named by key name.
 */
export function computeArn(region: string, account: string, kind: ComputeKind, id: string): string {
  if (kind === 'image' || kind === 'snapshot') return `arn:aws:ec2:${region}::${kind}/${id}`;
  return `arn:aws:ec2:${region}:${account}:${kind}/${id}`;
}

export class ComputeDb {
  constructor(
    readonly ops: DocOps,
    readonly account: string,
    readonly region: string,
  ) {}

  key(kind: ComputeKind, id: string, region = this.region): DocKey {
    return { kind: `ec2:${kind}`, account: this.account, region, id };
  }

  async get<T>(kind: ComputeKind, id: string, region?: string): Promise<T | undefined> {
    return (await this.ops.get<T>(this.key(kind, id, region)))?.value;
  }

  async put<T>(kind: ComputeKind, id: string, value: T): Promise<void> {
    await this.ops.put(this.key(kind, id), value);
  }

  async delete(kind: ComputeKind, id: string): Promise<void> {
    await this.ops.delete(this.key(kind, id));
  }

  async list<T>(kind: ComputeKind): Promise<T[]> {
    const docs = await this.ops.list<T>({ kind: `ec2:${kind}`, account: this.account, region: this.region });
    return docs.map((d) => d.value);
  }
}

export function readCompute(ctx: RequestContext): ComputeDb {
  return new ComputeDb(ctx.store, ctx.accountId, ctx.region);
}

/** Runs `fn` in one store transaction; networking documents are reachable through `ops` as well. */
export function writeCompute<T>(ctx: RequestContext, fn: (db: ComputeDb) => Promise<T>): Promise<T> {
  return ctx.store.transaction((tx) => fn(new ComputeDb(tx, ctx.accountId, ctx.region)));
}

/** "Invalid id: "x" (expecting "i-...")" as EC2 words malformed ids. */
export function malformedId(code: string, id: string, prefix: string): never {
  throw ec2Error(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

/** Missing ids of one kind reported together, in EC2's singular and plural wordings. */
export function notFoundIds(code: string, noun: string, ids: string[]): Error {
  if (ids.length === 1) return ec2Error(code, `The ${noun} ID '${ids[0]}' does not exist`);
  return ec2Error(code, `The ${noun} IDs '${ids.join(', ')}' do not exist`);
}

/** An ISO-8601 timestamp of Bonsai's clock, as stored in documents. */
export function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}
