/**
 * The private-address index: which private IPv4 addresses are taken in each subnet, and how many
 * instances are live in each region, kept in EC2's own SQL tables so that RunInstances and
 * CreateNetworkInterface cost the same with 1 instance as with 10,000 (reading every interface
 * document to answer those two questions made a launch O(n) in the region's instances).
 *
 * The documents stay the source of truth; the index is derived from them and kept in step by
 * Ec2Db itself (db.ts): every put or delete of an `ec2:eni` or `ec2:nat` document updates the
 * rows of that document in the same transaction, so no caller can forget to. A region's index is
 * rebuilt from its documents once (`ensureAddressIndex`), for data written before the index
 * existed; a marker document records that it was.
 *
 * What the index answers is exactly what the documents did:
 *   - an address is taken in a subnet when an interface document or a NAT gateway document (any
 *     state) of that subnet holds it;
 *   - live instances are interface documents attached at device index 0: every instance has its
 *     primary interface document from launch until termination (network-interfaces.ts).
 */
import type { RequestContext } from '../../core/context.ts';
import type { DocOps, Migration } from '../../store/types.ts';
import { containsAddress, formatIpv4, lastAddress, parseCidr, parseIpv4 } from './cidr.ts';
import { ec2Error, invalidParameterValue } from './errors.ts';
import type { NatGatewayRecord, NetworkInterfaceRecord, SubnetRecord } from './records.ts';

const ADDRESS_TABLE = 'ec2_private_address';
const COUNT_TABLE = 'ec2_live_instance_count';
const HINT_TABLE = 'ec2_subnet_free_hint';

function createTables(text: string): string {
  return `
CREATE TABLE ${ADDRESS_TABLE} (
  account ${text} NOT NULL,
  region ${text} NOT NULL,
  holder ${text} NOT NULL,
  subnet_id ${text} NOT NULL,
  address BIGINT NOT NULL,
  primary_of_instance SMALLINT NOT NULL,
  PRIMARY KEY (account, region, holder, address)
);
CREATE INDEX ${ADDRESS_TABLE}_by_subnet ON ${ADDRESS_TABLE} (account, region, subnet_id, address);
CREATE TABLE ${COUNT_TABLE} (
  account ${text} NOT NULL,
  region ${text} NOT NULL,
  live BIGINT NOT NULL,
  PRIMARY KEY (account, region)
);
CREATE TABLE ${HINT_TABLE} (
  account ${text} NOT NULL,
  region ${text} NOT NULL,
  subnet_id ${text} NOT NULL,
  first_maybe_free BIGINT NOT NULL,
  PRIMARY KEY (account, region, subnet_id)
);`;
}

// The statements, built once: the store caches prepared statements by their text.
const SELECT_LIVE = `SELECT live FROM ${COUNT_TABLE} WHERE account = $1 AND region = $2`;
const SELECT_TAKEN = `SELECT 1 AS taken FROM ${ADDRESS_TABLE} WHERE account = $1 AND region = $2 AND subnet_id = $3 AND address = $4 LIMIT 1`;
/** The first taken address at or after $4 whose successor is free, plus one. */
const SELECT_FIRST_GAP = `SELECT u.address + 1 AS free FROM ${ADDRESS_TABLE} u
  WHERE u.account = $1 AND u.region = $2 AND u.subnet_id = $3 AND u.address >= $4
    AND NOT EXISTS (SELECT 1 FROM ${ADDRESS_TABLE} v
                     WHERE v.account = $1 AND v.region = $2 AND v.subnet_id = $3 AND v.address = u.address + 1)
  ORDER BY u.address LIMIT 1`;
const SELECT_HINT = `SELECT first_maybe_free FROM ${HINT_TABLE} WHERE account = $1 AND region = $2 AND subnet_id = $3`;
const UPSERT_HINT = `INSERT INTO ${HINT_TABLE} (account, region, subnet_id, first_maybe_free) VALUES ($1, $2, $3, $4)
  ON CONFLICT (account, region, subnet_id) DO UPDATE SET first_maybe_free = excluded.first_maybe_free`;
