/**
 * Security groups: CreateSecurityGroup (with the all-egress rule), rules added and removed one
 * source at a time (each an sgr- rule of its own, as DescribeSecurityGroupRules shows them),
 * DescribeSecurityGroups, DeleteSecurityGroup.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AuthorizeSecurityGroupIngressRequest,
  CreateSecurityGroupRequest,
  DeleteSecurityGroupRequest,
  DescribeSecurityGroupRulesRequest,
  DescribeSecurityGroupsRequest,
  IpPermission,
  RevokeSecurityGroupIngressRequest,
  SecurityGroupRule,
} from '../../generated/ec2/types.ts';
import { parseCidr, formatCidr } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { ec2Error, invalidParameterValue, missingParameter, notFound } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newRule, newSecurityGroupRecord, permissionsOf, securityGroupView, type Owner, type SecurityGroupRecord, type VpcRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';
import { defaultVpcId } from './defaults.ts';
import { ComputeDb } from './compute-store.ts';
import { terminatedAtMs, type InstanceRecord } from './instance-state.ts';
import { interfacesWhere } from './network-interfaces.ts';

function ownerOf(ctx: RequestContext): Owner {
  return { account: ctx.accountId, region: ctx.region };
}

export async function createSecurityGroup(ctx: RequestContext, input: CreateSecurityGroupRequest) {
  const name = input.GroupName!;
  if (name === 'default') throw ec2Error('InvalidGroup.Reserved', "The security group 'default' is reserved");
  if (name.startsWith('sg-')) throw invalidParameterValue('Group names may not be in the format sg-*.');
  const tags = tagsFromSpecifications(input.TagSpecifications, 'security-group');
  const vpcId = input.VpcId ?? (await defaultVpcId(ctx));
  if (!vpcId) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
  const group = await writeDb(ctx, async (db) => {
    await db.require<VpcRecord>('vpc', vpcId);
    const sameName = (await db.list<SecurityGroupRecord>('sg')).some((g) => g.VpcId === vpcId && g.GroupName === name);
    if (sameName) throw ec2Error('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
    const created = newSecurityGroupRecord(ownerOf(ctx), vpcId, name, input.Description!, tags);
    await db.put('sg', created.GroupId, created);
    return created;
  });
  return { GroupId: group.GroupId, Tags: group.Tags, SecurityGroupArn: group.SecurityGroupArn };
}

/** A group named by id, or by name in the default VPC (the legacy GroupName parameter). */
async function resolveGroup(ctx: RequestContext, db: Ec2Db, groupId: string | undefined, groupName: string | undefined): Promise<SecurityGroupRecord> {
  if (groupId !== undefined) return db.require<SecurityGroupRecord>('sg', groupId);
  if (groupName === undefined) throw missingParameter('The request must contain the parameter groupName or groupId');
  const vpcId = await defaultVpcId(ctx);
  const group = (await db.list<SecurityGroupRecord>('sg')).find((g) => g.VpcId === vpcId && g.GroupName === groupName);
  if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${groupName}' does not exist in default VPC '${vpcId ?? 'none'}'`);
  return group;
}

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

function normaliseProtocol(protocol: string | undefined): string {
  const p = (protocol ?? '').toLowerCase();
  if (p === '') throw missingParameter('The request must contain the parameter ipProtocol');
  return PROTOCOL_NAMES[p] ?? p;
}

/** The legacy flat parameters (CidrIp, IpProtocol, FromPort, ToPort) as one IpPermission. */
function requestedPermissions(input: AuthorizeSecurityGroupIngressRequest): IpPermission[] {
  if (input.IpPermissions && input.IpPermissions.length > 0) return input.IpPermissions;
  if (input.IpProtocol === undefined && input.CidrIp === undefined && input.SourceSecurityGroupName === undefined) return [];
  return [
    {
      IpProtocol: input.IpProtocol,
      FromPort: input.FromPort,
      ToPort: input.ToPort,
      IpRanges: input.CidrIp !== undefined ? [{ CidrIp: input.CidrIp }] : [],
      UserIdGroupPairs: input.SourceSecurityGroupName !== undefined ? [{ GroupName: input.SourceSecurityGroupName, UserId: input.SourceSecurityGroupOwnerId }] : [],
    },
  ];
}

