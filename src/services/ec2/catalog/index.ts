/**
 * EC2's read-only catalogs: the public AMIs (images.ts) and the instance types
 * (instance-types.ts), served by DescribeImages, DescribeInstanceTypes and
 * DescribeInstanceTypeOfferings. The EC2 provider spreads `catalogHandlers` into its handler
 * table; RunInstances uses `findImage` and `findInstanceType` to check an AMI's architecture
 * against the instance type.
 */
import { AwsError } from '../../../core/errors.ts';
import { regionInfo } from '../../../core/regions.ts';
import type { RequestContext } from '../../../core/context.ts';
import type { Ec2Handlers } from '../../../generated/ec2/handlers.ts';
import type {
  DescribeImagesRequest,
  DescribeImagesResult,
  DescribeInstanceTypeOfferingsRequest,
  DescribeInstanceTypeOfferingsResult,
  DescribeInstanceTypesRequest,
  DescribeInstanceTypesResult,
  Image,
  InstanceTypeInfo,
  InstanceTypeOffering,
} from '../../../generated/ec2/types.ts';
import { applyFilters, type FilterFields } from '../filters.ts';
import { catalogImages } from './images.ts';
import { INSTANCE_TYPES } from './instance-types.ts';

export { findImage, imageByKey, catalogImages, catalogId } from './images.ts';
export { findInstanceType, supportsArchitecture, INSTANCE_TYPES } from './instance-types.ts';
export { wildcardPattern } from '../filters.ts';

function ec2Error(code: string, message: string): AwsError {
  return new AwsError(code, message, { status: 400 });
}

function dryRun(): AwsError {
  return new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });
}

// ---------------------------------------------------------------------------------------------
// Pagination: the token is the offset of the next item, opaque to clients.

function paginate<T>(items: readonly T[], maxResults: number | undefined, nextToken: string | undefined): { page: T[]; next?: string } {
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) throw ec2Error('InvalidNextToken', 'The token is invalid.');
    start = decoded;
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  const end = start + maxResults;
  return { page: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

// ---------------------------------------------------------------------------------------------
// DescribeImages

/** EC2's long and short AMI ids: `ami-` and 17 or 8 hex digits. */
const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** DescribeImages filters (EC2 API Reference, DescribeImages "Filters"). */
const IMAGE_FILTERS: FilterFields<Image> = {
  architecture: (i) => i.Architecture,
  'block-device-mapping.delete-on-termination': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.DeleteOnTermination),
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings?.map((b) => b.DeviceName),
  'block-device-mapping.snapshot-id': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.SnapshotId),
  'block-device-mapping.volume-size': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeSize),
  'block-device-mapping.volume-type': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.VolumeType),
  'block-device-mapping.encrypted': (i) => i.BlockDeviceMappings?.map((b) => b.Ebs?.Encrypted),
  'creation-date': (i) => i.CreationDate,
  description: (i) => i.Description,
  'ena-support': (i) => i.EnaSupport,
  hypervisor: (i) => i.Hypervisor,
  'image-id': (i) => i.ImageId,
  'image-type': (i) => i.ImageType,
  'is-public': (i) => i.Public,
  manifest: (i) => i.ImageLocation,
  name: (i) => i.Name,
  'owner-alias': (i) => i.ImageOwnerAlias,
  'owner-id': (i) => i.OwnerId,
  platform: (i) => i.Platform,
  'platform-details': (i) => i.PlatformDetails,
  'root-device-name': (i) => i.RootDeviceName,
  'root-device-type': (i) => i.RootDeviceType,
  'source-image-id': (i) => i.SourceImageId,
  'source-image-region': (i) => i.SourceImageRegion,
  state: (i) => i.State,
  'sriov-net-support': (i) => i.SriovNetSupport,
  'usage-operation': (i) => i.UsageOperation,
  'virtualization-type': (i) => i.VirtualizationType,
  'boot-mode': (i) => i.BootMode,
  'imds-support': (i) => i.ImdsSupport,
};

/**
 * `Owners`: "self", "amazon", "aws-marketplace" (owner aliases) or account ids. The catalog holds
 * only other accounts' public images, so "self" matches none of them.
 */
function ownedBy(image: Image, owners: readonly string[], callerAccount: string): boolean {
  return owners.some((owner) => {
    if (owner === 'self') return image.OwnerId === callerAccount;
    if (/^\d{12}$/.test(owner)) return image.OwnerId === owner;
    return image.ImageOwnerAlias === owner;
  });
}

/**
 * `ExecutableUsers`: "all" lists public images; an account id (or "self") lists images that
 * account has been given explicit launch permission for, which no catalog image grants.
 */
function launchableBy(image: Image, users: readonly string[]): boolean {
  return users.some((user) => user === 'all' && image.Public === true);
}