const DELETE_HINT = `DELETE FROM ${HINT_TABLE} WHERE account = $1 AND region = $2 AND subnet_id = $3`;
const DELETE_HOLDER = `DELETE FROM ${ADDRESS_TABLE} WHERE account = $1 AND region = $2 AND holder = $3 RETURNING subnet_id, address, primary_of_instance`;
const INSERT_ADDRESS = `INSERT INTO ${ADDRESS_TABLE} (account, region, holder, subnet_id, address, primary_of_instance) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (account, region, holder, address) DO NOTHING`;
const LOWER_HINT = `UPDATE ${HINT_TABLE} SET first_maybe_free = $4 WHERE account = $1 AND region = $2 AND subnet_id = $3 AND first_maybe_free > $4`;
const ADD_LIVE = `INSERT INTO ${COUNT_TABLE} (account, region, live) VALUES ($1, $2, $3)
  ON CONFLICT (account, region) DO UPDATE SET live = ${COUNT_TABLE}.live + excluded.live`;

/**
 * - ec2_private_address: one row per address a document holds (`holder` is the interface or NAT
 *   gateway id); `primary_of_instance` is 1 for an interface attached at device index 0.
 * - ec2_live_instance_count: the number of such primary interfaces per region.
 * - ec2_subnet_free_hint: per subnet, an address below which every usable address is taken, so
 *   the search for the first free address starts there instead of at the subnet's start.
 */
export const ec2Migrations: Migration[] = [
  { id: 1, name: 'ec2 private address index', sql: { sqlite: createTables('TEXT'), postgres: createTables('TEXT COLLATE "C"') } },
];

/** The marker document saying a region's index was built from its documents. */
export const ADDRESS_INDEX_BUILT = 'address-index-v1';

interface HeldAddress {
  subnetId: string;
  address: number;
  primaryOfInstance: boolean;
}

function addressesOfInterface(eni: NetworkInterfaceRecord): HeldAddress[] {
  const address = parseIpv4(eni.PrivateIpAddress);
  if (address === undefined) return [];
  return [{ subnetId: eni.SubnetId, address, primaryOfInstance: eni.Attachment?.DeviceIndex === 0 }];
}

function addressesOfNatGateway(nat: NatGatewayRecord): HeldAddress[] {
  const held: HeldAddress[] = [];
  for (const a of nat.NatGatewayAddresses ?? []) {
    const address = a.PrivateIp !== undefined ? parseIpv4(a.PrivateIp) : undefined;
    if (address !== undefined) held.push({ subnetId: nat.SubnetId, address, primaryOfInstance: false });
  }
  return held;
}

/** The index of one account and region, read and written through `ops` (a transaction, for writes). */
export class AddressIndex {
  constructor(
    private readonly ops: DocOps,
    private readonly account: string,
    private readonly region: string,
  ) {}

  // ── what launches ask ──────────────────────────────────────────────────────────────────────

  /** Instances with their primary interface: pending, running, stopping or stopped. */
  async liveInstances(): Promise<number> {
    const rows = await this.ops.sql<{ live: number | string }>(SELECT_LIVE, [this.account, this.region]);
    return rows.length > 0 ? Number(rows[0]!.live) : 0;
  }

  async isTaken(subnetId: string, address: number): Promise<boolean> {
    const rows = await this.ops.sql(SELECT_TAKEN, [this.account, this.region, subnetId, address]);
    return rows.length > 0;
  }

  /**
   * The lowest free address in [first, last] of the subnet, or undefined when all are taken. Starts
   * from the subnet's hint (every address below it is taken), so that filling a subnet in order
   * costs a couple of index lookups per address, not a walk over those already taken.
   */
  async firstFree(subnetId: string, first: number, last: number): Promise<number | undefined> {
    const start = Math.max(first, await this.hint(subnetId));
    let found: number | undefined;
    if (!(await this.isTaken(subnetId, start))) {
      found = start;
    } else {
      const rows = await this.ops.sql<{ free: number | string }>(SELECT_FIRST_GAP, [this.account, this.region, subnetId, start]);
      found = Number(rows[0]!.free);
    }
    if (found > last) return undefined;
    // Every address in [first, found) is taken: found is a valid hint whether or not it gets used.
    await this.setHint(subnetId, found);
    return found;
  }

  private async hint(subnetId: string): Promise<number> {
    const rows = await this.ops.sql<{ first_maybe_free: number | string }>(SELECT_HINT, [this.account, this.region, subnetId]);
    return rows.length > 0 ? Number(rows[0]!.first_maybe_free) : 0;
  }

