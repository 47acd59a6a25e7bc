/**
 * EC2's documents in the store: one per resource, keyed (`ec2:<kind>`, account, region, id), holding
 * the resource as the API describes it (plus a few internal members the XML writer ignores because
 * the model does not name them). Writes run in one transaction per request.
 *
 * Writing or deleting an interface (`eni`) or NAT gateway (`nat`) document, or deleting a subnet,
 * also updates the private-address index (address-index.ts) in the same transaction: doing it
 * here, where every such write passes, keeps the index from ever missing one.
 */
import type { RequestContext } from '../../core/context.ts';
import type { DocKey, DocOps } from '../../store/types.ts';
import type { Ec2Kind } from './ids.ts';
import { AddressIndex } from './address-index.ts';
import { manyNotFound, notFound } from './errors.ts';
import type { NatGatewayRecord, NetworkInterfaceRecord } from './records.ts';

export type DocKind = Ec2Kind | 'region-defaults';

export class Ec2Db {
  constructor(
    readonly ops: DocOps,
    readonly account: string,
    readonly region: string,
  ) {}

  key(kind: DocKind, id: string): DocKey {
    return { kind: `ec2:${kind}`, account: this.account, region: this.region, id };
  }

  async get<T>(kind: DocKind, id: string): Promise<T | undefined> {
    return (await this.ops.get<T>(this.key(kind, id)))?.value;
  }

  /** The resource, or EC2's not-found error for its kind. */
  async require<T>(kind: Ec2Kind, id: string): Promise<T> {
    const found = await this.get<T>(kind, id);
    if (found === undefined) throw notFound(kind, id);
    return found;
  }

  async put<T>(kind: DocKind, id: string, value: T): Promise<void> {
    await this.ops.put(this.key(kind, id), value);
    if (kind === 'eni') await this.addressIndex().interfaceWritten(value as NetworkInterfaceRecord);
    else if (kind === 'nat') await this.addressIndex().natGatewayWritten(value as NatGatewayRecord);
  }

  async delete(kind: DocKind, id: string): Promise<void> {
    await this.ops.delete(this.key(kind, id));
    if (kind === 'eni' || kind === 'nat') await this.addressIndex().holderDeleted(id);
    else if (kind === 'subnet') await this.addressIndex().subnetDeleted(id);
  }

  /** The region's private-address index, through the same store operations (the same transaction). */
  addressIndex(): AddressIndex {
    return new AddressIndex(this.ops, this.account, this.region);
  }

  async list<T>(kind: Ec2Kind): Promise<T[]> {
    const docs = await this.ops.list<T>({ kind: `ec2:${kind}`, account: this.account, region: this.region });
    return docs.map((d) => d.value);
  }

  /**
   * The resources an id list names, in the list's order, or every resource when the list is empty.
   * Missing ids are reported together, as EC2's Describe* calls do.
   */
  async listOrSelect<T>(kind: Ec2Kind, ids: string[] | undefined, idOf: (item: T) => string): Promise<T[]> {
    const all = await this.list<T>(kind);
    if (!ids || ids.length === 0) return all;
    const byId = new Map(all.map((item) => [idOf(item), item]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) throw manyNotFound(kind, [...new Set(missing)]);
    return [...new Set(ids)].map((id) => byId.get(id)!);
  }
}

/** A read view on the request's store. */
export function readDb(ctx: RequestContext): Ec2Db {
  return new Ec2Db(ctx.store, ctx.accountId, ctx.region);
}

/** Runs `fn` in one store transaction, so a request's writes land together or not at all. */
export function writeDb<T>(ctx: RequestContext, fn: (db: Ec2Db) => Promise<T>): Promise<T> {
  return ctx.store.transaction((tx) => fn(new Ec2Db(tx, ctx.accountId, ctx.region)));
}
