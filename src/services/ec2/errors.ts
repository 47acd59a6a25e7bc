/**
 * EC2's own error codes and wording (EC2 API Reference, "Error codes"). EC2 answers every client
 * error with HTTP 400 except DryRunOperation (412) and UnauthorizedOperation (403).
 */
import { AwsError } from '../../core/errors.ts';

export function ec2Error(code: string, message: string): AwsError {
  return new AwsError(code, message, { status: 400 });
}

/** "Request would have succeeded, but DryRun flag is set." with HTTP 412. */
export function dryRunOperation(): AwsError {
  return new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });
}

export function invalidParameterValue(message: string): AwsError {
  return ec2Error('InvalidParameterValue', message);
}

export function missingParameter(message: string): AwsError {
  return ec2Error('MissingParameter', message);
}

export function invalidParameterCombination(message: string): AwsError {
  return ec2Error('InvalidParameterCombination', message);
}

/**
 * How each resource names itself in "not found" errors: code and the noun of
 * "The vpc ID 'vpc-123' does not exist".
 */
const NOT_FOUND: Record<string, { code: string; noun: string; malformed: string }> = {
  vpc: { code: 'InvalidVpcID.NotFound', noun: 'vpc', malformed: 'InvalidVpcID.Malformed' },
  subnet: { code: 'InvalidSubnetID.NotFound', noun: 'subnet', malformed: 'InvalidSubnetID.Malformed' },
  igw: { code: 'InvalidInternetGatewayID.NotFound', noun: 'internetGateway', malformed: 'InvalidInternetGatewayID.Malformed' },
  rtb: { code: 'InvalidRouteTableID.NotFound', noun: 'routeTable', malformed: 'InvalidRouteTableID.Malformed' },
  acl: { code: 'InvalidNetworkAclID.NotFound', noun: 'networkAcl', malformed: 'InvalidNetworkAclID.Malformed' },
  eipalloc: { code: 'InvalidAllocationID.NotFound', noun: 'allocation', malformed: 'InvalidAllocationID.Malformed' },
  eni: { code: 'InvalidNetworkInterfaceID.NotFound', noun: 'networkInterface', malformed: 'InvalidNetworkInterfaceID.Malformed' },
  sgr: { code: 'InvalidSecurityGroupRuleId.NotFound', noun: 'security group rule', malformed: 'InvalidSecurityGroupRuleId.Malformed' },
};

export function notFound(kind: string, id: string): AwsError {
  if (kind === 'sg') return ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  if (kind === 'nat') return ec2Error('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
  const entry = NOT_FOUND[kind];
  if (!entry) return ec2Error('InvalidID', `The ID '${id}' is not valid`);
  return ec2Error(entry.code, `The ${entry.noun} ID '${id}' does not exist`);
}

/** Several missing ids are reported together: "The vpc IDs 'vpc-1, vpc-2' do not exist". */
export function manyNotFound(kind: string, ids: string[]): AwsError {
  if (ids.length === 1) return notFound(kind, ids[0]!);
  if (kind === 'sg') return ec2Error('InvalidGroup.NotFound', `The security groups '${ids.join(', ')}' do not exist`);
  const entry = NOT_FOUND[kind];
  if (!entry) return notFound(kind, ids[0]!);
  return ec2Error(entry.code, `The ${entry.noun} IDs '${ids.join(', ')}' do not exist`);
}

export function dependencyViolation(noun: string, id: string): AwsError {
  return ec2Error('DependencyViolation', `The ${noun} '${id}' has dependencies and cannot be deleted.`);
}

export function invalidFilter(name: string): AwsError {
  return invalidParameterValue(`The filter '${name}' is invalid`);
}