function checkImageIds(region: string, ids: readonly string[], images: readonly Image[]): void {
  for (const id of ids) {
    if (!AMI_ID.test(id)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
  }
  const known = new Set(images.map((i) => i.ImageId));
  const missing = ids.filter((id) => !known.has(id));
  // AWS prints the missing ids as a bracketed list: "The image id '[ami-1234]' does not exist".
  if (missing.length > 0) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
  void region;
}

/**
 * DescribeImages over the catalog. `extraImages` lets the EC2 provider add the account's own
 * images (CreateImage) so one call answers both.
 */
export function describeImages(
  ctx: Pick<RequestContext, 'region' | 'accountId'>,
  input: DescribeImagesRequest,
  extraImages: readonly Image[] = [],
): DescribeImagesResult {
  if (input.DryRun) throw dryRun();
  if (input.MaxResults !== undefined && input.ImageIds?.length) {
    throw ec2Error('InvalidParameterCombination', 'The parameter ImageIds cannot be used with the parameter MaxResults');
  }
  if (input.MaxResults !== undefined && (input.MaxResults < 5 || input.MaxResults > 1000)) {
    throw ec2Error('InvalidParameterValue', `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
  }
  const all = [...catalogImages(ctx.region), ...extraImages];
  const ids = input.ImageIds ?? [];
  if (ids.length > 0) checkImageIds(ctx.region, ids, all);
  const matching = new Set(applyFilters(all, input.Filters, IMAGE_FILTERS));
  const selected = all.filter(
    (image) =>
      (ids.length === 0 || ids.includes(image.ImageId!)) &&
      (!input.Owners?.length || ownedBy(image, input.Owners, ctx.accountId)) &&
      (!input.ExecutableUsers?.length || launchableBy(image, input.ExecutableUsers)) &&
      matching.has(image),
  );
  const { page, next } = paginate(selected, input.MaxResults, input.NextToken);
  return { Images: page, ...(next ? { NextToken: next } : {}) };
}

// ---------------------------------------------------------------------------------------------
// DescribeInstanceTypes

/** DescribeInstanceTypes filters (EC2 API Reference, DescribeInstanceTypes "Filters"). */
const INSTANCE_TYPE_FILTERS: FilterFields<InstanceTypeInfo> = {
  'auto-recovery-supported': (t) => t.AutoRecoverySupported,
  'bare-metal': (t) => t.BareMetal,
  'burstable-performance-supported': (t) => t.BurstablePerformanceSupported,
  'current-generation': (t) => t.CurrentGeneration,
  'dedicated-hosts-supported': (t) => t.DedicatedHostsSupported,
  'ebs-info.ebs-optimized-support': (t) => t.EbsInfo?.EbsOptimizedSupport,
  'ebs-info.encryption-support': (t) => t.EbsInfo?.EncryptionSupport,
  'ebs-info.nvme-support': (t) => t.EbsInfo?.NvmeSupport,
  'free-tier-eligible': (t) => t.FreeTierEligible,
  'hibernation-supported': (t) => t.HibernationSupported,
  hypervisor: (t) => t.Hypervisor,
  'instance-storage-info.disk.count': (t) => t.InstanceStorageInfo?.Disks?.map((d) => d.Count),
  'instance-storage-info.disk.size-in-gb': (t) => t.InstanceStorageInfo?.Disks?.map((d) => d.SizeInGB),
  'instance-storage-info.disk.type': (t) => t.InstanceStorageInfo?.Disks?.map((d) => d.Type),
  'instance-storage-info.nvme-support': (t) => t.InstanceStorageInfo?.NvmeSupport,
  'instance-storage-info.total-size-in-gb': (t) => t.InstanceStorageInfo?.TotalSizeInGB,
  'instance-storage-supported': (t) => t.InstanceStorageSupported,
  'instance-type': (t) => t.InstanceType,
  'memory-info.size-in-mib': (t) => t.MemoryInfo?.SizeInMiB,
  'network-info.efa-supported': (t) => t.NetworkInfo?.EfaSupported,
  'network-info.ena-support': (t) => t.NetworkInfo?.EnaSupport,
  'network-info.encryption-in-transit-supported': (t) => t.NetworkInfo?.EncryptionInTransitSupported,
  'network-info.ipv4-addresses-per-interface': (t) => t.NetworkInfo?.Ipv4AddressesPerInterface,
  'network-info.ipv6-addresses-per-interface': (t) => t.NetworkInfo?.Ipv6AddressesPerInterface,
  'network-info.ipv6-supported': (t) => t.NetworkInfo?.Ipv6Supported,
  'network-info.maximum-network-cards': (t) => t.NetworkInfo?.MaximumNetworkCards,
  'network-info.maximum-network-interfaces': (t) => t.NetworkInfo?.MaximumNetworkInterfaces,
  'network-info.network-performance': (t) => t.NetworkInfo?.NetworkPerformance,
  'nitro-enclaves-support': (t) => t.NitroEnclavesSupport,
  'nitro-tpm-support': (t) => t.NitroTpmSupport,
  'nitro-tpm-info.supported-versions': (t) => t.NitroTpmInfo?.SupportedVersions,
  'placement-group-info.supported-strategies': (t) => t.PlacementGroupInfo?.SupportedStrategies,
  'processor-info.supported-architecture': (t) => t.ProcessorInfo?.SupportedArchitectures,
  'processor-info.sustained-clock-speed-in-ghz': (t) => t.ProcessorInfo?.SustainedClockSpeedInGhz,
  'processor-info.manufacturer': (t) => t.ProcessorInfo?.Manufacturer,
  'supported-boot-mode': (t) => t.SupportedBootModes,
  'supported-root-device-type': (t) => t.SupportedRootDeviceTypes,
  'supported-usage-class': (t) => t.SupportedUsageClasses,
  'supported-virtualization-type': (t) => t.SupportedVirtualizationTypes,
  'vcpu-info.default-cores': (t) => t.VCpuInfo?.DefaultCores,
  'vcpu-info.default-threads-per-core': (t) => t.VCpuInfo?.DefaultThreadsPerCore,
  'vcpu-info.default-vcpus': (t) => t.VCpuInfo?.DefaultVCpus,
  'gpu-info.total-gpu-memory-in-mib': (t) => t.GpuInfo?.TotalGpuMemoryInMiB,
};

function checkMaxResults(maxResults: number | undefined, min: number, max: number): void {
  if (maxResults !== undefined && (maxResults < min || maxResults > max)) {
    throw ec2Error('InvalidParameterValue', `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${min} and ${max}.`);
  }
}

export function describeInstanceTypes(input: DescribeInstanceTypesRequest): DescribeInstanceTypesResult {
  if (input.DryRun) throw dryRun();
  checkMaxResults(input.MaxResults, 5, 100);
  const names = (input.InstanceTypes ?? []) as string[];
  const unknown = names.filter((n) => !INSTANCE_TYPES.some((t) => t.InstanceType === n));
  if (unknown.length > 0) throw ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
  const selected = applyFilters(INSTANCE_TYPES, input.Filters, INSTANCE_TYPE_FILTERS, { tags: false }).filter(
    (t) => names.length === 0 || names.includes(t.InstanceType!),
  );
  const { page, next } = paginate(selected, input.MaxResults, input.NextToken);
  return { InstanceTypes: page, ...(next ? { NextToken: next } : {}) };
}

// ---------------------------------------------------------------------------------------------
// DescribeInstanceTypeOfferings

const OFFERING_FILTERS: FilterFields<InstanceTypeOffering> = {
  location: (o) => o.Location,
  'instance-type': (o) => o.InstanceType,
};

/** "us-east-1" → "use1", "ap-southeast-2" → "apse2": the prefix of zone ids ("use1-az1"). */
export function zoneIdPrefix(region: string): string {
  const [area = '', direction = '', number = ''] = region.split('-');
  // "northeast" → "neast" → "ne": the words shorten one after another.
  const dir = direction.replace('central', 'c').replace('north', 'n').replace('south', 's').replace('east', 'e').replace('west', 'w');
  return `${area}${dir}${number}`;
}

/**
 * Every catalog type is offered in the region and in each of its zones (AWS offers most, not
 * all, types everywhere). Zone ids number the zones in letter order.
 */
export function describeInstanceTypeOfferings(ctx: Pick<RequestContext, 'region'>, input: DescribeInstanceTypeOfferingsRequest): DescribeInstanceTypeOfferingsResult {
  if (input.DryRun) throw dryRun();
  checkMaxResults(input.MaxResults, 5, 1000);
  const locationType = input.LocationType ?? 'region';
  const zones = regionInfo(ctx.region)?.zones ?? [];
  let locations: string[];
  if (locationType === 'region') locations = [ctx.region];
  else if (locationType === 'availability-zone') locations = zones.map((z) => `${ctx.region}${z}`);
  else if (locationType === 'availability-zone-id') locations = zones.map((_z, i) => `${zoneIdPrefix(ctx.region)}-az${i + 1}`);
  else throw ec2Error('InvalidParameterValue', `The location type '${locationType}' is invalid`);
  const offerings: InstanceTypeOffering[] = [];
  for (const location of locations) {
    for (const t of INSTANCE_TYPES) offerings.push({ InstanceType: t.InstanceType, LocationType: locationType, Location: location });
  }
  const { page, next } = paginate(applyFilters(offerings, input.Filters, OFFERING_FILTERS, { tags: false }), input.MaxResults, input.NextToken);
  return { InstanceTypeOfferings: page, ...(next ? { NextToken: next } : {}) };
}

/** Spread into the EC2 provider's handler table. */
export const catalogHandlers: Partial<Ec2Handlers> = {
  DescribeImages: async (input, ctx) => describeImages(ctx, input),
  DescribeInstanceTypes: async (input) => describeInstanceTypes(input),
  DescribeInstanceTypeOfferings: async (input, ctx) => describeInstanceTypeOfferings(ctx, input),
};
