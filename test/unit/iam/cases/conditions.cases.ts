/**
 * Condition operator cases. Each case puts `condition` on an Allow-everything identity statement
 * and expects the request with `context` to be allowed (true) or not (false).
 */
import type { RequestContext } from '../../../../src/iam/policy/context.ts';

export interface ConditionCase {
  name: string;
  condition: Record<string, Record<string, unknown>>;
  context: RequestContext;
  expect: boolean;
  version?: '2012-10-17' | '2008-10-17';
}

const T = new Date('2024-06-01T12:00:00Z');

export const conditionCases: ConditionCase[] = [
  // --- String operators: "IAM JSON policy elements: Condition operators" § String condition operators
  { name: 'StringEquals matches exact value', condition: { StringEquals: { 'aws:username': 'alice' } }, context: { 'aws:username': 'alice' }, expect: true },
  { name: 'StringEquals is case-sensitive on values', condition: { StringEquals: { 'aws:username': 'alice' } }, context: { 'aws:username': 'Alice' }, expect: false },
  { name: 'condition keys are case-insensitive', condition: { StringEquals: { 'AWS:UserName': 'alice' } }, context: { 'aws:username': 'alice' }, expect: true },
  { name: 'context keys are case-insensitive too', condition: { StringEquals: { 'aws:username': 'alice' } }, context: { 'AWS:USERNAME': 'alice' }, expect: true },
  { name: 'StringEquals: values are ORed', condition: { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, context: { 'aws:RequestedRegion': 'eu-west-1' }, expect: true },
  { name: 'StringEquals: missing key is false', condition: { StringEquals: { 'aws:username': 'alice' } }, context: {}, expect: false },
  { name: 'StringEquals: keys in one block are ANDed (one fails)', condition: { StringEquals: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' } }, context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1' }, expect: false },
  { name: 'StringEquals: keys in one block are ANDed (both hold)', condition: { StringEquals: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' } }, context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' }, expect: true },
  { name: 'operator blocks are ANDed', condition: { StringEquals: { 'aws:username': 'alice' }, Bool: { 'aws:SecureTransport': 'true' } }, context: { 'aws:username': 'alice', 'aws:SecureTransport': false }, expect: false },
  { name: 'StringNotEquals: different value is true', condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } }, context: { 'aws:RequestedRegion': 'eu-west-1' }, expect: true },
  { name: 'StringNotEquals: values are NORed', condition: { StringNotEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }, context: { 'aws:RequestedRegion': 'eu-west-1' }, expect: false },
  { name: 'StringNotEquals: missing key is true', condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } }, context: {}, expect: true },
  { name: 'StringEqualsIgnoreCase ignores case', condition: { StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Blue' } }, context: { 'aws:PrincipalTag/team': 'BLUE' }, expect: true },
  { name: 'StringNotEqualsIgnoreCase ignores case', condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Blue' } }, context: { 'aws:PrincipalTag/team': 'blue' }, expect: false },
  { name: 'StringLike with * wildcard', condition: { StringLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'home/alice/docs' }, expect: true },
  { name: 'StringLike with ? wildcard', condition: { StringLike: { 'aws:username': 'al?ce' } }, context: { 'aws:username': 'alice' }, expect: true },
  { name: 'StringLike ? is exactly one character', condition: { StringLike: { 'aws:username': 'al?ce' } }, context: { 'aws:username': 'alce' }, expect: false },
  { name: 'StringLike is case-sensitive', condition: { StringLike: { 's3:prefix': 'Home/*' } }, context: { 's3:prefix': 'home/x' }, expect: false },
  { name: 'StringNotLike: non-matching value is true', condition: { StringNotLike: { 's3:prefix': 'home/*' } }, context: { 's3:prefix': 'public/x' }, expect: true },
  { name: 'StringNotLike: missing key is true', condition: { StringNotLike: { 's3:prefix': 'home/*' } }, context: {}, expect: true },
  { name: 'StringEquals compares numbers as strings', condition: { StringEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 10 }, expect: true },

  // --- Numeric operators: § Numeric condition operators
  { name: 'NumericLessThanEquals holds', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10' }, expect: true },
  { name: 'NumericLessThanEquals fails above', condition: { NumericLessThanEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '11' }, expect: false },
  { name: 'NumericLessThan is strict', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 10 }, expect: false },
  { name: 'NumericGreaterThan holds', condition: { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } }, context: { 'aws:MultiFactorAuthAge': '3601' }, expect: true },
  { name: 'NumericGreaterThanEquals with JSON number', condition: { NumericGreaterThanEquals: { 'aws:MultiFactorAuthAge': 3600 } }, context: { 'aws:MultiFactorAuthAge': 3600 }, expect: true },
  { name: 'NumericEquals compares numerically (10 = 10.0)', condition: { NumericEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '10.0' }, expect: true },
  { name: 'NumericNotEquals', condition: { NumericNotEquals: { 's3:max-keys': '10' } }, context: { 's3:max-keys': '5' }, expect: true },
  { name: 'Numeric with non-numeric request value is false', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: { 's3:max-keys': 'ten' }, expect: false },
  { name: 'Numeric missing key is false', condition: { NumericLessThan: { 's3:max-keys': '10' } }, context: {}, expect: false },

  // --- Date operators: § Date condition operators (ISO 8601 or epoch)
  { name: 'DateLessThan with ISO 8601', condition: { DateLessThan: { 'aws:CurrentTime': '2024-12-31T23:59:59Z' } }, context: { 'aws:CurrentTime': T }, expect: true },
  { name: 'DateGreaterThan with ISO 8601', condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-12-31T23:59:59Z' } }, context: { 'aws:CurrentTime': T }, expect: false },
  { name: 'DateGreaterThan with epoch seconds', condition: { DateGreaterThan: { 'aws:EpochTime': '1700000000' } }, context: { 'aws:EpochTime': '1717243200' }, expect: true },
  { name: 'DateEquals across ISO and epoch', condition: { DateEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, context: { 'aws:CurrentTime': '1717243200' }, expect: true },
  { name: 'DateNotEquals', condition: { DateNotEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, context: { 'aws:CurrentTime': T }, expect: false },
  { name: 'DateLessThanEquals at the boundary', condition: { DateLessThanEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, context: { 'aws:CurrentTime': T }, expect: true },
  { name: 'DateGreaterThanEquals with date-only value', condition: { DateGreaterThanEquals: { 'aws:CurrentTime': '2024-06-01' } }, context: { 'aws:CurrentTime': T }, expect: true },
  { name: 'Date between two bounds (both blocks)', condition: { DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2024-02-01T00:00:00Z' } }, context: { 'aws:CurrentTime': T }, expect: false },

  // --- Bool: § Boolean condition operators
  { name: 'Bool true matches boolean context', condition: { Bool: { 'aws:SecureTransport': 'true' } }, context: { 'aws:SecureTransport': true }, expect: true },
  { name: 'Bool false does not match true', condition: { Bool: { 'aws:SecureTransport': 'false' } }, context: { 'aws:SecureTransport': true }, expect: false },
  { name: 'Bool accepts JSON booleans and string context', condition: { Bool: { 'aws:MultiFactorAuthPresent': true } }, context: { 'aws:MultiFactorAuthPresent': 'true' }, expect: true },
  { name: 'Bool with missing key is false (long-term keys have no MFA key)', condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }, context: {}, expect: false },
  { name: 'BoolIfExists with missing key is true', condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, context: {}, expect: true },
  { name: 'BoolIfExists with present key evaluates it', condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, context: { 'aws:MultiFactorAuthPresent': true }, expect: false },

  // --- Binary: § Binary condition operators
  { name: 'BinaryEquals compares base64 values', condition: { BinaryEquals: { 'key:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, context: { 'key:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, expect: true },
  { name: 'BinaryEquals different bytes', condition: { BinaryEquals: { 'key:binary': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } }, context: { 'key:binary': 'b3RoZXI=' }, expect: false },

  // --- IP address: § IP address condition operators (IPv4 and IPv6 CIDR)
  { name: 'IpAddress in IPv4 CIDR', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.113.77' }, expect: true },
  { name: 'IpAddress outside IPv4 CIDR', condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, context: { 'aws:SourceIp': '203.0.114.1' }, expect: false },
  { name: 'IpAddress bare address is /32', condition: { IpAddress: { 'aws:SourceIp': '192.0.2.10' } }, context: { 'aws:SourceIp': '192.0.2.10' }, expect: true },
  { name: 'IpAddress in IPv6 CIDR', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, context: { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }, expect: true },
  { name: 'IpAddress IPv6 outside prefix', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, context: { 'aws:SourceIp': '2001:db8:1234:5679::1' }, expect: false },
  { name: 'IpAddress: IPv4 request vs IPv6 range only', condition: { IpAddress: { 'aws:SourceIp': '2001:DB8::/32' } }, context: { 'aws:SourceIp': '203.0.113.1' }, expect: false },
  { name: 'IpAddress: list with both families', condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:DB8::/32'] } }, context: { 'aws:SourceIp': '2001:db8::42' }, expect: true },
  { name: 'IpAddress: non-octet-aligned prefix /20', condition: { IpAddress: { 'aws:SourceIp': '10.1.16.0/20' } }, context: { 'aws:SourceIp': '10.1.31.255' }, expect: true },
  { name: 'IpAddress: /20 excludes next block', condition: { IpAddress: { 'aws:SourceIp': '10.1.16.0/20' } }, context: { 'aws:SourceIp': '10.1.32.0' }, expect: false },
  { name: 'NotIpAddress outside range is true', condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } }, context: { 'aws:SourceIp': '198.51.100.1' }, expect: true },
  { name: 'NotIpAddress inside range is false', condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] } }, context: { 'aws:SourceIp': '192.0.2.5' }, expect: false },
  { name: 'NotIpAddress missing key is true', condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } }, context: {}, expect: true },

  // --- ARN: § Amazon Resource Name (ARN) condition operators
  { name: 'ArnEquals exact', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:topic' }, expect: true },
  { name: 'ArnLike with wildcard region and account', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:topic' } }, context: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:111122223333:topic' }, expect: true },
  { name: 'ArnEquals also honours wildcards', condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:lambda:*:123456789012:function:*' } }, context: { 'aws:SourceArn': 'arn:aws:lambda:us-east-1:123456789012:function:f1' }, expect: true },
  { name: 'ArnLike: a wildcard stays in its component', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3*' } }, context: { 'aws:SourceArn': 'arn:aws:s3:::bucket' }, expect: false },
  { name: 'ArnLike: non-ARN request value is false', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, context: { 'aws:SourceArn': 'not-an-arn' }, expect: false },
  { name: 'ArnNotEquals different ARN is true', condition: { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:a' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:b' }, expect: true },
  { name: 'ArnNotLike matching ARN is false', condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin*' } }, context: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/AdminTeam' }, expect: false },
  { name: 'ArnNotLike missing key is true', condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Admin*' } }, context: {}, expect: true },

  // --- Null: § Condition operator to check existence of condition keys
  { name: 'Null true: key absent', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, context: {}, expect: true },
  { name: 'Null true: key present', condition: { Null: { 'aws:TokenIssueTime': 'true' } }, context: { 'aws:TokenIssueTime': T }, expect: false },
  { name: 'Null false: key present', condition: { Null: { 'aws:TokenIssueTime': 'false' } }, context: { 'aws:TokenIssueTime': T }, expect: true },
  { name: 'Null false with JSON boolean, key absent', condition: { Null: { 'aws:TokenIssueTime': false } }, context: {}, expect: false },
  { name: 'Null true: empty multivalued key counts as absent', condition: { Null: { 'aws:TagKeys': 'true' } }, context: { 'aws:TagKeys': [] }, expect: true },

  // --- IfExists: § ...IfExists condition operators
  { name: 'StringLikeIfExists missing key is true', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }, context: {}, expect: true },
  { name: 'StringLikeIfExists present and matching', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }, context: { 'ec2:InstanceType': 't2.micro' }, expect: true },
  { name: 'StringLikeIfExists present and not matching', condition: { StringLikeIfExists: { 'ec2:InstanceType': ['t1.*', 't2.*'] } }, context: { 'ec2:InstanceType': 'm5.large' }, expect: false },
  { name: 'StringNotEqualsIfExists missing key is true', condition: { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } }, context: {}, expect: true },
  { name: 'NumericLessThanIfExists missing key is true', condition: { NumericLessThanIfExists: { 's3:max-keys': '10' } }, context: {}, expect: true },
  { name: 'IpAddressIfExists present outside range', condition: { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, context: { 'aws:SourceIp': '192.0.2.1' }, expect: false },
  { name: 'ArnLikeIfExists missing key is true', condition: { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } }, context: {}, expect: true },
  { name: 'DateGreaterThanIfExists missing key is true', condition: { DateGreaterThanIfExists: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' } }, context: {}, expect: true },

  // --- Set operators: "Single-valued vs. multivalued context keys", "Condition operators" § set operators
  { name: 'ForAllValues: all request values in list', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['environment'] }, expect: true },
  { name: 'ForAllValues: one value outside list', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: false },
  { name: 'ForAllValues: missing key is true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: {}, expect: true },
  { name: 'ForAllValues: empty set is true', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': [] }, expect: true },
  { name: 'ForAllValues: single-valued context treated as a set of one', condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': 'owner' }, expect: false },
  { name: 'ForAllValues:StringLike', condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['env*', 'cost*'] } }, context: { 'aws:TagKeys': ['environment', 'cost-center'] }, expect: true },
  { name: 'ForAllValues:StringNotEquals: no request value in list', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret', 'admin'] } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: true },
  { name: 'ForAllValues:StringNotEquals: one request value in list', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret', 'admin'] } }, context: { 'aws:TagKeys': ['environment', 'admin'] }, expect: false },
  { name: 'ForAllValues:StringNotEquals: missing key is true', condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, context: {}, expect: true },
  { name: 'ForAllValues:StringEqualsIgnoreCase', condition: { 'ForAllValues:StringEqualsIgnoreCase': { 'aws:TagKeys': ['Environment'] } }, context: { 'aws:TagKeys': ['ENVIRONMENT', 'environment'] }, expect: true },
  { name: 'ForAnyValue: one request value in list', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['owner', 'environment'] }, expect: true },
  { name: 'ForAnyValue: no request value in list', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment', 'cost-center'] } }, context: { 'aws:TagKeys': ['owner'] }, expect: false },
  { name: 'ForAnyValue: missing key is false', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: {}, expect: false },
  { name: 'ForAnyValue: empty set is false', condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': [] }, expect: false },
  { name: 'ForAnyValue:StringEqualsIfExists: missing key is true', condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['environment'] } }, context: {}, expect: true },
  { name: 'ForAnyValue:StringNotEquals: some value outside list is true', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['environment'] } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: true },
  { name: 'ForAnyValue:StringNotEquals: every value in list is false', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['environment', 'owner'] } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: false },
  { name: 'ForAnyValue:StringNotEquals: missing key is false', condition: { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['environment'] } }, context: {}, expect: false },
  { name: 'ForAnyValue:StringLike', condition: { 'ForAnyValue:StringLike': { 'aws:PrincipalServiceNamesList': '*.amazonaws.com' } }, context: { 'aws:PrincipalServiceNamesList': ['ec2.amazonaws.com', 'other'] }, expect: true },
  { name: 'ForAnyValue:NumericGreaterThan', condition: { 'ForAnyValue:NumericGreaterThan': { 'example:sizes': '100' } }, context: { 'example:sizes': ['5', '500'] }, expect: true },
  { name: 'single-valued operator on a multivalued key: any value matches', condition: { StringEquals: { 'aws:TagKeys': 'owner' } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: true },
  { name: 'negated single-valued operator on a multivalued key: none may match', condition: { StringNotEquals: { 'aws:TagKeys': 'owner' } }, context: { 'aws:TagKeys': ['environment', 'owner'] }, expect: false },

  // --- Policy variables in condition values: "IAM policy elements: Variables and tags"
  { name: 'StringLike with ${aws:username} variable', condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] } }, context: { 's3:prefix': 'home/alice/docs', 'aws:username': 'alice' }, expect: true },
  { name: 'StringLike variable does not match another user', condition: { StringLike: { 's3:prefix': ['home/${aws:username}/*'] } }, context: { 's3:prefix': 'home/bob/docs', 'aws:username': 'alice' }, expect: false },
  { name: 'StringEquals with ${aws:PrincipalTag/team} (ABAC)', condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, context: { 'aws:ResourceTag/team': 'blue', 'aws:PrincipalTag/team': 'blue' }, expect: true },
  { name: 'ABAC tags differ', condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, context: { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'blue' }, expect: false },
  { name: 'variable with missing key and no default never matches', condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } }, context: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' }, expect: false },
  { name: 'variable default value when key missing', condition: { StringEquals: { 'aws:ResourceTag/team': "${aws:PrincipalTag/team, 'company-wide'}" } }, context: { 'aws:ResourceTag/team': 'company-wide' }, expect: true },
  { name: 'variables are literal text in Version 2008-10-17', condition: { StringEquals: { 's3:prefix': '${aws:username}' } }, context: { 's3:prefix': '${aws:username}', 'aws:username': 'alice' }, expect: true, version: '2008-10-17' },
  { name: '${*} is a literal asterisk in StringLike', condition: { StringLike: { 's3:prefix': 'a${*}b' } }, context: { 's3:prefix': 'axyzb' }, expect: false },
  { name: '${*} literal asterisk matches itself', condition: { StringLike: { 's3:prefix': 'a${*}b' } }, context: { 's3:prefix': 'a*b' }, expect: true },
  { name: 'substituted value is literal, not a wildcard', condition: { StringLike: { 's3:prefix': '${aws:username}' } }, context: { 's3:prefix': 'alice', 'aws:username': '*' }, expect: false },
  { name: 'ArnLike with ${aws:PrincipalAccount}', condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:${aws:PrincipalAccount}:*' } }, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:123456789012:t', 'aws:PrincipalAccount': '123456789012' }, expect: true },
];
