/**
 * An instance's lifecycle on Bonsai's clock (EC2 User Guide, "Amazon EC2 instance state changes").
 * The document keeps the requests that changed the state (launch, start, stop, hibernate,
 * terminate, reboot) with their times; the state is computed from them when read, so moving the
 * clock moves the instance: pending → running after PENDING_MS, stopping → stopped after
 * STOPPING_MS, shutting-down → terminated after SHUTTING_DOWN_MS, and a terminated instance stays
 * visible for TERMINATED_VISIBLE_MS before it vanishes. The seconds spent running are summed the
 * same way, for billing.
 */
import type { InstanceState, InstanceStateName, Tag } from '../../generated/ec2/types.ts';

/** `aws ec2 wait instance-running` polls every 15 s: an instance is running well before the first poll. */
export const PENDING_MS = 2_000;
export const STOPPING_MS = 3_000;
export const SHUTTING_DOWN_MS = 3_000;
/** "Terminated instances remain visible … for approximately one hour." */
export const TERMINATED_VISIBLE_MS = 60 * 60 * 1000;

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export type LifecycleAction = 'launch' | 'start' | 'stop' | 'hibernate' | 'terminate' | 'reboot';

export interface LifecycleEvent {
  action: LifecycleAction;
  atMs: number;
}

/** What the store keeps of an instance; DescribeInstances builds AWS's shape from it (instances.ts). */
export interface InstanceRecord {
  InstanceId: string;
  ReservationId: string;
  OwnerId: string;
  ImageId: string;
  InstanceType: string;
  KeyName?: string;
  AmiLaunchIndex: number;
  /** Updated when a stopped instance starts again, as AWS does. */
  LaunchTime: string;
  SubnetId: string;
  VpcId: string;
  AvailabilityZone: string;
  AvailabilityZoneId: string;
  PrivateIpAddress: string;
  PublicIpAddress?: string;
  /** Whether the instance gets a public address when it (re)starts. */
  AssignPublicIp: boolean;
  SecurityGroupIds: string[];
  Architecture: string;
  RootDeviceName: string;
  Platform?: string;
  PlatformDetails: string;
  UsageOperation: string;
  BootMode?: string;
  ImdsV2Required: boolean;
  /** Base64, as given; the user data runner reads it from here. */
  UserData?: string;
  DisableApiTermination: boolean;
  DisableApiStop: boolean;
  InstanceInitiatedShutdownBehavior: 'stop' | 'terminate';
  SourceDestCheck: boolean;
  EbsOptimized: boolean;
  MonitoringEnabled: boolean;
  HibernationConfigured: boolean;
  Tenancy: string;
  ClientToken?: string;
  Tags: Tag[];
  IamInstanceProfile?: { Arn: string; Id: string; AssociationId: string; RoleArn?: string };
  NetworkInterfaceId: string;
  NetworkInterfaceAttachmentId: string;
  MacAddress: string;
  Events: LifecycleEvent[];
}

/** The last request that changed the state (reboots do not). */
function lastStateChange(events: readonly LifecycleEvent[]): LifecycleEvent {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.action !== 'reboot') return events[i]!;
  return events[0]!;
}

export function stateNameAt(events: readonly LifecycleEvent[], nowMs: number): InstanceStateName {
  const last = lastStateChange(events);
  const elapsed = nowMs - last.atMs;
  switch (last.action) {
    case 'launch':
    case 'start':
      return elapsed < PENDING_MS ? 'pending' : 'running';
    case 'stop':
    case 'hibernate':
      return elapsed < STOPPING_MS ? 'stopping' : 'stopped';
    case 'terminate':
      return elapsed < SHUTTING_DOWN_MS ? 'shutting-down' : 'terminated';
    default:
      return 'running';
  }
}

export function stateAt(events: readonly LifecycleEvent[], nowMs: number): InstanceState {
  const name = stateNameAt(events, nowMs);
  return { Code: STATE_CODES[name], Name: name };
}

/** When the instance was terminated, if it was. */
export function terminatedAtMs(events: readonly LifecycleEvent[]): number | undefined {
  const last = lastStateChange(events);
  return last.action === 'terminate' ? last.atMs : undefined;
}

/** Terminated instances disappear from every Describe call an hour after they terminate. */
export function hasVanished(events: readonly LifecycleEvent[], nowMs: number): boolean {
  const at = terminatedAtMs(events);
  return at !== undefined && nowMs >= at + SHUTTING_DOWN_MS + TERMINATED_VISIBLE_MS;
}

/**
 * Whole seconds spent in the running state up to `nowMs`: each launch or start begins running
 * PENDING_MS later and runs until the next stop, hibernate or terminate request.
 */
export function runningSeconds(events: readonly LifecycleEvent[], nowMs: number): number {
  let totalMs = 0;
  let runningFrom: number | undefined;
  for (const event of events) {
    if (event.atMs > nowMs) break;
    if (event.action === 'launch' || event.action === 'start') {
      runningFrom = event.atMs + PENDING_MS;
    } else if (event.action !== 'reboot' && runningFrom !== undefined) {
      totalMs += Math.max(0, event.atMs - runningFrom);
      runningFrom = undefined;
    }
  }
  if (runningFrom !== undefined) totalMs += Math.max(0, nowMs - runningFrom);
  return Math.floor(totalMs / 1000);
}

/** "User initiated (2024-05-01 12:34:56 GMT)", AWS's StateTransitionReason for requested changes. */
export function userInitiatedReason(atMs: number): string {
  return `User initiated (${new Date(atMs).toISOString().slice(0, 19).replace('T', ' ')} GMT)`;
}
