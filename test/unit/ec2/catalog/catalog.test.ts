import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  catalogHandlers,
  describeImages,
  describeInstanceTypeOfferings,
  describeInstanceTypes,
  findImage,
  findInstanceType,
  imageByKey,
  supportsArchitecture,
  zoneIdPrefix,
} from '../../../../src/services/ec2/catalog/index.ts';
import { AwsError } from '../../../../src/core/errors.ts';

const ctx = { region: 'us-east-1', accountId: '123456789012' };

function rejects(fn: () => unknown, code: string, message: string, status = 400): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    assert.equal(e.status, status);
    return true;
  });
}

test('image ids are ami- and 17 hex digits, stable per region and different across regions', () => {
  const east = imageByKey('us-east-1', 'al2023-x86_64')!;
  const again = imageByKey('us-east-1', 'al2023-x86_64')!;
  const west = imageByKey('eu-west-1', 'al2023-x86_64')!;
  assert.match(east.ImageId!, /^ami-[0-9a-f]{17}$/);
  assert.equal(east.ImageId, again.ImageId);
  assert.notEqual(east.ImageId, west.ImageId);
  assert.match(east.BlockDeviceMappings![0]!.Ebs!.SnapshotId!, /^snap-[0-9a-f]{17}$/);
  assert.equal(findImage('us-east-1', east.ImageId!), east);
  assert.equal(findImage('eu-west-1', east.ImageId!), undefined);
});

test('Amazon Linux 2023 is described as AWS describes it', () => {
  const image = imageByKey('us-east-1', 'al2023-x86_64')!;
  assert.deepEqual(
    { ...image, ImageId: undefined, BlockDeviceMappings: undefined },
    {
      PlatformDetails: 'Linux/UNIX',
      UsageOperation: 'RunInstances',
      BlockDeviceMappings: undefined,
      Description: 'Amazon Linux 2023 AMI 2023.9.20251110.1 x86_64 HVM kernel-6.1',
      EnaSupport: true,
      Hypervisor: 'xen',
      ImageOwnerAlias: 'amazon',
      Name: 'al2023-ami-2023.9.20251110.1-kernel-6.1-x86_64',
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      SriovNetSupport: 'simple',
      VirtualizationType: 'hvm',
      BootMode: 'uefi-preferred',
      DeprecationTime: '2026-02-08T20:22:00.000Z',
      ImdsSupport: 'v2.0',
      ImageId: undefined,
      ImageLocation: 'amazon/al2023-ami-2023.9.20251110.1-kernel-6.1-x86_64',
      State: 'available',
      OwnerId: '137112412989',
      CreationDate: '2025-11-10T20:22:14.000Z',
      Public: true,
      Architecture: 'x86_64',
      ImageType: 'machine',
    },
  );
  assert.deepEqual(image.BlockDeviceMappings![0]!.Ebs, {
    DeleteOnTermination: true,
    SnapshotId: image.BlockDeviceMappings![0]!.Ebs!.SnapshotId,
    VolumeSize: 8,
    VolumeType: 'gp3',
    Iops: 3000,
    Throughput: 125,
    Encrypted: false,
  });
});

