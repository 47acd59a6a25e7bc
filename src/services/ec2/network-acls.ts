/**
 * Network ACLs (Amazon VPC User Guide, "Control subnet traffic with network access control lists";
 * EC2 API Reference, CreateNetworkAcl … ReplaceNetworkAclAssociation).
 *
 * Every VPC comes with a default ACL that allows all traffic (rule 100) and ends with the `*` deny
 * (rule 32767) in both directions; every subnet is associated with exactly one ACL, the default
 * one until ReplaceNetworkAclAssociation moves it. A new ACL denies everything: it holds only the
 * `*` rules, which can be neither changed nor removed. Entries are numbered 1..32766 per
 * direction and are evaluated lowest number first.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  CreateNetworkAclEntryRequest,
  CreateNetworkAclRequest,
  DeleteNetworkAclEntryRequest,
  DeleteNetworkAclRequest,
  DescribeNetworkAclsRequest,
  NetworkAclEntry,
  ReplaceNetworkAclAssociationRequest,
  ReplaceNetworkAclEntryRequest,
} from '../../generated/ec2/types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { dependencyViolation, ec2Error, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newEc2Id } from './ids.ts';
import { newNetworkAclRecord, type NetworkAclRecord, type VpcRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';

/** "Rule number … Constraints: Positive integer from 1 to 32766. The range 32767 to 65535 is reserved for internal use." */
export const MIN_RULE_NUMBER = 1;
export const MAX_RULE_NUMBER = 32766;

/** Protocol names the API accepts, and the numbers DescribeNetworkAcls reports them as. */
const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };
const TCP = '6';
const UDP = '17';
const ICMP = '1';
const ICMPV6 = '58';

/**
 * The protocol as DescribeNetworkAcls shows it: "-1" for all traffic, otherwise the IANA number
 * ("tcp" → "6"). Numbers 0..255 are accepted as they are.
 */
export function normaliseProtocol(protocol: string): string {
  const named = PROTOCOL_NUMBERS[protocol.toLowerCase()];
  if (named !== undefined) return named;
  if (protocol === '-1') return '-1';
  if (/^\d{1,3}$/.test(protocol) && Number(protocol) <= 255) return String(Number(protocol));
  throw invalidParameterValue(`Invalid value '${protocol}' for protocol. Must be a protocol number or one of tcp, udp, icmp, icmpv6 or all.`);
}

function checkRuleNumber(ruleNumber: number): void {
  if (!Number.isInteger(ruleNumber) || ruleNumber < MIN_RULE_NUMBER || ruleNumber > MAX_RULE_NUMBER) {
    throw invalidParameterValue(`Value (${ruleNumber}) for parameter ruleNumber is invalid. Rulenumber must be in range ${MIN_RULE_NUMBER}..${MAX_RULE_NUMBER}`);
  }
}

/**
 * The entry a Create/ReplaceNetworkAclEntry request describes, validated: a rule number in range,
 * one IPv4 or IPv6 block, a port range for TCP and UDP, an ICMP type and code for ICMP. Port range
 * and ICMP members are only kept for the protocols they apply to, as AWS reports them.
 */
