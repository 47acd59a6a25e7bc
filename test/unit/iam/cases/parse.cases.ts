/**
 * Policy validation cases: documents IAM rejects, with the exact MalformedPolicyDocument message,
 * and documents it accepts. Grammar: "Grammar of the IAM JSON policy language"; element rules:
 * "IAM JSON policy elements reference"; messages as IAM returns them (quoted in public issue
 * threads, e.g. hashicorp/terraform-provider-aws#10419, aws/aws-cdk#7615, kubernetes/kops#4951).
 */
import type { PolicyKind } from '../../../../src/iam/policy/types.ts';

export interface ParseErrorCase {
  name: string;
  kind: PolicyKind;
  document: unknown;
  message: string;
}

export interface ParseOkCase {
  name: string;
  kind: PolicyKind;
  document: unknown;
  /** Spot checks on the parsed result. */
  statements: number;
  version: '2012-10-17' | '2008-10-17';
}

const V = '2012-10-17';
const allow = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };

export const parseErrorCases: ParseErrorCase[] = [
  // Structure
  { name: 'invalid JSON', kind: 'identity', document: '{"Version": "2012-10-17", "Statement": [', message: 'Syntax errors in policy.' },
  { name: 'top level is an array', kind: 'identity', document: '[]', message: 'Syntax errors in policy.' },
  { name: 'unknown top-level element', kind: 'identity', document: { Version: V, Statement: [allow], Condition: {} }, message: 'Syntax errors in policy.' },
  { name: 'missing Statement', kind: 'identity', document: { Version: V }, message: 'Syntax errors in policy.' },
  { name: 'empty Statement list', kind: 'identity', document: { Version: V, Statement: [] }, message: 'Syntax errors in policy.' },
  { name: 'unknown statement element', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Actions: 's3:*' }] }, message: 'Syntax errors in policy.' },
  { name: 'invalid Version', kind: 'identity', document: { Version: '2012-10-18', Statement: [allow] }, message: 'The policy must contain a valid version string' },
  { name: 'Version as a number', kind: 'identity', document: { Version: 2012, Statement: [allow] }, message: 'The policy must contain a valid version string' },
  { name: 'Effect lower case', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Effect: 'allow' }] }, message: 'Syntax errors in policy.' },
  { name: 'Effect missing', kind: 'identity', document: { Version: V, Statement: [{ Action: 's3:*', Resource: '*' }] }, message: 'Syntax errors in policy.' },
  { name: 'Action and NotAction together', kind: 'identity', document: { Version: V, Statement: [{ ...allow, NotAction: 'iam:*' }] }, message: 'Syntax errors in policy.' },
  { name: 'Resource and NotResource together', kind: 'identity', document: { Version: V, Statement: [{ ...allow, NotResource: 'arn:aws:s3:::b' }] }, message: 'Syntax errors in policy.' },
  { name: 'Action that is not a string', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Action: [1] }] }, message: 'Syntax errors in policy.' },
  // Action ("IAM JSON policy elements: Action")
  { name: 'no Action', kind: 'identity', document: { Version: V, Statement: [{ Effect: 'Allow', Resource: '*' }] }, message: 'Policy statement must contain actions.' },
  { name: 'empty Action list', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Action: [] }] }, message: 'Policy statement must contain actions.' },
  { name: 'action without vendor', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Action: 'GetObject' }] }, message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' },
  { name: 'action with two colons', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Action: 's3:Get:Object' }] }, message: 'Actions/Condition can contain only one colon.' },
  { name: 'action vendor with wildcard', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Action: '*:Untag*' }] }, message: 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards' },
  // Resource ("IAM JSON policy elements: Resource")
  { name: 'no Resource in identity policy', kind: 'identity', document: { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*' }] }, message: 'Policy statement must contain resources.' },
  { name: 'no Resource in permissions boundary', kind: 'boundary', document: { Version: V, Statement: [{ Effect: 'Allow', Action: 's3:*' }] }, message: 'Policy statement must contain resources.' },
  { name: 'resource not an ARN', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Resource: 'my-bucket' }] }, message: 'Resource my-bucket must be in ARN format or "*".' },
  { name: 'ARN with too few parts', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Resource: 'arn:aws:iam:123456789012:user/x' }] }, message: 'Resource arn:aws:iam:123456789012:user/x must be in ARN format or "*".' },
  { name: 'bad resource under the legacy language', kind: 'identity', document: { Statement: [{ ...allow, Resource: 'arn:aws:iam:123456789012:user/x' }] }, message: 'The policy failed legacy parsing' },
  { name: 'IAM resource with a region', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Resource: 'arn:aws:iam:us-east-1:123456789012:role/x' }] }, message: 'IAM resource arn:aws:iam:us-east-1:123456789012:role/x cannot contain region information.' },
  // Principal ("IAM JSON policy elements: Principal")
  { name: 'Principal in an identity policy', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Principal: { AWS: '123456789012' } }] }, message: 'Policy document should not specify a principal.' },
  { name: 'NotPrincipal in a session policy', kind: 'session', document: { Version: V, Statement: [{ ...allow, NotPrincipal: { AWS: '123456789012' } }] }, message: 'Policy document should not specify a principal.' },
  { name: 'trust policy without Principal', kind: 'trust', document: { Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }, message: 'Missing required field Principal' },
  { name: 'bucket policy without Principal', kind: 'resource', document: { Version: V, Statement: [allow] }, message: 'Missing required field Principal' },
  { name: 'trust policy with Resource', kind: 'trust', document: { Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' }, Resource: '*' }] }, message: 'Has prohibited field Resource' },
  { name: 'invalid AWS principal', kind: 'trust', document: { Version: V, Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'alice' } }] }, message: 'Invalid principal in policy: "AWS":"alice"' },
  { name: 'unknown principal type', kind: 'resource', document: { Version: V, Statement: [{ ...allow, Principal: { Aws: '*' } }] }, message: 'Syntax errors in policy.' },
  // Sid ("IAM JSON policy elements: Sid")
  { name: 'duplicate Sid', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Sid: 'A1' }, { ...allow, Sid: 'A1' }] }, message: 'Statement IDs (SID) in a single policy must be unique.' },
  { name: 'non-alphanumeric Sid', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Sid: 'autogenerated-id' }] }, message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*' },
  // Condition ("IAM JSON policy elements: Condition")
  { name: 'condition key without operator', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { 'servicecatalog:accountLevel': 'self' } }] }, message: 'Syntax errors in policy.' },
  { name: 'unknown condition operator', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { StringEqualsBad: { 'aws:username': 'a' } } }] }, message: 'Syntax errors in policy.' },
  { name: 'condition key without vendor', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { StringEquals: { username: 'a' } } }] }, message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' },
  { name: 'condition value is an object', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }] }, message: 'Syntax errors in policy.' },
];

