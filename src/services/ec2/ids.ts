/**
 * EC2 resource ids: a type prefix and 17 lower-case hex characters (vpc-0a1b2c3d4e5f67890),
 * the long format every resource has used since 2018.
 */
import { computeArn, randomIdSuffix, type ComputeKind } from './compute-store.ts';

export type Ec2Kind = 'vpc' | 'subnet' | 'igw' | 'rtb' | 'acl' | 'sg' | 'eipalloc' | 'nat' | 'eni';

/** Id prefixes of the resources this slice owns, and of the sub-resources they embed. */
export const ID_PREFIXES = ['vpc', 'subnet', 'igw', 'rtb', 'acl', 'sg', 'sgr', 'eipalloc', 'eipassoc', 'nat', 'rtbassoc', 'aclassoc', 'vpc-cidr-assoc', 'eni'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

export function newEc2Id(prefix: IdPrefix): string {
  return `${prefix}-${randomIdSuffix()}`;
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
    case 'eni':
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
  eni: 'network-interface',
};

/**
 * Every kind CreateTags, DeleteTags and DescribeTags reach ("Tag your Amazon EC2 resources"): the
 * networking kinds above and the compute kinds of compute-store.ts.
 */
export type TaggableKind = Ec2Kind | TaggableComputeKind;
type TaggableComputeKind = Exclude<ComputeKind, 'client-token'>;

const COMPUTE_PREFIXES: Record<string, TaggableComputeKind> = { i: 'instance', vol: 'volume', snap: 'snapshot', ami: 'image', key: 'key-pair' };

/** The taggable kind an id's prefix names ('i-…' → instance, 'vpc-…' → vpc), or undefined. */
export function taggableKindOfId(id: string): TaggableKind | undefined {
  return COMPUTE_PREFIXES[id.slice(0, id.indexOf('-'))] ?? kindOfId(id);
}

export function isComputeKind(kind: TaggableKind): kind is TaggableComputeKind {
  return Object.values(COMPUTE_PREFIXES).includes(kind as TaggableComputeKind);
}

/**
 * A taggable resource's ARN: networking kinds as ec2Arn, compute kinds as computeArn (images and
 * snapshots without an account). `name` is the id, except a key pair's, which its ARN names by key name.
 */
export function taggableArn(region: string, account: string, kind: TaggableKind, name: string): string {
  return isComputeKind(kind) ? computeArn(region, account, kind, name) : ec2Arn(region, account, kind, name);
}

/** DescribeTags' resource-type for each kind. */
export const TAG_RESOURCE_TYPE: Record<TaggableKind, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'internet-gateway',
  rtb: 'route-table',
  acl: 'network-acl',
  sg: 'security-group',
  eipalloc: 'elastic-ip',
  nat: 'natgateway',
  eni: 'network-interface',
  instance: 'instance',
  volume: 'volume',
  snapshot: 'snapshot',
  image: 'image',
  'key-pair': 'key-pair',
};

export function ec2Arn(region: string, account: string, kind: Ec2Kind | 'security-group-rule', id: string): string {
  const type = kind === 'security-group-rule' ? kind : ARN_RESOURCE_TYPE[kind];
  return `arn:aws:ec2:${region}:${account}:${type}/${id}`;
}
