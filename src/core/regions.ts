/**
 * The AWS commercial regions Bonsai answers for. A credential scope naming any other region is
 * refused (AWS answers "Credential should be scoped to a valid region."). `optIn` marks the
 * regions an account must enable before use; EC2's DescribeRegions reports it.
 */
export interface RegionInfo {
  name: string;
  optIn: boolean;
  /** Availability zone letters AWS offers to most accounts in this region. */
  zones: string[];
}

const R = (name: string, optIn: boolean, zones: string): RegionInfo => ({ name, optIn, zones: zones.split('') });

export const REGIONS: readonly RegionInfo[] = [
  R('us-east-1', false, 'abcdef'),
  R('us-east-2', false, 'abc'),
  R('us-west-1', false, 'ac'),
  R('us-west-2', false, 'abcd'),
  R('af-south-1', true, 'abc'),
  R('ap-east-1', true, 'abc'),
  R('ap-east-2', true, 'abc'),
  R('ap-south-1', false, 'abc'),
  R('ap-south-2', true, 'abc'),
  R('ap-southeast-1', false, 'abc'),
  R('ap-southeast-2', false, 'abc'),
  R('ap-southeast-3', true, 'abc'),
  R('ap-southeast-4', true, 'abc'),
  R('ap-southeast-5', true, 'abc'),
  R('ap-southeast-7', true, 'abc'),
  R('ap-northeast-1', false, 'acd'),
  R('ap-northeast-2', false, 'abcd'),
  R('ap-northeast-3', false, 'abc'),
  R('ca-central-1', false, 'abd'),
  R('ca-west-1', true, 'abc'),
  R('eu-central-1', false, 'abc'),
  R('eu-central-2', true, 'abc'),
  R('eu-west-1', false, 'abc'),
  R('eu-west-2', false, 'abc'),
  R('eu-west-3', false, 'abc'),
  R('eu-south-1', true, 'abc'),
  R('eu-south-2', true, 'abc'),
  R('eu-north-1', false, 'abc'),
  R('il-central-1', true, 'abc'),
  R('me-south-1', true, 'abc'),
  R('me-central-1', true, 'abc'),
  R('mx-central-1', true, 'abc'),
  R('sa-east-1', false, 'abc'),
];

const BY_NAME = new Map(REGIONS.map((r) => [r.name, r]));

export function isKnownRegion(name: string): boolean {
  return BY_NAME.has(name);
}

export function regionInfo(name: string): RegionInfo | undefined {
  return BY_NAME.get(name);
}

/** Global services (IAM) are served from us-east-1 whatever region the client signs with. */
export const GLOBAL_REGION = 'us-east-1';
