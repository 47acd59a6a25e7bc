/**
 * Regions and Availability Zones as EC2 reports them (DescribeRegions, DescribeAvailabilityZones)
 * and the account attributes of a VPC-only account (DescribeAccountAttributes).
 */
import type { RequestContext } from '../../core/context.ts';
import { REGIONS, regionInfo } from '../../core/regions.ts';
import type {
  AvailabilityZone,
  DescribeAccountAttributesRequest,
  DescribeAvailabilityZonesRequest,
  DescribeRegionsRequest,
  Region,
} from '../../generated/ec2/types.ts';
import { applyFilters, type FilterFields } from './filters.ts';
import { invalidParameterValue } from './errors.ts';
import { defaultVpcId } from './defaults.ts';

/** "us-west-2" → "usw2", "ap-southeast-1" → "apse1": the prefix of AWS's zone ids (usw2-az1). */
export function zoneIdPrefix(region: string): string {
  const [area, direction, number] = region.split('-') as [string, string, string];
  const compass = direction.replace(/north|south|east|west|central/g, (w) => w[0]!);
  return `${area}${compass}${number}`;
}

/** The region's zones: name (us-west-2a), id (usw2-az1) in the order AWS lists them. */
export function zonesOf(region: string): Array<{ name: string; id: string }> {
  const info = regionInfo(region);
  return (info?.zones ?? []).map((letter, i) => ({ name: `${region}${letter}`, id: `${zoneIdPrefix(region)}-az${i + 1}` }));
}

function zoneRecord(region: string, zone: { name: string; id: string }): AvailabilityZone {
  return {
    OptInStatus: 'opt-in-not-required',
    Messages: [],
    RegionName: region,
    ZoneName: zone.name,
    ZoneId: zone.id,
    GroupName: region,
    NetworkBorderGroup: region,
    ZoneType: 'availability-zone',
    GroupLongName: region,
    State: 'available',
  };
}

const ZONE_FILTERS: FilterFields<AvailabilityZone> = {
  'group-name': (z) => z.GroupName,
  'message': (z) => (z.Messages ?? []).map((m) => m.Message),
  'opt-in-status': (z) => z.OptInStatus,
  'parent-zone-id': (z) => z.ParentZoneId,
  'parent-zone-name': (z) => z.ParentZoneName,
  'region-name': (z) => z.RegionName,
  'state': (z) => z.State,
  'zone-id': (z) => z.ZoneId,
  'zone-name': (z) => z.ZoneName,
  'zone-type': (z) => z.ZoneType,
  'network-border-group': (z) => z.NetworkBorderGroup,
};

export function describeAvailabilityZones(ctx: RequestContext, input: DescribeAvailabilityZonesRequest) {
  let zones = zonesOf(ctx.region).map((z) => zoneRecord(ctx.region, z));
  const names = input.ZoneNames ?? [];
  const ids = input.ZoneIds ?? [];
  for (const name of names) {
    if (!zones.some((z) => z.ZoneName === name)) throw invalidParameterValue(`The zone '${name}' does not exist.`);
  }
  for (const id of ids) {
    if (!zones.some((z) => z.ZoneId === id)) throw invalidParameterValue(`The zone '${id}' does not exist.`);
  }
  if (names.length > 0 || ids.length > 0) zones = zones.filter((z) => names.includes(z.ZoneName!) || ids.includes(z.ZoneId!));
  return { AvailabilityZones: applyFilters(zones, input.Filters, ZONE_FILTERS, { tags: false }) };
}

const REGION_FILTERS: FilterFields<Region> = {
  'endpoint': (r) => r.Endpoint,
  'opt-in-status': (r) => r.OptInStatus,
  'region-name': (r) => r.RegionName,
};

/**
 * Every Bonsai region answers, so opt-in regions count as enabled: "opted-in" (AWS reports
 * "not-opted-in" only for regions an account has not enabled, and lists those only with AllRegions).
 */
export function describeRegions(_ctx: RequestContext, input: DescribeRegionsRequest) {
  let regions: Region[] = REGIONS.map((r) => ({
    Endpoint: `ec2.${r.name}.amazonaws.com`,
    RegionName: r.name,
    OptInStatus: r.optIn ? 'opted-in' : 'opt-in-not-required',
  }));
  const names = input.RegionNames ?? [];
  for (const name of names) {
    if (!regions.some((r) => r.RegionName === name)) throw invalidParameterValue(`Invalid region: ${name}`);
  }
  if (names.length > 0) regions = regions.filter((r) => names.includes(r.RegionName!));
  return { Regions: applyFilters(regions, input.Filters, REGION_FILTERS, { tags: false }) };
}

export async function describeAccountAttributes(ctx: RequestContext, input: DescribeAccountAttributesRequest) {
  const defaultVpc = (await defaultVpcId(ctx)) ?? 'none';
  const all: Record<string, string[]> = {
    'supported-platforms': ['VPC'],
    'vpc-max-security-groups-per-interface': ['5'],
    'max-elastic-ips': ['5'],
    'max-instances': ['20'],
    'vpc-max-elastic-ips': ['5'],
    'default-vpc': [defaultVpc],
  };
  const wanted = input.AttributeNames && input.AttributeNames.length > 0 ? input.AttributeNames : Object.keys(all);
  return {
    AccountAttributes: wanted
      .filter((name) => name in all)
      .map((name) => ({ AttributeName: name, AttributeValues: all[name]!.map((v) => ({ AttributeValue: v })) })),
  };
}
