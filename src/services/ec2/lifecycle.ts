/**
 * Instance state changes and attributes (EC2 User Guide, "Stop and start", "Reboot", "Terminate",
 * "Hibernate"): StopInstances (the public address goes, the private one stays), StartInstances (a
 * new public address and LaunchTime), RebootInstances, TerminateInstances (refused under
 * termination protection; the private address, the network interface and DeleteOnTermination
 * volumes go), Modify/DescribeInstanceAttribute, the instance profile associations, and the
 * running seconds billing reads.
 */
import { releaseInterfacesOnTermination } from './network-interfaces.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  AssociateIamInstanceProfileRequest,
  DescribeIamInstanceProfileAssociationsRequest,
  DescribeInstanceAttributeRequest,
  DisassociateIamInstanceProfileRequest,
  IamInstanceProfileAssociation,
  InstanceStateChange,
  InstanceStateName,
  ModifyInstanceAttributeRequest,
  RebootInstancesRequest,
  ReplaceIamInstanceProfileAssociationRequest,
  StartInstancesRequest,
  StopInstancesRequest,
  TerminateInstancesRequest,
} from '../../generated/ec2/types.ts';
import { disassociateInstanceAddresses } from './addresses.ts';
import { findInstanceType, supportsArchitecture } from './catalog/index.ts';
import { newComputeId, readCompute, writeCompute, isoAt, type ComputeDb } from './compute-store.ts';
import { Ec2Db } from './db.ts';
import { ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { hasVanished, runningSeconds, STATE_CODES, stateAt, stateNameAt, type InstanceRecord, type LifecycleAction } from './instance-state.ts';
import { listInstances, loadViewContext, instanceView, newPublicIp, requireInstance, requireInstanceProfile } from './instances.ts';
import type { SecurityGroupRecord, SubnetRecord } from './records.ts';
import type { VolumeRecord } from './volumes.ts';

function incorrectState(message: string): Error {
  return ec2Error('IncorrectInstanceState', message);
}

function change(instanceId: string, previous: InstanceStateName, current: InstanceStateName): InstanceStateChange {
  return { InstanceId: instanceId, CurrentState: { Code: STATE_CODES[current], Name: current }, PreviousState: { Code: STATE_CODES[previous], Name: previous } };
}

/** The state an action leads to at once. */
const ENTERED: Record<Exclude<LifecycleAction, 'reboot'>, InstanceStateName> = {
  launch: 'pending',
  start: 'pending',
  stop: 'stopping',
  hibernate: 'stopping',
  terminate: 'shutting-down',
};

/**
 * Applies one state change to each instance named (all of them must exist): `decide` says, from
 * the current state, whether the action applies (true), is already under way (false) or fails
 * (it throws). `effects` updates the document and related resources when it applies.
 */
async function changeStates(
  ctx: RequestContext,
  ids: string[] | undefined,
  action: Exclude<LifecycleAction, 'reboot' | 'launch'>,
  decide: (instance: InstanceRecord, state: InstanceStateName) => boolean,
  effects: (db: ComputeDb, instance: InstanceRecord, nowMs: number) => Promise<InstanceRecord> = async (_db, instance) => instance,
): Promise<InstanceStateChange[]> {
  if (!ids || ids.length === 0) throw missingParameter('The request must contain the parameter InstanceId');
  const nowMs = ctx.clock.nowMs();
  return writeCompute(ctx, async (db) => {
    const instances = await listInstances(db, ids, nowMs);
    const changes: InstanceStateChange[] = [];
    for (const instance of instances) {
      const state = stateNameAt(instance.Events, nowMs);
      if (!decide(instance, state)) {
        changes.push(change(instance.InstanceId, state, state));
        continue;
      }
      const updated = await effects(db, { ...instance, Events: [...instance.Events, { action, atMs: nowMs }] }, nowMs);
      await db.put('instance', instance.InstanceId, updated);
      changes.push(change(instance.InstanceId, state, ENTERED[action]));
    }
    return changes;
  });
}

export async function stopInstances(ctx: RequestContext, input: StopInstancesRequest) {
  const hibernate = input.Hibernate === true;
  const changes = await changeStates(
    ctx,
    input.InstanceIds,
    hibernate ? 'hibernate' : 'stop',
    (instance, state) => {
      if (state === 'stopping' || state === 'stopped') return false;
      if (state === 'pending') throw incorrectState(`Instance '${instance.InstanceId}' cannot be stopped as it has never reached the 'running' state.`);
      if (state !== 'running') throw incorrectState(`The instance '${instance.InstanceId}' is not in a state from which it can be stopped.`);
      if (instance.DisableApiStop && input.Force !== true) {
        throw ec2Error('OperationNotPermitted', `The instance '${instance.InstanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`);
      }
      if (hibernate && !instance.HibernationConfigured) {
        throw ec2Error('UnsupportedHibernationConfiguration', `The instance ${instance.InstanceId} does not have hibernation enabled. Hibernation must be enabled when the instance is launched.`);
      }
      return true;
    },
    // The public IPv4 address is released when the instance stops; the private one stays.
    async (_db, instance) => ({ ...instance, PublicIpAddress: undefined }),
  );
  return { StoppingInstances: changes };
}

export async function startInstances(ctx: RequestContext, input: StartInstancesRequest) {
  const changes = await changeStates(
    ctx,
    input.InstanceIds,
    'start',
    (instance, state) => {
      if (state === 'pending' || state === 'running') return false;
      if (state !== 'stopped') throw incorrectState(`The instance '${instance.InstanceId}' is not in a state from which it can be started.`);
      return true;
    },
    async (_db, instance, nowMs) => ({ ...instance, LaunchTime: isoAt(nowMs), PublicIpAddress: instance.AssignPublicIp ? newPublicIp() : undefined }),
  );
  return { StartingInstances: changes };
}

export async function rebootInstances(ctx: RequestContext, input: RebootInstancesRequest) {
  const ids = input.InstanceIds;
  if (!ids || ids.length === 0) throw missingParameter('The request must contain the parameter InstanceId');
  const nowMs = ctx.clock.nowMs();
  await writeCompute(ctx, async (db) => {
    for (const instance of await listInstances(db, ids, nowMs)) {
      const state = stateNameAt(instance.Events, nowMs);
      if (state !== 'running' && state !== 'pending') throw incorrectState(`The instance '${instance.InstanceId}' is not in a state from which it can be rebooted.`);
      await db.put('instance', instance.InstanceId, { ...instance, Events: [...instance.Events, { action: 'reboot', atMs: nowMs }] });
    }
  });
  return {};
}

/**
 * Termination gives back the private address (the subnet's count goes up again), deletes the
 * primary network interface (and attached ones marked DeleteOnTermination, detaching the others), deletes the
 * DeleteOnTermination volumes, detaches the others and ends the instance profile association.
 */
async function releaseOnTermination(ctx: RequestContext, db: ComputeDb, instance: InstanceRecord): Promise<InstanceRecord> {
  const net = new Ec2Db(db.ops, ctx.accountId, ctx.region);
  const subnet = await net.get<SubnetRecord>('subnet', instance.SubnetId);
  if (subnet) await net.put('subnet', subnet.SubnetId, { ...subnet, AvailableIpAddressCount: (subnet.AvailableIpAddressCount ?? 0) + 1 });
  // Elastic IPs are disassociated and stay allocated.
  await disassociateInstanceAddresses(net, instance.InstanceId);
  // The primary interface goes with the instance; attached ones are deleted or detached as marked.
  await releaseInterfacesOnTermination(net, instance);
  for (const volume of await db.list<VolumeRecord>('volume')) {
    const attachment = volume.Attachments.find((a) => a.InstanceId === instance.InstanceId);
    if (!attachment) continue;
    if (attachment.DeleteOnTermination) await db.delete('volume', volume.VolumeId);
    else await db.put('volume', volume.VolumeId, { ...volume, Attachments: volume.Attachments.filter((a) => a !== attachment) });
  }
  return { ...instance, PublicIpAddress: undefined, IamInstanceProfile: undefined };
}

export async function terminateInstances(ctx: RequestContext, input: TerminateInstancesRequest) {
  const ids = input.InstanceIds ?? [];
  // Protection is checked for every instance before any is terminated.
  const nowMs = ctx.clock.nowMs();
  if (ids.length > 0) {
    for (const instance of await listInstances(readCompute(ctx), ids, nowMs)) {
      const state = stateNameAt(instance.Events, nowMs);
      if (instance.DisableApiTermination && state !== 'terminated' && state !== 'shutting-down') {
        throw ec2Error('OperationNotPermitted', `The instance '${instance.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`);
      }
    }
  }
  const changes = await changeStates(
    ctx,
    input.InstanceIds,
    'terminate',
    (_instance, state) => state !== 'shutting-down' && state !== 'terminated',
    (db, instance) => releaseOnTermination(ctx, db, instance),
  );
  return { TerminatingInstances: changes };
}

// ---------------------------------------------------------------------------------------------
// Attributes

/** The single attribute a ModifyInstanceAttribute names, from either of its two request forms. */
function requestedAttribute(input: ModifyInstanceAttributeRequest): { name: string; value: unknown } {
  const members: [string, unknown][] = [
    ['instanceType', input.InstanceType?.Value],
    ['disableApiTermination', input.DisableApiTermination?.Value],
    ['disableApiStop', input.DisableApiStop?.Value],
    ['userData', input.UserData?.Value],
    ['instanceInitiatedShutdownBehavior', input.InstanceInitiatedShutdownBehavior?.Value],
    ['sourceDestCheck', input.SourceDestCheck?.Value],
    ['ebsOptimized', input.EbsOptimized?.Value],
    ['enaSupport', input.EnaSupport?.Value],
    ['groupSet', input.Groups],
    ['blockDeviceMapping', input.BlockDeviceMappings],
  ];
  const given = members.filter(([, v]) => v !== undefined);
  if (input.Attribute !== undefined) {
    if (given.length > 0) throw invalidParameterCombination('Only one attribute can be modified at a time.');
    return { name: input.Attribute, value: input.Value };
  }
  if (given.length === 0) throw missingParameter('The request must contain the parameter attribute');
  if (given.length > 1) throw invalidParameterCombination('Only one attribute can be modified at a time.');
  return { name: given[0]![0], value: given[0]![1] };
}

function asBoolean(value: unknown): boolean {
  return value === true || value === 'true';
}

/** Attributes that can change only while the instance is stopped. */
const STOPPED_ONLY = new Set(['instanceType', 'userData', 'ebsOptimized', 'enaSupport', 'kernel', 'ramdisk']);

export async function modifyInstanceAttribute(ctx: RequestContext, input: ModifyInstanceAttributeRequest) {
  const { name, value } = requestedAttribute(input);
  const nowMs = ctx.clock.nowMs();
  await writeCompute(ctx, async (db) => {
    const instance = await requireInstance(db, input.InstanceId!, nowMs);
    const state = stateNameAt(instance.Events, nowMs);
    if (STOPPED_ONLY.has(name) && state !== 'stopped') throw incorrectState(`The instance '${instance.InstanceId}' is not in the 'stopped' state.`);
    const updated: InstanceRecord = { ...instance };
    switch (name) {
      case 'instanceType': {
        const type = findInstanceType(String(value));
        if (!type) throw invalidParameterValue(`Invalid value '${String(value)}' for InstanceType.`);
        if (!supportsArchitecture(type, instance.Architecture)) {
          throw ec2Error('InvalidInstanceAttributeValue', `The instance type '${String(value)}' does not support the architecture '${instance.Architecture}' of the instance's AMI.`);
        }
        updated.InstanceType = String(value);
        break;
      }
      case 'disableApiTermination':
        updated.DisableApiTermination = asBoolean(value);
        break;
      case 'disableApiStop':
        updated.DisableApiStop = asBoolean(value);
        break;
      case 'sourceDestCheck':
        updated.SourceDestCheck = asBoolean(value);
        break;
      case 'ebsOptimized':
        updated.EbsOptimized = asBoolean(value);
        break;
      case 'enaSupport':
        break;
      case 'instanceInitiatedShutdownBehavior': {
        const behavior = String(value);
        if (behavior !== 'stop' && behavior !== 'terminate') throw invalidParameterValue(`Value (${behavior}) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop and terminate.`);
        updated.InstanceInitiatedShutdownBehavior = behavior;
        break;
      }
      case 'userData': {
        // The blob arrives decoded; it is kept base64-encoded like RunInstances' UserData.
        const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value as Uint8Array);
        if (bytes.length > 16 * 1024) throw invalidParameterValue('User data is limited to 16384 bytes');
        updated.UserData = bytes.length > 0 ? bytes.toString('base64') : undefined;
        break;
      }
      case 'groupSet': {
        const ids = value as string[];
        const net = new Ec2Db(db.ops, ctx.accountId, ctx.region);
        for (const id of ids) {
          const group = await net.get<SecurityGroupRecord>('sg', id);
          if (!group) throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
          if (group.VpcId !== instance.VpcId) throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${instance.VpcId}'`);
        }
        updated.SecurityGroupIds = [...new Set(ids)];
        break;
      }
      case 'blockDeviceMapping': {
        for (const mapping of input.BlockDeviceMappings ?? []) {
          const volume = (await db.list<VolumeRecord>('volume')).find((v) => v.Attachments.some((a) => a.InstanceId === instance.InstanceId && a.Device === mapping.DeviceName));
          if (!volume) throw invalidParameterValue(`No device is currently mapped at ${mapping.DeviceName ?? ''}`);
          const attachments = volume.Attachments.map((a) => (a.InstanceId === instance.InstanceId && a.Device === mapping.DeviceName ? { ...a, DeleteOnTermination: mapping.Ebs?.DeleteOnTermination ?? a.DeleteOnTermination } : a));
          await db.put('volume', volume.VolumeId, { ...volume, Attachments: attachments });
        }
        break;
      }
      default:
        throw invalidParameterValue(`Value (${name}) for parameter attribute is invalid. Unknown attribute.`);
    }
    await db.put('instance', instance.InstanceId, updated);
  });
  return {};
}

