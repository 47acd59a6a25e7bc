/**
 * EC2's authorization table (Service Authorization Reference, "Actions defined by Amazon EC2"):
 * each operation is `ec2:<Operation>` on the ARNs of the resources it touches
 * (arn:aws:ec2:<region>:<account>:vpc/vpc-…), `<type>/*` for resources it creates. Every target
 * carries ec2:Region; existing resources add their tags (ec2:ResourceTag/…, aws:ResourceTag/…);
 * creates add aws:RequestTag/… and aws:TagKeys. Tagging on create also needs ec2:CreateTags on
 * the new resource with ec2:CreateAction, as the EC2 User Guide's "Grant permission to tag
 * resources during creation" describes.
 */
import type { AuthzCall, AuthzTarget, OperationAuthz, ServiceAuthz } from '../../iam/authz/types.ts';
import type { ContextValue } from '../../iam/policy/context.ts';
import type { Tag, TagSpecification } from '../../generated/ec2/types.ts';
import { readDb } from './db.ts';
import { ec2Arn, taggableArn, type Ec2Kind } from './ids.ts';
import { computeAuthz } from './compute-authz.ts';
import { findTaggable } from './tags.ts';
import type { NetworkInterfaceRecord } from './records.ts';

/** A resource an operation names: its kind and the input member that holds its id, or NEW for created ones. */
type ResourceRef = readonly [Ec2Kind, string];
const NEW = '<new>';

/** The resources of each operation; the first is always evaluated (as `<type>/*` if not named), the others when given. */
const RESOURCES: Record<string, readonly ResourceRef[]> = {
  CreateVpc: [['vpc', NEW]],
  DeleteVpc: [['vpc', 'VpcId']],
  ModifyVpcAttribute: [['vpc', 'VpcId']],
  DescribeVpcAttribute: [['vpc', 'VpcId']],
  AssociateVpcCidrBlock: [['vpc', 'VpcId']],
  DisassociateVpcCidrBlock: [['vpc', '']],
  CreateSubnet: [['subnet', NEW], ['vpc', 'VpcId']],
  DeleteSubnet: [['subnet', 'SubnetId']],
  ModifySubnetAttribute: [['subnet', 'SubnetId']],
  CreateInternetGateway: [['igw', NEW]],
  DeleteInternetGateway: [['igw', 'InternetGatewayId']],
  AttachInternetGateway: [['igw', 'InternetGatewayId'], ['vpc', 'VpcId']],
  DetachInternetGateway: [['igw', 'InternetGatewayId'], ['vpc', 'VpcId']],
  CreateRouteTable: [['rtb', NEW], ['vpc', 'VpcId']],
  DeleteRouteTable: [['rtb', 'RouteTableId']],
  CreateRoute: [['rtb', 'RouteTableId']],
  ReplaceRoute: [['rtb', 'RouteTableId']],
  DeleteRoute: [['rtb', 'RouteTableId']],
  AssociateRouteTable: [['rtb', 'RouteTableId'], ['subnet', 'SubnetId'], ['igw', 'GatewayId']],
  ReplaceRouteTableAssociation: [['rtb', 'RouteTableId']],
  DisassociateRouteTable: [['rtb', '']],
  CreateSecurityGroup: [['sg', NEW], ['vpc', 'VpcId']],
  DeleteSecurityGroup: [['sg', 'GroupId']],
  AuthorizeSecurityGroupIngress: [['sg', 'GroupId']],
  AuthorizeSecurityGroupEgress: [['sg', 'GroupId']],
  RevokeSecurityGroupIngress: [['sg', 'GroupId']],
  RevokeSecurityGroupEgress: [['sg', 'GroupId']],
  CreateNetworkAcl: [['acl', NEW], ['vpc', 'VpcId']],
  DeleteNetworkAcl: [['acl', 'NetworkAclId']],
  CreateNetworkAclEntry: [['acl', 'NetworkAclId']],
  ReplaceNetworkAclEntry: [['acl', 'NetworkAclId']],
  DeleteNetworkAclEntry: [['acl', 'NetworkAclId']],
  ReplaceNetworkAclAssociation: [['acl', 'NetworkAclId']],
  AllocateAddress: [['eipalloc', NEW]],
  AssociateAddress: [['eipalloc', 'AllocationId']],
  DisassociateAddress: [['eipalloc', '']],
  ReleaseAddress: [['eipalloc', 'AllocationId']],
  CreateNatGateway: [['nat', NEW], ['subnet', 'SubnetId'], ['eipalloc', 'AllocationId']],
  DeleteNatGateway: [['nat', 'NatGatewayId']],
};