/** One rule spec per source of each permission, checked the way AWS checks them. */
async function ruleSpecs(ctx: RequestContext, db: Ec2Db, group: SecurityGroupRecord, perms: IpPermission[]): Promise<Array<Partial<SecurityGroupRule>>> {
  const specs: Array<Partial<SecurityGroupRule>> = [];
  for (const perm of perms) {
    const protocol = normaliseProtocol(perm.IpProtocol);
    const hasPorts = protocol === 'tcp' || protocol === 'udp' || protocol === 'icmp' || protocol === 'icmpv6';
    if ((protocol === 'tcp' || protocol === 'udp') && (perm.FromPort === undefined || perm.ToPort === undefined)) {
      throw invalidParameterValue(`Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange`);
    }
    if ((protocol === 'tcp' || protocol === 'udp') && perm.FromPort! > perm.ToPort!) {
      throw invalidParameterValue(`Invalid TCP/UDP port range: ${perm.FromPort} > ${perm.ToPort}`);
    }
    const base = { IpProtocol: protocol, FromPort: hasPorts ? perm.FromPort : -1, ToPort: hasPorts ? perm.ToPort : -1 };
    for (const range of perm.IpRanges ?? []) {
      const block = parseCidr(range.CidrIp ?? '');
      if (!block) throw invalidParameterValue(`CIDR block ${range.CidrIp} is malformed`);
      specs.push({ ...base, CidrIpv4: formatCidr(block), Description: range.Description });
    }
    for (const range of perm.Ipv6Ranges ?? []) specs.push({ ...base, CidrIpv6: range.CidrIpv6, Description: range.Description });
    for (const list of perm.PrefixListIds ?? []) specs.push({ ...base, PrefixListId: list.PrefixListId, Description: list.Description });
    for (const pair of perm.UserIdGroupPairs ?? []) {
      const peer = pair.GroupId !== undefined ? await db.get<SecurityGroupRecord>('sg', pair.GroupId) : (await db.list<SecurityGroupRecord>('sg')).find((g) => g.VpcId === group.VpcId && g.GroupName === pair.GroupName);
      if (!peer) throw notFound('sg', pair.GroupId ?? pair.GroupName ?? '');
      specs.push({ ...base, ReferencedGroupInfo: { GroupId: peer.GroupId, UserId: pair.UserId ?? ctx.accountId }, Description: pair.Description });
    }
  }
  return specs;
}

function sameRule(a: Partial<SecurityGroupRule>, b: Partial<SecurityGroupRule>): boolean {
  return (
    a.IpProtocol === b.IpProtocol &&
    (a.IpProtocol === '-1' || (a.FromPort === b.FromPort && a.ToPort === b.ToPort)) &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId
  );
}

/** `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW` as AWS words a rule in its errors. */
function describeRule(rule: Partial<SecurityGroupRule>): string {
  const peer = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId ?? '';
  if (rule.IpProtocol === '-1') return `peer: ${peer}, ALL, ALLOW`;
  return `peer: ${peer}, ${rule.IpProtocol!.toUpperCase()}, from port: ${rule.FromPort}, to port: ${rule.ToPort}, ALLOW`;
}