  private async setHint(subnetId: string, address: number): Promise<void> {
    await this.ops.sql(UPSERT_HINT, [this.account, this.region, subnetId, address]);
  }

  // ── keeping it in step with the documents (called by Ec2Db) ─────────────────────────────────

  async interfaceWritten(eni: NetworkInterfaceRecord): Promise<void> {
    await this.replaceHolder(eni.NetworkInterfaceId, addressesOfInterface(eni));
  }

  async natGatewayWritten(nat: NatGatewayRecord): Promise<void> {
    await this.replaceHolder(nat.NatGatewayId, addressesOfNatGateway(nat));
  }

  /** An interface or NAT gateway document was deleted. */
  async holderDeleted(holder: string): Promise<void> {
    await this.replaceHolder(holder, []);
  }

  async subnetDeleted(subnetId: string): Promise<void> {
    await this.ops.sql(DELETE_HINT, [this.account, this.region, subnetId]);
  }

  /** The holder's rows become `held`; the live count and the hints follow what changed. */
  private async replaceHolder(holder: string, held: HeldAddress[]): Promise<void> {
    const removed = await this.ops.sql<{ subnet_id: string; address: number | string; primary_of_instance: number | string }>(DELETE_HOLDER, [this.account, this.region, holder]);
    let liveChange = 0;
    for (const row of removed) {
      if (Number(row.primary_of_instance) === 1) liveChange--;
      if (!held.some((h) => h.subnetId === row.subnet_id && h.address === Number(row.address))) await this.lowerHint(row.subnet_id, Number(row.address));
    }
    for (const h of held) {
      await this.ops.sql(INSERT_ADDRESS, [this.account, this.region, holder, h.subnetId, h.address, h.primaryOfInstance ? 1 : 0]);
      if (h.primaryOfInstance) liveChange++;
    }
    if (liveChange !== 0) await this.addLive(liveChange);
  }

  /** A freed address may be below the hint: the search must start there again. */
  private async lowerHint(subnetId: string, address: number): Promise<void> {
    await this.ops.sql(LOWER_HINT, [this.account, this.region, subnetId, address]);
  }

  private async addLive(change: number): Promise<void> {
    await this.ops.sql(ADD_LIVE, [this.account, this.region, change]);
  }

  /** Rebuilds the region's rows from its documents (the one-off backfill). */
  async rebuild(interfaces: NetworkInterfaceRecord[], natGateways: NatGatewayRecord[]): Promise<void> {
    const where = [this.account, this.region];
    await this.ops.sql(`DELETE FROM ${ADDRESS_TABLE} WHERE account = $1 AND region = $2`, where);
    await this.ops.sql(`DELETE FROM ${COUNT_TABLE} WHERE account = $1 AND region = $2`, where);
    await this.ops.sql(`DELETE FROM ${HINT_TABLE} WHERE account = $1 AND region = $2`, where);
    for (const eni of interfaces) await this.interfaceWritten(eni);
    for (const nat of natGateways) await this.natGatewayWritten(nat);
  }
}

// ── choosing addresses ─────────────────────────────────────────────────────────────────────────

/**
 * The address asked for, or the first free one after the four AWS reserves at the start of the
 * subnet (the last address is reserved too).
 */
export async function chooseAddress(index: AddressIndex, subnet: SubnetRecord, requested: string | undefined): Promise<string> {
  const block = parseCidr(subnet.CidrBlock)!;
  const first = block.network + 4;
  const last = lastAddress(block) - 1;
  if (requested !== undefined) {
    const value = parseIpv4(requested);
    if (value === undefined || !containsAddress(block, value)) {
      throw invalidParameterValue(`Address ${requested} does not fall within the subnet's address range`);
    }
    if (value < first || value > last) throw invalidParameterValue(`Address ${requested} is in subnet's reserved address range`);
    if (await index.isTaken(subnet.SubnetId, value)) throw ec2Error('InvalidIPAddress.InUse', `Address ${requested} is in use.`);
    return requested;
  }
  const free = await index.firstFree(subnet.SubnetId, first, last);
  if (free === undefined) {
    throw ec2Error('InsufficientFreeAddressesInSubnet', `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`);
  }
  return formatIpv4(free);
}

export function addressIndex(ops: DocOps, ctx: Pick<RequestContext, 'accountId' | 'region'>): AddressIndex {
  return new AddressIndex(ops, ctx.accountId, ctx.region);
}
