/**
 * Internet gateways: created detached, attached to at most one VPC (and a VPC takes at most one),
 * deleted only when detached.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  AttachInternetGatewayRequest,
  CreateInternetGatewayRequest,
  DeleteInternetGatewayRequest,
  DescribeInternetGatewaysRequest,
  DetachInternetGatewayRequest,
} from '../../generated/ec2/types.ts';
import { readDb, writeDb } from './db.ts';
import { dependencyViolation, ec2Error } from './errors.ts';
import { applyFilters, paginate, type FilterFields } from './filters.ts';
import { newInternetGatewayRecord, type InternetGatewayRecord, type VpcRecord } from './records.ts';
import { tagsFromSpecifications } from './tags.ts';

export async function createInternetGateway(ctx: RequestContext, input: CreateInternetGatewayRequest) {
  const igw = newInternetGatewayRecord({ account: ctx.accountId, region: ctx.region }, tagsFromSpecifications(input.TagSpecifications, 'internet-gateway'));
  await writeDb(ctx, (db) => db.put('igw', igw.InternetGatewayId, igw));
  return { InternetGateway: igw };
}

const IGW_FILTERS: FilterFields<InternetGatewayRecord> = {
  'attachment.state': (g) => (g.Attachments ?? []).map((a) => a.State),
  'attachment.vpc-id': (g) => (g.Attachments ?? []).map((a) => a.VpcId),
  'internet-gateway-id': (g) => g.InternetGatewayId,
  'owner-id': (g) => g.OwnerId,
};

export async function describeInternetGateways(ctx: RequestContext, input: DescribeInternetGatewaysRequest) {
  const all = await readDb(ctx).listOrSelect<InternetGatewayRecord>('igw', input.InternetGatewayIds, (g) => g.InternetGatewayId);
  const { page, nextToken } = paginate(applyFilters(all, input.Filters, IGW_FILTERS), input.MaxResults, input.NextToken);
  return { InternetGateways: page, NextToken: nextToken };
}

export async function attachInternetGateway(ctx: RequestContext, input: AttachInternetGatewayRequest) {
  const igwId = input.InternetGatewayId!;
  const vpcId = input.VpcId!;
  await writeDb(ctx, async (db) => {
    const igw = await db.require<InternetGatewayRecord>('igw', igwId);
    await db.require<VpcRecord>('vpc', vpcId);
    const current = igw.Attachments?.[0];
    if (current) throw ec2Error('Resource.AlreadyAssociated', `resource ${igwId} is already attached to network ${current.VpcId}`);
    const other = (await db.list<InternetGatewayRecord>('igw')).find((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId));
    if (other) {
      throw ec2Error('InvalidParameterValue', `Network ${vpcId} already has an internet gateway attached`);
    }
    await db.put('igw', igwId, { ...igw, Attachments: [{ State: 'available' as 'attached', VpcId: vpcId }] });
  });
  return {};
}

export async function detachInternetGateway(ctx: RequestContext, input: DetachInternetGatewayRequest) {
  const igwId = input.InternetGatewayId!;
  const vpcId = input.VpcId!;
  await writeDb(ctx, async (db) => {
    const igw = await db.require<InternetGatewayRecord>('igw', igwId);
    await db.require<VpcRecord>('vpc', vpcId);
    if (!(igw.Attachments ?? []).some((a) => a.VpcId === vpcId)) {
      throw ec2Error('Gateway.NotAttached', `resource ${igwId} is not attached to network ${vpcId}`);
    }
    await db.put('igw', igwId, { ...igw, Attachments: [] });
  });
  return {};
}

export async function deleteInternetGateway(ctx: RequestContext, input: DeleteInternetGatewayRequest) {
  const igwId = input.InternetGatewayId!;
  await writeDb(ctx, async (db) => {
    const igw = await db.require<InternetGatewayRecord>('igw', igwId);
    if ((igw.Attachments ?? []).length > 0) throw dependencyViolation('internetGateway', igwId);
    await db.delete('igw', igwId);
  });
  return {};
}