async function authorize(ctx: RequestContext, input: AuthorizeSecurityGroupIngressRequest, egress: boolean) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'security-group-rule');
  return writeDb(ctx, async (db) => {
    const group = await resolveGroup(ctx, db, input.GroupId, egress ? undefined : input.GroupName);
    const perms = requestedPermissions(input);
    if (perms.length === 0) throw missingParameter('No IP permissions specified');
    const specs = await ruleSpecs(ctx, db, group, perms);
    const added: SecurityGroupRule[] = [];
    for (const spec of specs) {
      if ([...group.Rules, ...added].some((r) => r.IsEgress === egress && sameRule(r, spec))) {
        throw ec2Error('InvalidPermission.Duplicate', `the specified rule "${describeRule(spec)}" already exists`);
      }
      added.push(newRule(ownerOf(ctx), group.GroupId, egress, { ...spec, Tags: tags }));
    }
    await db.put('sg', group.GroupId, { ...group, Rules: [...group.Rules, ...added] });
    return { Return: true, SecurityGroupRules: added };
  });
}

async function revoke(ctx: RequestContext, input: RevokeSecurityGroupIngressRequest, egress: boolean) {
  return writeDb(ctx, async (db) => {
    const group = await resolveGroup(ctx, db, input.GroupId, egress ? undefined : input.GroupName);
    const mine = group.Rules.filter((r) => r.IsEgress === egress);
    let removed: SecurityGroupRule[];
    if (input.SecurityGroupRuleIds && input.SecurityGroupRuleIds.length > 0) {
      removed = [];
      for (const id of input.SecurityGroupRuleIds) {
        const rule = mine.find((r) => r.SecurityGroupRuleId === id);
        if (!rule) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
        removed.push(rule);
      }
    } else {
      const perms = requestedPermissions(input);
      if (perms.length === 0) throw missingParameter('No IP permissions specified');
      const specs = await ruleSpecs(ctx, db, group, perms);
      removed = specs.map((spec) => {
        const rule = mine.find((r) => sameRule(r, spec));
        if (!rule) throw ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
        return rule;
      });
    }
    await db.put('sg', group.GroupId, { ...group, Rules: group.Rules.filter((r) => !removed.includes(r)) });
    return {
      Return: true,
      RevokedSecurityGroupRules: removed.map((r) => ({
        SecurityGroupRuleId: r.SecurityGroupRuleId,
        GroupId: r.GroupId,
        IsEgress: r.IsEgress,
        IpProtocol: r.IpProtocol,
        FromPort: r.FromPort,
        ToPort: r.ToPort,
        CidrIpv4: r.CidrIpv4,
        CidrIpv6: r.CidrIpv6,
        PrefixListId: r.PrefixListId,
        ReferencedGroupId: r.ReferencedGroupInfo?.GroupId,
        Description: r.Description,
      })),
    };
  });
}

export const authorizeSecurityGroupIngress = (ctx: RequestContext, input: AuthorizeSecurityGroupIngressRequest) => authorize(ctx, input, false);
export const authorizeSecurityGroupEgress = (ctx: RequestContext, input: AuthorizeSecurityGroupIngressRequest) => authorize(ctx, input, true);
export const revokeSecurityGroupIngress = (ctx: RequestContext, input: RevokeSecurityGroupIngressRequest) => revoke(ctx, input, false);
export const revokeSecurityGroupEgress = (ctx: RequestContext, input: RevokeSecurityGroupIngressRequest) => revoke(ctx, input, true);

const SG_FILTERS: FilterFields<SecurityGroupRecord> = {
  'description': (g) => g.Description,
  'group-id': (g) => g.GroupId,
  'group-name': (g) => g.GroupName,
  'owner-id': (g) => g.OwnerId,
  'vpc-id': (g) => g.VpcId,
  'ip-permission.cidr': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.CidrIpv4),
  'ip-permission.from-port': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.FromPort),
  'ip-permission.to-port': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.ToPort),
  'ip-permission.protocol': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.IpProtocol),
  'ip-permission.group-id': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.ReferencedGroupInfo?.GroupId),
  'ip-permission.ipv6-cidr': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.CidrIpv6),
  'ip-permission.prefix-list-id': (g) => g.Rules.filter((r) => !r.IsEgress).map((r) => r.PrefixListId),
  'egress.ip-permission.cidr': (g) => g.Rules.filter((r) => r.IsEgress).map((r) => r.CidrIpv4),
  'egress.ip-permission.from-port': (g) => g.Rules.filter((r) => r.IsEgress).map((r) => r.FromPort),
  'egress.ip-permission.to-port': (g) => g.Rules.filter((r) => r.IsEgress).map((r) => r.ToPort),
  'egress.ip-permission.protocol': (g) => g.Rules.filter((r) => r.IsEgress).map((r) => r.IpProtocol),
  'egress.ip-permission.group-id': (g) => g.Rules.filter((r) => r.IsEgress).map((r) => r.ReferencedGroupInfo?.GroupId),
};