export const parseOkCases: ParseOkCase[] = [
  { name: 'single statement object, single values', kind: 'identity', document: { Version: V, Statement: allow }, statements: 1, version: V },
  { name: 'no Version defaults to 2008-10-17', kind: 'identity', document: { Statement: [allow] }, statements: 1, version: '2008-10-17' },
  { name: 'Version 2008-10-17', kind: 'identity', document: { Version: '2008-10-17', Statement: [allow, allow] }, statements: 2, version: '2008-10-17' },
  { name: 'NotAction / NotResource', kind: 'identity', document: { Version: V, Statement: [{ Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::b/*' }] }, statements: 1, version: V },
  { name: 'trust policy with service principal', kind: 'trust', document: { Version: V, Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }] }, statements: 1, version: V },
  { name: 'trust policy with federated principal', kind: 'trust', document: { Version: V, Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }] }, statements: 1, version: V },
  { name: 'bucket policy with "*" principal and canonical user', kind: 'resource', document: { Version: V, Statement: [{ ...allow, Principal: '*' }, { ...allow, Principal: { CanonicalUser: 'abc123' } }] }, statements: 2, version: V },
  { name: 'bucket policy Sids may contain spaces', kind: 'resource', document: { Version: V, Statement: [{ ...allow, Sid: 'Public read', Principal: { AWS: ['arn:aws:iam::123456789012:root', '111122223333'] } }] }, statements: 1, version: V },
  { name: 'condition with tag key containing colons', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { StringEquals: { 'aws:ResourceTag/aws:cloudformation:stack-name': 's' } } }] }, statements: 1, version: V },
  { name: 'JSON booleans and numbers as condition values', kind: 'identity', document: { Version: V, Statement: [{ ...allow, Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 's3:max-keys': 10 } } }] }, statements: 1, version: V },
];
