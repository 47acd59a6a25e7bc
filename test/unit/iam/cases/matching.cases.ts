/**
 * Action / Resource matching cases through an identity policy of the user alice
 * (arn:aws:iam::123456789012:user/alice). `expect` is the decision's effect.
 */
import type { RequestContext } from '../../../../src/iam/policy/context.ts';

export interface MatchingCase {
  name: string;
  statements: Record<string, unknown>[];
  version?: '2012-10-17' | '2008-10-17' | null;
  action: string;
  resource: string;
  context?: RequestContext;
  expect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
}

const A = (Action: unknown, Resource: unknown = '*') => ({ Effect: 'Allow', Action, Resource });

export const matchingCases: MatchingCase[] = [
  // --- Action: "IAM JSON policy elements: Action" (case-insensitive, * and ? wildcards)
  { name: 'exact action', statements: [A('iam:CreateUser')], action: 'iam:CreateUser', resource: '*', expect: 'Allow' },
  { name: 'action names are case-insensitive', statements: [A('IAM:createuser')], action: 'iam:CreateUser', resource: '*', expect: 'Allow' },
  { name: 'different action', statements: [A('iam:CreateUser')], action: 'iam:DeleteUser', resource: '*', expect: 'ImplicitDeny' },
  { name: 'service wildcard', statements: [A('s3:*')], action: 's3:PutObject', resource: '*', expect: 'Allow' },
  { name: 'service wildcard does not cross services', statements: [A('s3:*')], action: 'sqs:SendMessage', resource: '*', expect: 'ImplicitDeny' },
  { name: 'prefix wildcard', statements: [A('iam:List*')], action: 'iam:ListUsers', resource: '*', expect: 'Allow' },
  { name: 'prefix wildcard is case-insensitive', statements: [A('iam:list*')], action: 'iam:ListUsers', resource: '*', expect: 'Allow' },
  { name: 'infix wildcard', statements: [A('iam:*AccessKey*')], action: 'iam:UpdateAccessKey', resource: '*', expect: 'Allow' },
  { name: '? matches one character', statements: [A('ec2:Describe?pcs')], action: 'ec2:DescribeVpcs', resource: '*', expect: 'Allow' },
  { name: 'everything', statements: [A('*')], action: 'dynamodb:PutItem', resource: 'arn:aws:dynamodb:us-east-1:123456789012:table/t', expect: 'Allow' },
  { name: 'action list', statements: [A(['sqs:SendMessage', 'sqs:ReceiveMessage'])], action: 'sqs:ReceiveMessage', resource: '*', expect: 'Allow' },
  { name: 'similar prefix of another service', statements: [A('s3:*')], action: 's3express:CreateSession', resource: '*', expect: 'ImplicitDeny' },
  // --- NotAction: "IAM JSON policy elements: NotAction"
  { name: 'Allow NotAction grants other actions', statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], action: 's3:GetObject', resource: '*', expect: 'Allow' },
  { name: 'Allow NotAction does not grant the listed ones', statements: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }], action: 'iam:CreateUser', resource: '*', expect: 'ImplicitDeny' },
  {
    name: 'Deny NotAction: deny everything except IAM self-service (MFA example)',
    statements: [A('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:GetUser'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
    action: 's3:ListAllMyBuckets',
    resource: '*',
    context: { 'aws:MultiFactorAuthPresent': false },
    expect: 'ExplicitDeny',
  },
  {
    name: 'Deny NotAction leaves the listed actions to the Allow',
    statements: [A('*'), { Effect: 'Deny', NotAction: ['iam:ChangePassword', 'iam:GetUser'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
    action: 'iam:ChangePassword',
    resource: 'arn:aws:iam::123456789012:user/alice',
    context: { 'aws:MultiFactorAuthPresent': false },
    expect: 'Allow',
  },

  // --- Resource: "IAM JSON policy elements: Resource" (case-sensitive, ARN segments)
  { name: 'exact resource ARN', statements: [A('s3:GetObject', 'arn:aws:s3:::bucket/key')], action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', expect: 'Allow' },
  { name: 'resource ARNs are case-sensitive', statements: [A('s3:GetObject', 'arn:aws:s3:::Bucket/key')], action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/key', expect: 'ImplicitDeny' },
  { name: 'object wildcard in bucket', statements: [A('s3:GetObject', 'arn:aws:s3:::bucket/*')], action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/a/b/c.txt', expect: 'Allow' },
  { name: 'bucket/* does not match the bucket itself', statements: [A('s3:ListBucket', 'arn:aws:s3:::bucket/*')], action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', expect: 'ImplicitDeny' },
  { name: 'wildcard account segment', statements: [A('iam:GetUser', 'arn:aws:iam::*:user/alice')], action: 'iam:GetUser', resource: 'arn:aws:iam::123456789012:user/alice', expect: 'Allow' },
  { name: 'user path wildcard', statements: [A('iam:GetUser', 'arn:aws:iam::123456789012:user/division_abc/*')], action: 'iam:GetUser', resource: 'arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/bob', expect: 'Allow' },
  { name: 'segment wildcard does not span a colon mid-segment', statements: [A('logs:PutLogEvents', 'arn:aws:logs:us-*-1:123456789012:log-group:g')], action: 'logs:PutLogEvents', resource: 'arn:aws:logs:us-east:x-1:123456789012:log-group:g', expect: 'ImplicitDeny' },
  { name: '* ending a segment expands beyond the colon', statements: [A('iam:GetUser', 'arn:aws:iam::123456789012:u*')], action: 'iam:GetUser', resource: 'arn:aws:iam::123456789012:user/David', expect: 'Allow' },
  { name: 'wildcard region and resource segments', statements: [A('sqs:*', 'arn:aws:sqs:*:123456789012:*')], action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:123456789012:queue1', expect: 'Allow' },
  { name: 'resource part * crosses colons', statements: [A('logs:*', 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*')], action: 'logs:PutLogEvents', resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:2024/01/01', expect: 'Allow' },
  { name: '? in resource matches one character', statements: [A('s3:GetObject', 'arn:aws:s3:::bucket/file?.txt')], action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/file1.txt', expect: 'Allow' },
  { name: 'ARN pattern does not match "*" resource', statements: [A('iam:ListUsers', 'arn:aws:iam::123456789012:user/*')], action: 'iam:ListUsers', resource: '*', expect: 'ImplicitDeny' },
  { name: 'resource list', statements: [A('s3:*', ['arn:aws:s3:::a', 'arn:aws:s3:::b'])], action: 's3:ListBucket', resource: 'arn:aws:s3:::b', expect: 'Allow' },
  // --- NotResource: "IAM JSON policy elements: NotResource"
  { name: 'Allow NotResource grants other resources', statements: [{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }], action: 's3:GetObject', resource: 'arn:aws:s3:::public/x', expect: 'Allow' },
  { name: 'Allow NotResource excludes listed', statements: [{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }], action: 's3:GetObject', resource: 'arn:aws:s3:::secret/x', expect: 'ImplicitDeny' },
  { name: 'Deny NotResource denies everything outside', statements: [A('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::home', 'arn:aws:s3:::home/*'] }], action: 's3:GetObject', resource: 'arn:aws:s3:::other/x', expect: 'ExplicitDeny' },
  { name: 'Deny NotResource lets listed through', statements: [A('s3:*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::home', 'arn:aws:s3:::home/*'] }], action: 's3:GetObject', resource: 'arn:aws:s3:::home/x', expect: 'Allow' },

  // --- Policy variables in Resource: "IAM policy elements: Variables and tags"
  { name: '${aws:username} in a user ARN', statements: [A('iam:*AccessKey*', 'arn:aws:iam::*:user/${aws:username}')], action: 'iam:CreateAccessKey', resource: 'arn:aws:iam::123456789012:user/alice', context: { 'aws:username': 'alice' }, expect: 'Allow' },
  { name: '${aws:username} does not match another user', statements: [A('iam:*AccessKey*', 'arn:aws:iam::*:user/${aws:username}')], action: 'iam:CreateAccessKey', resource: 'arn:aws:iam::123456789012:user/bob', context: { 'aws:username': 'alice' }, expect: 'ImplicitDeny' },
  { name: 'variable names are case-insensitive', statements: [A('s3:*', 'arn:aws:s3:::bucket/home/${AWS:UserName}/*')], action: 's3:PutObject', resource: 'arn:aws:s3:::bucket/home/alice/f', context: { 'aws:username': 'alice' }, expect: 'Allow' },
  { name: 'missing variable: the resource never matches', statements: [A('s3:*', 'arn:aws:s3:::bucket/home/${aws:username}/*')], action: 's3:PutObject', resource: 'arn:aws:s3:::bucket/home//f', context: {}, expect: 'ImplicitDeny' },
  { name: '${aws:PrincipalTag/team} in a bucket name', statements: [A('s3:*', 'arn:aws:s3:::example-${aws:PrincipalTag/team}/*')], action: 's3:GetObject', resource: 'arn:aws:s3:::example-yellow/x', context: { 'aws:PrincipalTag/team': 'yellow' }, expect: 'Allow' },
  { name: 'variable default value', statements: [A('s3:*', "arn:aws:s3:::example-${aws:PrincipalTag/team, 'company-wide'}/*")], action: 's3:GetObject', resource: 'arn:aws:s3:::example-company-wide/x', context: {}, expect: 'Allow' },
  { name: 'substituted value with * is literal', statements: [A('s3:*', 'arn:aws:s3:::b/${aws:username}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/anything', context: { 'aws:username': '*' }, expect: 'ImplicitDeny' },
  { name: '${*} is a literal asterisk in a resource', statements: [A('s3:*', 'arn:aws:s3:::b/${*}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/*', expect: 'Allow' },
  { name: '${*} does not act as a wildcard', statements: [A('s3:*', 'arn:aws:s3:::b/${*}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/x', expect: 'ImplicitDeny' },
  { name: '${$} is a literal dollar', statements: [A('s3:*', 'arn:aws:s3:::b/${$}x')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/$x', expect: 'Allow' },
  { name: 'variables are plain text without a Version', version: null, statements: [A('s3:*', 'arn:aws:s3:::b/${aws:username}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/${aws:username}', context: { 'aws:username': 'alice' }, expect: 'Allow' },
  { name: 'variables are plain text in 2008-10-17', version: '2008-10-17', statements: [A('s3:*', 'arn:aws:s3:::b/${aws:username}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/alice', context: { 'aws:username': 'alice' }, expect: 'ImplicitDeny' },
  { name: 'multivalued key is not a usable variable', statements: [A('s3:*', 'arn:aws:s3:::b/${aws:TagKeys}')], action: 's3:GetObject', resource: 'arn:aws:s3:::b/a', context: { 'aws:TagKeys': ['a'] }, expect: 'ImplicitDeny' },
];