export async function describeSecurityGroups(ctx: RequestContext, input: DescribeSecurityGroupsRequest) {
  const db = readDb(ctx);
  let groups = await db.listOrSelect<SecurityGroupRecord>('sg', input.GroupIds, (g) => g.GroupId);
  if (input.GroupNames && input.GroupNames.length > 0) {
    const vpcId = await defaultVpcId(ctx);
    const inDefault = groups.filter((g) => g.VpcId === vpcId);
    for (const name of input.GroupNames) {
      if (!inDefault.some((g) => g.GroupName === name)) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId ?? 'none'}'`);
    }
    groups = inDefault.filter((g) => input.GroupNames!.includes(g.GroupName));
  }
  const { page, nextToken } = paginate(applyFilters(groups, input.Filters, SG_FILTERS), input.MaxResults, input.NextToken);
  return { SecurityGroups: page.map(securityGroupView), NextToken: nextToken };
}

const RULE_FILTERS: FilterFields<SecurityGroupRule> = {
  'group-id': (r) => r.GroupId,
  'security-group-rule-id': (r) => r.SecurityGroupRuleId,
};

export async function describeSecurityGroupRules(ctx: RequestContext, input: DescribeSecurityGroupRulesRequest) {
  const rules = (await readDb(ctx).list<SecurityGroupRecord>('sg')).flatMap((g) => g.Rules);
  const wanted = input.SecurityGroupRuleIds ?? [];
  for (const id of wanted) {
    if (!rules.some((r) => r.SecurityGroupRuleId === id)) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
  }
  const selected = wanted.length > 0 ? rules.filter((r) => wanted.includes(r.SecurityGroupRuleId!)) : rules;
  const { page, nextToken } = paginate(applyFilters(selected, input.Filters, RULE_FILTERS), input.MaxResults, input.NextToken);
  return { SecurityGroupRules: page, NextToken: nextToken };
}

export async function deleteSecurityGroup(ctx: RequestContext, input: DeleteSecurityGroupRequest) {
  return writeDb(ctx, async (db) => {
    const group = await resolveGroup(ctx, db, input.GroupId, input.GroupName);
    if (group.GroupName === 'default') {
      throw ec2Error('CannotDelete', `the specified group: "${group.GroupId}" name: "default" cannot be deleted by a user`);
    }
    const referencing = (await db.list<SecurityGroupRecord>('sg')).some(
      (g) => g.GroupId !== group.GroupId && g.Rules.some((r) => r.ReferencedGroupInfo?.GroupId === group.GroupId),
    );
    if (referencing) throw ec2Error('DependencyViolation', `resource ${group.GroupId} has a dependent object`);
    // Instances (their primary interfaces' groups live on them) and other interfaces using the group.
    const compute = new ComputeDb(db.ops, ctx.accountId, ctx.region);
    const usedByInstance = (await compute.list<InstanceRecord>('instance')).some((i) => terminatedAtMs(i.Events) === undefined && i.SecurityGroupIds.includes(group.GroupId));
    const usedByInterface = (await interfacesWhere(db, (e) => e.Attachment?.DeviceIndex !== 0 && e.Groups.includes(group.GroupId))).length > 0;
    if (usedByInstance || usedByInterface) throw ec2Error('DependencyViolation', `resource ${group.GroupId} has a dependent object`);
    await db.delete('sg', group.GroupId);
    return { Return: true, GroupId: group.GroupId };
  });
}

export { permissionsOf };
