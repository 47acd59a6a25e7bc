/**
 * Authorization of EC2's compute operations (Service Authorization Reference, "Actions defined by
 * Amazon EC2"): each operation is `ec2:<Operation>` on the ARNs of the instances, volumes,
 * snapshots, images and key pairs it touches, `<type>/*` for those it creates. Existing resources
 * add their tags (ec2:ResourceTag/…, aws:ResourceTag/…); creates add aws:RequestTag/… and
 * aws:TagKeys and, when they tag, ec2:CreateTags with ec2:CreateAction. Launching with an
 * instance profile, or associating one, also needs iam:PassRole on its role with
 * iam:PassedToService ec2.amazonaws.com ("Using an IAM role to grant permissions to applications
 * running on Amazon EC2 instances").
 */
import type { RequestContext } from '../../core/context.ts';
import type { AuthzTarget, OperationAuthz } from '../../iam/authz/types.ts';
import type { ContextValue } from '../../iam/policy/context.ts';
import type { IamInstanceProfileSpecification, Tag, TagSpecification } from '../../generated/ec2/types.ts';
import { computeArn, readCompute, type ComputeKind } from './compute-store.ts';
import { ec2Arn } from './ids.ts';
import type { InstanceRecord } from './instance-state.ts';
import { resolveInstanceProfile } from './instances.ts';
import type { KeyPairRecord } from './key-pairs.ts';

type Input = Record<string, unknown>;

function region(ctx: RequestContext): Record<string, ContextValue> {
  return { 'ec2:Region': ctx.region };
}

function requestTagContext(tags: Tag[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const t of tags) context[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  if (tags.length > 0) context['aws:TagKeys'] = tags.map((t) => t.Key ?? '');
  return context;
}

function specTags(input: Input, resourceType: string): Tag[] {
  const specs = (input.TagSpecifications as TagSpecification[] | undefined) ?? [];
  return specs.filter((s) => s.ResourceType === resourceType).flatMap((s) => s.Tags ?? []);
}

/** An existing resource, with its tags as condition keys. */
async function existing(ctx: RequestContext, action: string, kind: ComputeKind, id: string): Promise<AuthzTarget> {
  const context: Record<string, ContextValue> = region(ctx);
  const doc = kind === 'key-pair' ? undefined : await readCompute(ctx).get<{ Tags?: Tag[] }>(kind, id).catch(() => undefined);
  for (const t of doc?.Tags ?? []) {
    context[`ec2:ResourceTag/${t.Key}`] = t.Value ?? '';
    context[`aws:ResourceTag/${t.Key}`] = t.Value ?? '';
  }
  return { action, resource: computeArn(ctx.region, ctx.accountId, kind, id), context };
}

/** A resource being created (`<type>/*`, or the key pair's name), and ec2:CreateTags when it is tagged. */
function created(ctx: RequestContext, operation: string, kind: ComputeKind, tags: Tag[], id = '*'): AuthzTarget[] {
  const resource = computeArn(ctx.region, ctx.accountId, kind, id);
  const targets: AuthzTarget[] = [{ action: `ec2:${operation}`, resource, context: { ...region(ctx), ...requestTagContext(tags) } }];
  if (tags.length > 0) {
    targets.push({ action: 'ec2:CreateTags', resource, context: { ...region(ctx), 'ec2:CreateAction': operation, ...requestTagContext(tags) } });
  }
  return targets;
}

function anyResource(operation: string): OperationAuthz {
  return ({ ctx }) => [{ action: `ec2:${operation}`, resource: '*', context: region(ctx) }];
}

/** The instances an operation names (InstanceIds or InstanceId), `instance/*` when it names none. */
function onInstances(operation: string): OperationAuthz {
  return async ({ ctx, input }) => {
    const ids = (input.InstanceIds as string[] | undefined) ?? (typeof input.InstanceId === 'string' ? [input.InstanceId] : []);
    if (ids.length === 0) return [{ action: `ec2:${operation}`, resource: computeArn(ctx.region, ctx.accountId, 'instance', '*'), context: region(ctx) }];
    return Promise.all(ids.map((id) => existing(ctx, `ec2:${operation}`, 'instance', id)));
  };
}

function onOne(operation: string, kind: ComputeKind, member: string): OperationAuthz {
  return async ({ ctx, input }) => {
    const id = input[member];
    if (typeof id !== 'string' || id === '') return [{ action: `ec2:${operation}`, resource: computeArn(ctx.region, ctx.accountId, kind, '*'), context: region(ctx) }];
    return [await existing(ctx, `ec2:${operation}`, kind, id)];
  };
}

/** iam:PassRole on the instance profile's role, when the profile exists and has one. */
async function passRole(ctx: RequestContext, spec: IamInstanceProfileSpecification | undefined): Promise<AuthzTarget[]> {
  const resolved = await resolveInstanceProfile(ctx, spec);
  if (!resolved?.role) return [];
  return [{ action: 'iam:PassRole', resource: resolved.role.Arn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } }];
}

