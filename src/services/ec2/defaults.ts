/**
 * Every region of an account starts with a default VPC (EC2 User Guide, "Default VPCs"):
 * 172.31.0.0/16, a /20 default subnet in each Availability Zone (172.31.0.0/20, 172.31.16.0/20, …)
 * that gives instances public addresses, an attached internet gateway, a main route table with the
 * local route and 0.0.0.0/0 to the gateway, the default network ACL and the default security group.
 * Bonsai creates them on the first EC2 request in a region, once; deleting the default VPC later
 * leaves the region without one, as on AWS.
 */
import type { RequestContext } from '../../core/context.ts';
import { StoreConflictError } from '../../store/errors.ts';
import { nthSubBlock, parseCidr, formatCidr } from './cidr.ts';
import { readDb, writeDb, type Ec2Db } from './db.ts';
import { newInternetGatewayRecord, newSubnetRecord, type RouteTableRecord } from './records.ts';
import { zonesOf } from './regions.ts';
import { addSubnetToDefaultAcl, createVpcWithDefaults } from './vpcs.ts';

// AWS reports an internet gateway's attachment state as "available" although the model's enum says "attached".
const MARKER_ID = 'defaults';
export const DEFAULT_VPC_CIDR = '172.31.0.0/16';

interface RegionDefaults {
  /** The default VPC created for the region; stays set after it is deleted (AWS does not recreate it). */
  DefaultVpcId: string;
}

/** Creates the region's default VPC unless it was created before. Safe to call concurrently. */
export async function ensureRegionDefaults(ctx: RequestContext): Promise<void> {
  const db = readDb(ctx);
  if (await db.get<RegionDefaults>('region-defaults', MARKER_ID)) return;
  try {
    await writeDb(ctx, async (tx) => {
      if (await tx.get<RegionDefaults>('region-defaults', MARKER_ID)) return;
      const vpcId = await createDefaultVpc(tx, ctx);
      await tx.ops.put(tx.key('region-defaults', MARKER_ID), { DefaultVpcId: vpcId } satisfies RegionDefaults, { expectVersion: 'absent' });
    });
  } catch (err) {
    // Another request created them first: theirs stand.
    if (!(err instanceof StoreConflictError)) throw err;
  }
}

async function createDefaultVpc(db: Ec2Db, ctx: RequestContext): Promise<string> {
  const owner = { account: ctx.accountId, region: ctx.region };
  const { vpc, mainRouteTable, defaultAcl } = await createVpcWithDefaults(db, owner, DEFAULT_VPC_CIDR, { isDefault: true, tags: [] });

  const parent = parseCidr(DEFAULT_VPC_CIDR)!;
  const zones = zonesOf(ctx.region);
  for (const [i, zone] of zones.entries()) {
    const subnet = newSubnetRecord(owner, vpc, formatCidr(nthSubBlock(parent, 20, i)), zone, { defaultForAz: true, tags: [] });
    await db.put('subnet', subnet.SubnetId, subnet);
    addSubnetToDefaultAcl(defaultAcl, subnet.SubnetId);
  }
  await db.put('acl', defaultAcl.NetworkAclId, defaultAcl);

  const igw = newInternetGatewayRecord(owner, []);
  igw.Attachments = [{ State: 'available' as 'attached', VpcId: vpc.VpcId }];
  await db.put('igw', igw.InternetGatewayId, igw);

  const routes: RouteTableRecord = {
    ...mainRouteTable,
    Routes: [...(mainRouteTable.Routes ?? []), { DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw.InternetGatewayId, Origin: 'CreateRoute', State: 'active' }],
  };
  await db.put('rtb', routes.RouteTableId, routes);
  return vpc.VpcId;
}

/** The region's default VPC id, or undefined when it has been deleted. */
export async function defaultVpcId(ctx: RequestContext): Promise<string | undefined> {
  const db = readDb(ctx);
  const marker = await db.get<RegionDefaults>('region-defaults', MARKER_ID);
  if (!marker) return undefined;
  return (await db.get('vpc', marker.DefaultVpcId)) ? marker.DefaultVpcId : undefined;
}
