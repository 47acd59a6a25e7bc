/**
 * EC2 resource ids: a type prefix and 17 lower-case hex characters (vpc-0a1b2c3d4e5f67890),
 * the long format every resource has used since 2018.
 */
import { randomBytes } from 'node:crypto';

export type Ec2Kind = 'vpc' | 'subnet' | 'igw' | 'rtb' | 'acl' | 'sg' | 'eipalloc' | 'nat';

/** Id prefixes of the resources this slice owns, and of the sub-resources they embed. */
export const ID_PREFIXES = ['vpc', 'subnet', 'igw', 'rtb', 'acl', 'sg', 'sgr', 'eipalloc', 'eipassoc', 'nat', 'rtbassoc', 'aclassoc', 'vpc-cidr-assoc', 'eni'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export function newEc2Id(prefix: IdPrefix): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** The resource kind an id names ('vpc-…' → 'vpc'), or undefined for ids this slice does not own. */
export function kindOfId(id: string): Ec2Kind | undefined {
  const prefix = id.slice(0, id.indexOf('-'));
  switch (prefix) {
    case 'vpc':
    case 'subnet':
    case 'igw':
    case 'rtb':
    case 'acl':
    case 'sg':
    case 'eipalloc':
    case 'nat':
      return prefix;
    default:
      return undefined;
  }
}

/** The Service Authorization Reference's resource type for each kind (arn:…:<type>/<id>). */
export const ARN_RESOURCE_TYPE: Record<Ec2Kind, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'internet-gateway',
  rtb: 'route-table',
  acl: 'network-acl',
  sg: 'security-group',
  eipalloc: 'elastic-ip',
  nat: 'natgateway',
};

/** DescribeTags' resource-type for each kind. */
export const TAG_RESOURCE_TYPE: Record<Ec2Kind, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'internet-gateway',
  rtb: 'route-table',
  acl: 'network-acl',
  sg: 'security-group',
  eipalloc: 'elastic-ip',
  nat: 'natgateway',
};

export function ec2Arn(region: string, account: string, kind: Ec2Kind | 'security-group-rule', id: string): string {
  const type = kind === 'security-group-rule' ? kind : ARN_RESOURCE_TYPE[kind];
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}