async function instanceOfAssociation(ctx: RequestContext, associationId: unknown): Promise<string | undefined> {
  if (typeof associationId !== 'string') return undefined;
  const instances = await readCompute(ctx).list<InstanceRecord>('instance');
  return instances.find((i) => i.IamInstanceProfile?.AssociationId === associationId)?.InstanceId;
}

function onAssociation(operation: string, withPassRole: boolean): OperationAuthz {
  return async ({ ctx, input }) => {
    const instanceId = await instanceOfAssociation(ctx, input.AssociationId);
    const targets: AuthzTarget[] = [
      instanceId ? await existing(ctx, `ec2:${operation}`, 'instance', instanceId) : { action: `ec2:${operation}`, resource: computeArn(ctx.region, ctx.accountId, 'instance', '*'), context: region(ctx) },
    ];
    if (withPassRole) targets.push(...(await passRole(ctx, input.IamInstanceProfile as IamInstanceProfileSpecification | undefined)));
    return targets;
  };
}

/** RunInstances touches the image, the subnet, the security groups, the new instance, interface and volumes, the key pair and the role. */
const runInstances: OperationAuthz = async ({ ctx, input }) => {
  const action = 'ec2:RunInstances';
  const targets: AuthzTarget[] = [...created(ctx, 'RunInstances', 'instance', specTags(input, 'instance'))];
  const imageId = typeof input.ImageId === 'string' && input.ImageId !== '' ? input.ImageId : '*';
  targets.push({ action, resource: computeArn(ctx.region, ctx.accountId, 'image', imageId), context: region(ctx) });
  const interfaces = (input.NetworkInterfaces as Array<{ SubnetId?: string; Groups?: string[] }> | undefined) ?? [];
  const subnetId = (input.SubnetId as string | undefined) ?? interfaces[0]?.SubnetId ?? '*';
  targets.push({ action, resource: ec2Arn(ctx.region, ctx.accountId, 'subnet', subnetId), context: region(ctx) });
  const groupIds = [...((input.SecurityGroupIds as string[] | undefined) ?? []), ...(interfaces[0]?.Groups ?? [])];
  for (const id of groupIds.length > 0 ? groupIds : ['*']) targets.push({ action, resource: ec2Arn(ctx.region, ctx.accountId, 'sg', id), context: region(ctx) });
  targets.push({ action, resource: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:network-interface/*`, context: region(ctx) });
  targets.push(...created(ctx, 'RunInstances', 'volume', specTags(input, 'volume')));
  if (typeof input.KeyName === 'string') targets.push({ action, resource: computeArn(ctx.region, ctx.accountId, 'key-pair', input.KeyName), context: region(ctx) });
  targets.push(...(await passRole(ctx, input.IamInstanceProfile as IamInstanceProfileSpecification | undefined)));
  return targets;
};

const keyPairByName = (operation: string): OperationAuthz => async ({ ctx, input }) => {
  let name = input.KeyName as string | undefined;
  if (name === undefined && typeof input.KeyPairId === 'string') {
    name = (await readCompute(ctx).list<KeyPairRecord>('key-pair')).find((k) => k.KeyPairId === input.KeyPairId)?.KeyName;
  }
  return created(ctx, operation, 'key-pair', operation === 'DeleteKeyPair' ? [] : specTags(input, 'key-pair'), name ?? '*');
};

export const computeAuthz: Record<string, OperationAuthz> = {
  CreateKeyPair: keyPairByName('CreateKeyPair'),
  ImportKeyPair: keyPairByName('ImportKeyPair'),
  DeleteKeyPair: keyPairByName('DeleteKeyPair'),
  DescribeKeyPairs: anyResource('DescribeKeyPairs'),
  RunInstances: runInstances,
  DescribeInstances: anyResource('DescribeInstances'),
  DescribeInstanceStatus: anyResource('DescribeInstanceStatus'),
  StartInstances: onInstances('StartInstances'),
  StopInstances: onInstances('StopInstances'),
  RebootInstances: onInstances('RebootInstances'),
  TerminateInstances: onInstances('TerminateInstances'),
  ModifyInstanceAttribute: onInstances('ModifyInstanceAttribute'),
  DescribeInstanceAttribute: onInstances('DescribeInstanceAttribute'),
  AssociateIamInstanceProfile: async (call) => [
    ...(await (onInstances('AssociateIamInstanceProfile') as Exclude<OperationAuthz, 'none'>)(call)),
    ...(await passRole(call.ctx, call.input.IamInstanceProfile as IamInstanceProfileSpecification | undefined)),
  ],
  ReplaceIamInstanceProfileAssociation: onAssociation('ReplaceIamInstanceProfileAssociation', true),
  DisassociateIamInstanceProfile: onAssociation('DisassociateIamInstanceProfile', false),
  DescribeIamInstanceProfileAssociations: anyResource('DescribeIamInstanceProfileAssociations'),
  CreateVolume: async ({ ctx, input }) => {
    const targets = created(ctx, 'CreateVolume', 'volume', specTags(input, 'volume'));
    if (typeof input.SnapshotId === 'string') targets.push({ action: 'ec2:CreateVolume', resource: computeArn(ctx.region, ctx.accountId, 'snapshot', input.SnapshotId), context: region(ctx) });
    return targets;
  },
  DescribeVolumes: anyResource('DescribeVolumes'),
  AttachVolume: async ({ ctx, input }) => [
    ...(await (onOne('AttachVolume', 'volume', 'VolumeId') as Exclude<OperationAuthz, 'none'>)({ ctx, input })),
    ...(await (onOne('AttachVolume', 'instance', 'InstanceId') as Exclude<OperationAuthz, 'none'>)({ ctx, input })),
  ],
  DetachVolume: async ({ ctx, input }) => {
    const targets = await (onOne('DetachVolume', 'volume', 'VolumeId') as Exclude<OperationAuthz, 'none'>)({ ctx, input });
    if (typeof input.InstanceId === 'string') targets.push(await existing(ctx, 'ec2:DetachVolume', 'instance', input.InstanceId));
    return targets;
  },
  DeleteVolume: onOne('DeleteVolume', 'volume', 'VolumeId'),
  ModifyVolume: onOne('ModifyVolume', 'volume', 'VolumeId'),
  DescribeVolumesModifications: anyResource('DescribeVolumesModifications'),
  CreateSnapshot: async ({ ctx, input }) => [
    ...created(ctx, 'CreateSnapshot', 'snapshot', specTags(input, 'snapshot')),
    ...(await (onOne('CreateSnapshot', 'volume', 'VolumeId') as Exclude<OperationAuthz, 'none'>)({ ctx, input })),
  ],
  DescribeSnapshots: anyResource('DescribeSnapshots'),
  CopySnapshot: ({ ctx, input }) => created(ctx, 'CopySnapshot', 'snapshot', specTags(input, 'snapshot')),
  DeleteSnapshot: onOne('DeleteSnapshot', 'snapshot', 'SnapshotId'),
  CreateImage: async ({ ctx, input }) => [
    ...created(ctx, 'CreateImage', 'image', specTags(input, 'image')),
    ...(await (onOne('CreateImage', 'instance', 'InstanceId') as Exclude<OperationAuthz, 'none'>)({ ctx, input })),
    ...created(ctx, 'CreateImage', 'snapshot', specTags(input, 'snapshot')),
  ],
  DeregisterImage: onOne('DeregisterImage', 'image', 'ImageId'),
  DescribeImages: anyResource('DescribeImages'),
};