/** The TagSpecifications resource type each create operation tags. */
const CREATED_TAG_TYPE: Record<string, string> = {
  CreateVpc: 'vpc',
  CreateSubnet: 'subnet',
  CreateInternetGateway: 'internet-gateway',
  CreateRouteTable: 'route-table',
  CreateSecurityGroup: 'security-group',
  CreateNetworkAcl: 'network-acl',
  AllocateAddress: 'elastic-ip',
  CreateNatGateway: 'natgateway',
};

function requestTagContext(tags: Tag[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  if (tags.length > 0) context['aws:TagKeys'] = tags.map((t) => t.Key ?? '');
  return context;
}

async function existingResourceTarget(call: AuthzCall, action: string, kind: Ec2Kind, id: string): Promise<AuthzTarget> {
  const { ctx } = call;
  const context: Record<string, ContextValue> = { 'ec2:Region': ctx.region };
  const doc = await readDb(ctx).get<{ Tags?: Tag[] }>(kind, id).catch(() => undefined);
  for (const t of doc?.Tags ?? []) {
    context[`ec2:ResourceTag/${t.Key}`] = t.Value ?? '';
    context[`aws:ResourceTag/${t.Key}`] = t.Value ?? '';
  }
  return { action, resource: ec2Arn(ctx.region, ctx.accountId, kind, id), context };
}

function onResources(operation: string, refs: readonly ResourceRef[]): OperationAuthz {
  const action = `ec2:${operation}`;
  return async (call) => {
    const { ctx, input } = call;
    const targets: AuthzTarget[] = [];
    const specs = (input.TagSpecifications as TagSpecification[] | undefined) ?? [];
    const tagType = CREATED_TAG_TYPE[operation];
    const requestTags = tagType ? specs.filter((s) => s.ResourceType === tagType).flatMap((s) => s.Tags ?? []) : [];
    for (const [i, [kind, member]] of refs.entries()) {
      if (member === NEW) {
        const resource = ec2Arn(ctx.region, ctx.accountId, kind, '*');
        targets.push({ action, resource, context: { 'ec2:Region': ctx.region, ...requestTagContext(requestTags) } });
        if (requestTags.length > 0) {
          targets.push({ action: 'ec2:CreateTags', resource, context: { 'ec2:Region': ctx.region, 'ec2:CreateAction': operation, ...requestTagContext(requestTags) } });
        }
        continue;
      }
      const id = member === '' ? undefined : input[member];
      if (typeof id === 'string' && id !== '') targets.push(await existingResourceTarget(call, action, kind, id));
      else if (i === 0) targets.push({ action, resource: ec2Arn(ctx.region, ctx.accountId, kind, '*'), context: { 'ec2:Region': ctx.region } });
    }
    return targets;
  };
}

/**
 * CreateTags and DeleteTags apply to every resource they name, on its own ARN (images and
 * snapshots without an account, key pairs by key name) with its tags as condition keys.
 */
function onTaggedResources(operation: 'CreateTags' | 'DeleteTags'): OperationAuthz {
  const action = `ec2:${operation}`;
  return async (call) => {
    const { ctx } = call;
    const ids = (call.input.Resources as string[] | undefined) ?? [];
    const tags = (call.input.Tags as Tag[] | undefined) ?? [];
    const extra = operation === 'CreateTags' ? requestTagContext(tags) : tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key ?? '') } : {};
    const targets: AuthzTarget[] = [];
    for (const id of ids) {
      const found = await findTaggable(ctx, id).catch(() => undefined);
      if (!found) continue;
      const context: Record<string, ContextValue> = { 'ec2:Region': ctx.region };
      for (const t of found.doc?.Tags ?? []) {
        context[`ec2:ResourceTag/${t.Key}`] = t.Value ?? '';
        context[`aws:ResourceTag/${t.Key}`] = t.Value ?? '';
      }
      const name = found.kind === 'key-pair' && typeof found.doc?.KeyName === 'string' ? found.doc.KeyName : id;
      targets.push({ action, resource: taggableArn(ctx.region, ctx.accountId, found.kind, name), context: { ...context, ...extra } });
    }
    return targets;
  };
}