export async function describeInstanceAttribute(ctx: RequestContext, input: DescribeInstanceAttributeRequest) {
  const db = readCompute(ctx);
  const view = await loadViewContext(ctx, db);
  const instance = await requireInstance(db, input.InstanceId!, view.nowMs);
  const described = instanceView(instance, view);
  const base = { InstanceId: instance.InstanceId };
  switch (input.Attribute) {
    case 'instanceType':
      return { ...base, InstanceType: { Value: instance.InstanceType } };
    case 'kernel':
      return { ...base, KernelId: {} };
    case 'ramdisk':
      return { ...base, RamdiskId: {} };
    case 'userData':
      return { ...base, UserData: instance.UserData !== undefined ? { Value: instance.UserData } : {} };
    case 'disableApiTermination':
      return { ...base, DisableApiTermination: { Value: instance.DisableApiTermination } };
    case 'disableApiStop':
      return { ...base, DisableApiStop: { Value: instance.DisableApiStop } };
    case 'instanceInitiatedShutdownBehavior':
      return { ...base, InstanceInitiatedShutdownBehavior: { Value: instance.InstanceInitiatedShutdownBehavior } };
    case 'rootDeviceName':
      return { ...base, RootDeviceName: { Value: instance.RootDeviceName } };
    case 'blockDeviceMapping':
      return { ...base, BlockDeviceMappings: described.BlockDeviceMappings };
    case 'productCodes':
      return { ...base, ProductCodes: [] };
    case 'sourceDestCheck':
      return { ...base, SourceDestCheck: { Value: instance.SourceDestCheck } };
    case 'groupSet':
      return { ...base, Groups: described.SecurityGroups };
    case 'ebsOptimized':
      return { ...base, EbsOptimized: { Value: instance.EbsOptimized } };
    case 'sriovNetSupport':
      return { ...base, SriovNetSupport: { Value: 'simple' } };
    case 'enaSupport':
      return { ...base, EnaSupport: { Value: true } };
    case 'enclaveOptions':
      return { ...base, EnclaveOptions: { Enabled: false } };
    default:
      throw invalidParameterValue(`Value (${String(input.Attribute)}) for parameter attribute is invalid. Unknown attribute.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Instance profile associations

function associationOf(instance: InstanceRecord, state: IamInstanceProfileAssociation['State']): IamInstanceProfileAssociation {
  const profile = instance.IamInstanceProfile!;
  return {
    AssociationId: profile.AssociationId,
    InstanceId: instance.InstanceId,
    IamInstanceProfile: { Arn: profile.Arn, Id: profile.Id },
    State: state,
    // AWS answers Timestamp only for associated profiles in Describe; responses carry none.
  };
}

async function instanceByAssociation(db: ComputeDb, associationId: string, nowMs: number): Promise<InstanceRecord> {
  const found = (await db.list<InstanceRecord>('instance')).find((i) => i.IamInstanceProfile?.AssociationId === associationId && !hasVanished(i.Events, nowMs));
  if (!found) throw ec2Error('InvalidAssociationID.NotFound', `An association with ID ${associationId} does not exist.`);
  return found;
}

export async function associateIamInstanceProfile(ctx: RequestContext, input: AssociateIamInstanceProfileRequest) {
  const resolved = await requireInstanceProfile(ctx, input.IamInstanceProfile);
  const nowMs = ctx.clock.nowMs();
  const instance = await writeCompute(ctx, async (db) => {
    const found = await requireInstance(db, input.InstanceId!, nowMs);
    const state = stateNameAt(found.Events, nowMs);
    if (state !== 'running' && state !== 'stopped' && state !== 'pending') throw incorrectState(`The instance '${found.InstanceId}' is not in a valid state for this operation.`);
    if (found.IamInstanceProfile) throw ec2Error('IncorrectState', `There is an existing association for instance ${found.InstanceId}`);
    const updated: InstanceRecord = {
      ...found,
      IamInstanceProfile: newProfileAssociation(resolved),
    };
    await db.put('instance', found.InstanceId, updated);
    return updated;
  });
  return { IamInstanceProfileAssociation: associationOf(instance, 'associating') };
}

/** A fresh association of an instance with a resolved instance profile (and its role, if any). */
function newProfileAssociation(resolved: Awaited<ReturnType<typeof requireInstanceProfile>>): NonNullable<InstanceRecord['IamInstanceProfile']> {
  return { Arn: resolved.profile.Arn, Id: resolved.profile.InstanceProfileId, AssociationId: newComputeId('iip-assoc'), ...(resolved.role ? { RoleArn: resolved.role.Arn } : {}) };
}

export async function replaceIamInstanceProfileAssociation(ctx: RequestContext, input: ReplaceIamInstanceProfileAssociationRequest) {
  const resolved = await requireInstanceProfile(ctx, input.IamInstanceProfile);
  const nowMs = ctx.clock.nowMs();
  const instance = await writeCompute(ctx, async (db) => {
    const found = await instanceByAssociation(db, input.AssociationId!, nowMs);
    const updated: InstanceRecord = {
      ...found,
      IamInstanceProfile: newProfileAssociation(resolved),
    };
    await db.put('instance', found.InstanceId, updated);
    return updated;
  });
  return { IamInstanceProfileAssociation: associationOf(instance, 'associating') };
}

export async function disassociateIamInstanceProfile(ctx: RequestContext, input: DisassociateIamInstanceProfileRequest) {
  const nowMs = ctx.clock.nowMs();
  const before = await writeCompute(ctx, async (db) => {
    const found = await instanceByAssociation(db, input.AssociationId!, nowMs);
    await db.put('instance', found.InstanceId, { ...found, IamInstanceProfile: undefined });
    return found;
  });
  return { IamInstanceProfileAssociation: associationOf(before, 'disassociating') };
}

const ASSOCIATION_FILTERS: FilterFields<IamInstanceProfileAssociation> = {
  'instance-id': (a) => a.InstanceId,
  state: (a) => a.State,
};

export async function describeIamInstanceProfileAssociations(ctx: RequestContext, input: DescribeIamInstanceProfileAssociationsRequest) {
  const nowMs = ctx.clock.nowMs();
  const ids = input.AssociationIds ?? [];
  if (ids.length > 0 && input.MaxResults !== undefined) {
    throw invalidParameterCombination('The parameter AssociationIds cannot be used with the parameter MaxResults');
  }
  const instances = (await listInstances(readCompute(ctx), undefined, nowMs)).filter((i) => i.IamInstanceProfile && stateNameAt(i.Events, nowMs) !== 'terminated');
  const all = instances.map((i) => ({ ...associationOf(i, 'associated'), Timestamp: i.LaunchTime as unknown as Date }));
  const missing = ids.find((id) => !all.some((a) => a.AssociationId === id));
  if (missing !== undefined) throw ec2Error('InvalidAssociationID.NotFound', `An association with ID ${missing} does not exist.`);
  const selected = all.filter((a) => ids.length === 0 || ids.includes(a.AssociationId!));
  const { page, nextToken } = paginate(applyFilters(selected, input.Filters, ASSOCIATION_FILTERS, { tags: false }), input.MaxResults, input.NextToken, { min: 5, max: 1000 });
  return { IamInstanceProfileAssociations: page, NextToken: nextToken };
}

// ---------------------------------------------------------------------------------------------
// Billing

export interface InstanceUsage {
  InstanceId: string;
  InstanceType: string;
  State: InstanceStateName;
  /** Whole seconds spent running so far, from the instance's state changes. */
  runningSeconds: number;
}

/** Every instance of the request's account and region that is still visible, with its running seconds. */
export async function instanceUsage(ctx: RequestContext): Promise<InstanceUsage[]> {
  const nowMs = ctx.clock.nowMs();
  return (await listInstances(readCompute(ctx), undefined, nowMs)).map((i) => ({
    InstanceId: i.InstanceId,
    InstanceType: i.InstanceType,
    State: stateAt(i.Events, nowMs).Name!,
    runningSeconds: runningSeconds(i.Events, nowMs),
  }));
}