test('vendor images carry their owner id and no alias; Windows has Platform windows', () => {
  const ubuntu = imageByKey('us-east-1', 'ubuntu-22.04-amd64')!;
  assert.equal(ubuntu.OwnerId, '099720109477');
  assert.equal(ubuntu.ImageOwnerAlias, undefined);
  assert.equal(ubuntu.Name, 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251015');
  assert.deepEqual(ubuntu.BlockDeviceMappings!.slice(1), [
    { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
    { DeviceName: '/dev/sdc', VirtualName: 'ephemeral1' },
  ]);
  assert.equal(imageByKey('us-east-1', 'debian-12-arm64')!.OwnerId, '136693071363');
  const windows = imageByKey('us-east-1', 'windows-2022-base')!;
  assert.equal(windows.Platform, 'windows');
  assert.equal(windows.PlatformDetails, 'Windows');
  assert.equal(windows.UsageOperation, 'RunInstances:0002');
  assert.equal(windows.ImageOwnerAlias, 'amazon');
});

test('DescribeImages: Owners amazon lists Amazon Linux and Windows, not Canonical or Debian', () => {
  const { Images } = describeImages(ctx, { Owners: ['amazon'] });
  const owners = new Set(Images!.map((i) => i.OwnerId));
  assert.deepEqual([...owners].sort(), ['137112412989', '801119661308']);
  assert.equal(Images!.length, 8);
  assert.equal(describeImages(ctx, { Owners: ['099720109477'] }).Images!.length, 4);
  assert.equal(describeImages(ctx, { Owners: ['self'] }).Images!.length, 0);
});

test('DescribeImages: name, architecture and platform filters with wildcards', () => {
  const al2023 = describeImages(ctx, {
    Owners: ['amazon'],
    Filters: [
      { Name: 'name', Values: ['al2023-ami-2023.*-kernel-6.1-*'] },
      { Name: 'architecture', Values: ['arm64'] },
    ],
  }).Images!;
  assert.deepEqual(al2023.map((i) => i.Name), ['al2023-ami-2023.9.20251110.1-kernel-6.1-arm64']);
  const windows = describeImages(ctx, { Filters: [{ Name: 'platform', Values: ['windows'] }] }).Images!;
  assert.deepEqual(windows.map((i) => i.Name), ['Windows_Server-2022-English-Full-Base-2025.11.12']);
  const ubuntu = describeImages(ctx, {
    Filters: [
      { Name: 'owner-id', Values: ['099720109477'] },
      { Name: 'name', Values: ['ubuntu/images/*ubuntu-noble-24.04-amd64-server-*'] },
      { Name: 'state', Values: ['available'] },
      { Name: 'is-public', Values: ['true'] },
      { Name: 'root-device-type', Values: ['ebs'] },
      { Name: 'virtualization-type', Values: ['hvm'] },
    ],
  }).Images!;
  assert.deepEqual(ubuntu.map((i) => i.Name), ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251022']);
  assert.equal(describeImages(ctx, { Filters: [{ Name: 'owner-alias', Values: ['amazon'] }, { Name: 'is-public', Values: ['false'] }] }).Images!.length, 0);
});

test('DescribeImages: ImageIds, ExecutableUsers and their errors', () => {
  const id = imageByKey('us-east-1', 'debian-12-amd64')!.ImageId!;
  assert.deepEqual(describeImages(ctx, { ImageIds: [id] }).Images!.map((i) => i.Name), ['debian-12-amd64-20251112-2294']);
  assert.equal(describeImages(ctx, { ImageIds: [id], Filters: [{ Name: 'image-id', Values: [id] }] }).Images!.length, 1);
  assert.equal(describeImages(ctx, { ExecutableUsers: ['all'] }).Images!.length, 14);
  assert.equal(describeImages(ctx, { ExecutableUsers: ['self'] }).Images!.length, 0);
  rejects(() => describeImages(ctx, { ImageIds: ['ami-0123456789abcdef0'] }), 'InvalidAMIID.NotFound', "The image id '[ami-0123456789abcdef0]' does not exist");
  rejects(() => describeImages(ctx, { ImageIds: ['ami-xyz'] }), 'InvalidAMIID.Malformed', 'Invalid id: "ami-xyz" (expecting "ami-...")');
  rejects(() => describeImages(ctx, { Filters: [{ Name: 'colour', Values: ['x'] }] }), 'InvalidParameterValue', "The filter 'colour' is invalid");
  rejects(() => describeImages(ctx, { DryRun: true }), 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
});

test('DescribeImages: MaxResults pages with NextToken', () => {
  const first = describeImages(ctx, { MaxResults: 5 });
  assert.equal(first.Images!.length, 5);
  assert.ok(first.NextToken);
  const rest = describeImages(ctx, { MaxResults: 10, NextToken: first.NextToken });
  assert.equal(rest.Images!.length, 9);
  assert.equal(rest.NextToken, undefined);
});

test('t2.micro has the figures AWS publishes', () => {
  assert.deepEqual(findInstanceType('t2.micro'), {
    InstanceType: 't2.micro',
    CurrentGeneration: true,
    FreeTierEligible: true,
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: 'xen',
    ProcessorInfo: { SupportedArchitectures: ['i386', 'x86_64'], SustainedClockSpeedInGhz: 2.5, Manufacturer: 'Intel' },
    VCpuInfo: { DefaultVCpus: 1, DefaultCores: 1, DefaultThreadsPerCore: 1 },
    MemoryInfo: { SizeInMiB: 1024 },
    InstanceStorageSupported: false,
    EbsInfo: { EbsOptimizedSupport: 'unsupported', EncryptionSupport: 'supported', NvmeSupport: 'unsupported' },
    NetworkInfo: {
      NetworkPerformance: 'Low to Moderate',
      MaximumNetworkInterfaces: 2,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: 'Low to Moderate', MaximumNetworkInterfaces: 2 }],
      Ipv4AddressesPerInterface: 2,
      Ipv6AddressesPerInterface: 2,
      Ipv6Supported: true,
      EnaSupport: 'unsupported',
      EfaSupported: false,
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    PlacementGroupInfo: { SupportedStrategies: ['partition', 'spread'] },
    HibernationSupported: true,
    BurstablePerformanceSupported: true,
    DedicatedHostsSupported: false,
    AutoRecoverySupported: true,
    SupportedBootModes: ['legacy-bios'],
    NitroEnclavesSupport: 'unsupported',
    NitroTpmSupport: 'unsupported',
    PhcSupport: 'unsupported',
  });
});

test('family figures: Graviton, GPU and instance store', () => {
  const t4g = findInstanceType('t4g.small')!;
  assert.deepEqual(t4g.ProcessorInfo, { SupportedArchitectures: ['arm64'], SustainedClockSpeedInGhz: 2.5, Manufacturer: 'AWS' });
  assert.deepEqual(t4g.VCpuInfo, { DefaultVCpus: 2, DefaultCores: 2, DefaultThreadsPerCore: 1 });
  assert.equal(t4g.MemoryInfo!.SizeInMiB, 2048);
  const m5 = findInstanceType('m5.large')!;
  assert.deepEqual([m5.VCpuInfo!.DefaultCores, m5.MemoryInfo!.SizeInMiB, m5.NetworkInfo!.NetworkPerformance, m5.NetworkInfo!.MaximumNetworkInterfaces, m5.NetworkInfo!.Ipv4AddressesPerInterface], [1, 8192, 'Up to 10 Gigabit', 3, 10]);
  const g4dn = findInstanceType('g4dn.xlarge')!;
  assert.deepEqual(g4dn.GpuInfo, { Gpus: [{ Name: 'T4', Manufacturer: 'NVIDIA', Count: 1, MemoryInfo: { SizeInMiB: 16384 } }], TotalGpuMemoryInMiB: 16384 });
  assert.deepEqual(g4dn.InstanceStorageInfo, { TotalSizeInGB: 125, Disks: [{ SizeInGB: 125, Count: 1, Type: 'ssd' }], NvmeSupport: 'required', EncryptionSupport: 'required' });
  assert.equal(findInstanceType('i3.4xlarge')!.InstanceStorageInfo!.TotalSizeInGB, 3800);
  assert.equal(findInstanceType('r5.large')!.MemoryInfo!.SizeInMiB, 16384);
  assert.equal(findInstanceType('c6i.xlarge')!.MemoryInfo!.SizeInMiB, 8192);
  assert.equal(findInstanceType('t3.micro')!.FreeTierEligible, true);
  assert.equal(findInstanceType('t3.small')!.FreeTierEligible, false);
  assert.equal(findInstanceType('x9.huge'), undefined);
});

test('architecture compatibility between an AMI and an instance type', () => {
  const arm = imageByKey('us-east-1', 'al2023-arm64')!;
  const x86 = imageByKey('us-east-1', 'al2023-x86_64')!;
  assert.equal(supportsArchitecture(findInstanceType('t4g.micro')!, arm.Architecture!), true);
  assert.equal(supportsArchitecture(findInstanceType('t4g.micro')!, x86.Architecture!), false);
  assert.equal(supportsArchitecture(findInstanceType('t2.micro')!, x86.Architecture!), true);
});

test('DescribeInstanceTypes: InstanceTypes, filters and InvalidInstanceType', () => {
  assert.deepEqual(describeInstanceTypes({ InstanceTypes: ['t3.micro', 't2.micro'] }).InstanceTypes!.map((t) => t.InstanceType), ['t2.micro', 't3.micro']);
  const free = describeInstanceTypes({ Filters: [{ Name: 'free-tier-eligible', Values: ['true'] }] }).InstanceTypes!;
  assert.deepEqual(free.map((t) => t.InstanceType), ['t2.micro', 't3.micro']);
  const armTwoVcpu = describeInstanceTypes({
    Filters: [
      { Name: 'processor-info.supported-architecture', Values: ['arm64'] },
      { Name: 'vcpu-info.default-vcpus', Values: ['2'] },
      { Name: 'instance-type', Values: ['t4g.*'] },
    ],
  }).InstanceTypes!;
  assert.deepEqual(armTwoVcpu.map((t) => t.InstanceType), ['t4g.nano', 't4g.micro', 't4g.small', 't4g.medium', 't4g.large']);
  rejects(() => describeInstanceTypes({ InstanceTypes: ['t2.micro', 'x9.huge'] as never }), 'InvalidInstanceType', 'The following supplied instance types do not exist: [x9.huge]');
  const page = describeInstanceTypes({ MaxResults: 5 });
  assert.equal(page.InstanceTypes!.length, 5);
  assert.ok(page.NextToken);
  rejects(() => describeInstanceTypes({ MaxResults: 200 }), 'InvalidParameterValue', 'Value ( 200 ) for parameter maxResults is invalid. Expecting a value between 5 and 100.');
});

test('DescribeInstanceTypeOfferings: region, zones and zone ids', () => {
  const region = describeInstanceTypeOfferings(ctx, { Filters: [{ Name: 'instance-type', Values: ['t2.micro'] }] }).InstanceTypeOfferings!;
  assert.deepEqual(region, [{ InstanceType: 't2.micro', LocationType: 'region', Location: 'us-east-1' }]);
  const zones = describeInstanceTypeOfferings(ctx, { LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: ['t2.micro'] }] }).InstanceTypeOfferings!;
  assert.deepEqual(zones.map((o) => o.Location), ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
  const ids = describeInstanceTypeOfferings(ctx, { LocationType: 'availability-zone-id', Filters: [{ Name: 'location', Values: ['use1-az2'] }, { Name: 'instance-type', Values: ['m5.large'] }] }).InstanceTypeOfferings!;
  assert.deepEqual(ids, [{ InstanceType: 'm5.large', LocationType: 'availability-zone-id', Location: 'use1-az2' }]);
  assert.deepEqual(['us-east-1', 'ap-southeast-2', 'eu-central-1', 'ap-northeast-1'].map(zoneIdPrefix), ['use1', 'apse2', 'euc1', 'apne1']);
});

test('catalogHandlers answers through the handler signatures', async () => {
  const result = await catalogHandlers.DescribeInstanceTypes!({ InstanceTypes: ['t2.micro'] }, ctx as never);
  assert.equal(result.InstanceTypes![0]!.MemoryInfo!.SizeInMiB, 1024);
  const images = await catalogHandlers.DescribeImages!({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['amzn2-ami-kernel-5.10-hvm-*-arm64-gp2'] }] }, ctx as never);
  assert.deepEqual(images.Images!.map((i) => i.Name), ['amzn2-ami-kernel-5.10-hvm-2.0.20251110.0-arm64-gp2']);
});