export function entryFromRequest(input: CreateNetworkAclEntryRequest | ReplaceNetworkAclEntryRequest): NetworkAclEntry {
  checkRuleNumber(input.RuleNumber);
  const protocol = normaliseProtocol(String(input.Protocol));
  if (input.CidrBlock === undefined && input.Ipv6CidrBlock === undefined) {
    throw missingParameter('The request must contain the parameter cidrBlock or ipv6CidrBlock');
  }
  const entry: NetworkAclEntry = { Egress: input.Egress, Protocol: protocol, RuleAction: input.RuleAction, RuleNumber: input.RuleNumber };
  if (input.CidrBlock !== undefined) {
    const block = parseCidr(input.CidrBlock);
    if (!block) throw invalidParameterValue(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    entry.CidrBlock = formatCidr(block);
  } else {
    entry.Ipv6CidrBlock = input.Ipv6CidrBlock;
  }
  if (protocol === TCP || protocol === UDP) {
    const range = input.PortRange;
    if (range?.From === undefined || range.To === undefined) {
      throw missingParameter('The request must contain the parameter portRange');
    }
    if (range.From < 0 || range.To > 65535 || range.From > range.To) {
      throw invalidParameterValue(`Invalid value for portRange. Must specify both from and to ports with TCP/UDP (from ${range.From}, to ${range.To}).`);
    }
    entry.PortRange = { From: range.From, To: range.To };
  }
  if (protocol === ICMP || protocol === ICMPV6) {
    const icmp = input.IcmpTypeCode;
    if (icmp?.Type === undefined || icmp.Code === undefined) {
      throw missingParameter('The request must contain the parameter icmpTypeCode');
    }
    entry.IcmpTypeCode = { Code: icmp.Code, Type: icmp.Type };
  }
  return entry;
}

/** AWS lists egress entries first, each direction by rule number (the `*` rule last). */
export function sortEntries(entries: NetworkAclEntry[]): NetworkAclEntry[] {
  return [...entries].sort((a, b) => Number(b.Egress) - Number(a.Egress) || (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
}

function direction(egress: boolean): string {
  return egress ? 'egress' : 'ingress';
}

function entryNotFound(ruleNumber: number, egress: boolean) {
  return ec2Error('InvalidNetworkAclEntry.NotFound', `no ${direction(egress)} entry with number ${ruleNumber}`);
}

function sameSlot(entry: NetworkAclEntry, ruleNumber: number, egress: boolean): boolean {
  return entry.RuleNumber === ruleNumber && entry.Egress === egress;
}

export async function createNetworkAcl(ctx: RequestContext, input: CreateNetworkAclRequest) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'network-acl');
  const acl = await writeDb(ctx, async (db) => {
    const vpc = await db.require<VpcRecord>('vpc', input.VpcId);
    const created = newNetworkAclRecord({ account: ctx.accountId, region: ctx.region }, vpc, { isDefault: false, tags });
    created.Entries = sortEntries(created.Entries ?? []);
    await db.put('acl', created.NetworkAclId, created);
    return created;
  });
  return { NetworkAcl: acl, ClientToken: input.ClientToken };
}

/** DescribeNetworkAcls' filters (EC2 API Reference). */
const ACL_FILTERS: FilterFields<NetworkAclRecord> = {
  'association.association-id': (a) => (a.Associations ?? []).map((x) => x.NetworkAclAssociationId),
  'association.network-acl-id': (a) => (a.Associations ?? []).map((x) => x.NetworkAclId),
  'association.subnet-id': (a) => (a.Associations ?? []).map((x) => x.SubnetId),
  'default': (a) => a.IsDefault,
  'entry.cidr': (a) => (a.Entries ?? []).map((e) => e.CidrBlock),
  'entry.icmp.code': (a) => (a.Entries ?? []).map((e) => e.IcmpTypeCode?.Code),
  'entry.icmp.type': (a) => (a.Entries ?? []).map((e) => e.IcmpTypeCode?.Type),
  'entry.ipv6-cidr': (a) => (a.Entries ?? []).map((e) => e.Ipv6CidrBlock),
  'entry.port-range.from': (a) => (a.Entries ?? []).map((e) => e.PortRange?.From),
  'entry.port-range.to': (a) => (a.Entries ?? []).map((e) => e.PortRange?.To),
  'entry.protocol': (a) => (a.Entries ?? []).map((e) => e.Protocol),
  'entry.rule-action': (a) => (a.Entries ?? []).map((e) => e.RuleAction),
  'entry.egress': (a) => (a.Entries ?? []).map((e) => e.Egress),
  'entry.rule-number': (a) => (a.Entries ?? []).map((e) => e.RuleNumber),
  'network-acl-id': (a) => a.NetworkAclId,
  'owner-id': (a) => a.OwnerId,
  'vpc-id': (a) => a.VpcId,
};

export async function describeNetworkAcls(ctx: RequestContext, input: DescribeNetworkAclsRequest) {
  const all = await readDb(ctx).listOrSelect<NetworkAclRecord>('acl', input.NetworkAclIds, (a) => a.NetworkAclId);
  // "MaxResults … Valid Range: Minimum value of 5. Maximum value of 1000."
  const { page, nextToken } = paginate(applyFilters(all, input.Filters, ACL_FILTERS), input.MaxResults, input.NextToken);
  return { NetworkAcls: page, NextToken: nextToken };
}

/** Default ACLs go only with their VPC; any other only once no subnet uses it. */
export async function deleteNetworkAcl(ctx: RequestContext, input: DeleteNetworkAclRequest) {
  const id = input.NetworkAclId;
  await writeDb(ctx, async (db) => {
    const acl = await db.require<NetworkAclRecord>('acl', id);
    if (acl.IsDefault) throw invalidParameterValue(`cannot delete default network ACL ${id}`);
    if ((acl.Associations ?? []).length > 0) throw dependencyViolation('networkAcl', id);
    await db.delete('acl', id);
  });
  return {};
}

async function updateEntries(ctx: RequestContext, aclId: string, change: (entries: NetworkAclEntry[]) => NetworkAclEntry[]): Promise<void> {
  await writeDb(ctx, async (db) => {
    const acl = await db.require<NetworkAclRecord>('acl', aclId);
    await db.put('acl', aclId, { ...acl, Entries: sortEntries(change(acl.Entries ?? [])) });
  });
}

export async function createNetworkAclEntry(ctx: RequestContext, input: CreateNetworkAclEntryRequest) {
  const entry = entryFromRequest(input);
  await updateEntries(ctx, input.NetworkAclId, (entries) => {
    if (entries.some((e) => sameSlot(e, input.RuleNumber, input.Egress))) {
      throw ec2Error('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${input.RuleNumber} already exists.`);
    }
    return [...entries, entry];
  });
  return {};
}

export async function replaceNetworkAclEntry(ctx: RequestContext, input: ReplaceNetworkAclEntryRequest) {
  const entry = entryFromRequest(input);
  await updateEntries(ctx, input.NetworkAclId, (entries) => {
    if (!entries.some((e) => sameSlot(e, input.RuleNumber, input.Egress))) throw entryNotFound(input.RuleNumber, input.Egress);
    return entries.map((e) => (sameSlot(e, input.RuleNumber, input.Egress) ? entry : e));
  });
  return {};
}

export async function deleteNetworkAclEntry(ctx: RequestContext, input: DeleteNetworkAclEntryRequest) {
  checkRuleNumber(input.RuleNumber);
  await updateEntries(ctx, input.NetworkAclId, (entries) => {
    if (!entries.some((e) => sameSlot(e, input.RuleNumber, input.Egress))) throw entryNotFound(input.RuleNumber, input.Egress);
    return entries.filter((e) => !sameSlot(e, input.RuleNumber, input.Egress));
  });
  return {};
}

/** The ACL holding an association id, or InvalidAssociationID.NotFound. */
async function findAssociation(db: Ec2Db, associationId: string) {
  for (const acl of await db.list<NetworkAclRecord>('acl')) {
    const association = (acl.Associations ?? []).find((a) => a.NetworkAclAssociationId === associationId);
    if (association) return { acl, association };
  }
  throw ec2Error('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
}

/**
 * Moves a subnet to another ACL of its VPC. The subnet gets a new association id (NewAssociationId);
 * associating it with the ACL it already uses renews the id too, as on AWS.
 */
export async function replaceNetworkAclAssociation(ctx: RequestContext, input: ReplaceNetworkAclAssociationRequest) {
  return writeDb(ctx, async (db) => {
    const { acl, association } = await findAssociation(db, input.AssociationId);
    const target = await db.require<NetworkAclRecord>('acl', input.NetworkAclId);
    if (target.VpcId !== acl.VpcId) {
      throw invalidParameterValue(`Network ACL ${target.NetworkAclId} and subnet ${association.SubnetId} belong to different networks`);
    }
    const moved = { NetworkAclAssociationId: newEc2Id('aclassoc'), NetworkAclId: target.NetworkAclId, SubnetId: association.SubnetId };
    const remaining = (acl.Associations ?? []).filter((a) => a !== association);
    if (target.NetworkAclId === acl.NetworkAclId) {
      await db.put('acl', acl.NetworkAclId, { ...acl, Associations: [...remaining, moved] });
    } else {
      await db.put('acl', acl.NetworkAclId, { ...acl, Associations: remaining });
      await db.put('acl', target.NetworkAclId, { ...target, Associations: [...(target.Associations ?? []), moved] });
    }
    return { NewAssociationId: moved.NetworkAclAssociationId };
  });
}