/**
 * Network interfaces: the interface (`network-interface/*` when created), its subnet and security
 * groups, and the instance it is attached to or detached from. DetachNetworkInterface names only
 * the attachment: the interface and instance are looked up from it.
 */
function onNetworkInterface(operation: string): OperationAuthz {
  const action = `ec2:${operation}`;
  return async (call) => {
    const { ctx, input } = call;
    const region = { 'ec2:Region': ctx.region };
    const targets: AuthzTarget[] = [];
    const groupTargets = async (ids: unknown) => {
      for (const id of Array.isArray(ids) ? ids : []) if (typeof id === 'string') targets.push(await existingResourceTarget(call, action, 'sg', id));
    };
    if (operation === 'CreateNetworkInterface') {
      const tags = ((input.TagSpecifications as TagSpecification[] | undefined) ?? []).filter((s) => s.ResourceType === 'network-interface').flatMap((s) => s.Tags ?? []);
      const resource = ec2Arn(ctx.region, ctx.accountId, 'eni', '*');
      targets.push({ action, resource, context: { ...region, ...requestTagContext(tags) } });
      if (tags.length > 0) targets.push({ action: 'ec2:CreateTags', resource, context: { ...region, 'ec2:CreateAction': operation, ...requestTagContext(tags) } });
      if (typeof input.SubnetId === 'string') targets.push(await existingResourceTarget(call, action, 'subnet', input.SubnetId));
      await groupTargets(input.Groups);
      return targets;
    }
    let eniId = typeof input.NetworkInterfaceId === 'string' ? input.NetworkInterfaceId : undefined;
    let instanceId = typeof input.InstanceId === 'string' ? input.InstanceId : undefined;
    if (operation === 'DetachNetworkInterface' && typeof input.AttachmentId === 'string') {
      const eni = (await readDb(ctx).list<NetworkInterfaceRecord>('eni').catch(() => [])).find((e) => e.Attachment?.AttachmentId === input.AttachmentId);
      eniId = eni?.NetworkInterfaceId;
      instanceId = eni?.Attachment?.InstanceId;
    }
    targets.push(eniId ? await existingResourceTarget(call, action, 'eni', eniId) : { action, resource: ec2Arn(ctx.region, ctx.accountId, 'eni', '*'), context: region });
    if (instanceId) targets.push({ action, resource: taggableArn(ctx.region, ctx.accountId, 'instance', instanceId), context: region });
    if (operation === 'ModifyNetworkInterfaceAttribute') await groupTargets(input.Groups);
    return targets;
  };
}

const NETWORK_INTERFACE_OPERATIONS = new Set(['CreateNetworkInterface', 'DeleteNetworkInterface', 'AttachNetworkInterface', 'DetachNetworkInterface', 'ModifyNetworkInterfaceAttribute']);

/** Operations without resource-level permissions: "*" with ec2:Region. */
function onAnyResource(operation: string): OperationAuthz {
  return ({ ctx }) => [{ action: `ec2:${operation}`, resource: '*', context: { 'ec2:Region': ctx.region } }];
}

/** Builds the table for the given handler names. */
export function ec2Authz(operations: string[]): ServiceAuthz {
  const table: Record<string, OperationAuthz> = {};
  for (const operation of operations) {
    if (operation === 'CreateTags' || operation === 'DeleteTags') table[operation] = onTaggedResources(operation);
    // Instances, volumes, snapshots, images and key pairs (compute-authz.ts).
    else if (computeAuthz[operation]) table[operation] = computeAuthz[operation]!;
    else if (NETWORK_INTERFACE_OPERATIONS.has(operation)) table[operation] = onNetworkInterface(operation);
    else if (RESOURCES[operation]) table[operation] = onResources(operation, RESOURCES[operation]!);
    else table[operation] = onAnyResource(operation);
  }
  return { prefix: 'ec2', operations: table };
}
