/**
 * Whole-request evaluation cases: which policies apply, deny precedence, boundaries, session
 * policies, resource policies within and across accounts, root, anonymous and service callers,
 * and the resulting AccessDenied message.
 */
import type { PrincipalInfo } from '../../../../src/iam/policy/compile.ts';
import type { RequestContext } from '../../../../src/iam/policy/context.ts';
import type { DecisionReason } from '../../../../src/iam/policy/evaluate.ts';

export const HOME = '111111111111';
export const OTHER = '222222222222';

export const principals = {
  alice: { type: 'user', arn: `arn:aws:iam::${HOME}:user/alice`, accountId: HOME },
  session: { type: 'assumed-role', arn: `arn:aws:sts::${HOME}:assumed-role/AppRole/sess1`, roleArn: `arn:aws:iam::${HOME}:role/app/AppRole`, accountId: HOME },
  fed: { type: 'federated-user', arn: `arn:aws:sts::${HOME}:federated-user/bob`, userArn: `arn:aws:iam::${HOME}:user/bob-admin`, accountId: HOME },
  root: { type: 'root', arn: `arn:aws:iam::${HOME}:root`, accountId: HOME },
  otherRoot: { type: 'root', arn: `arn:aws:iam::${OTHER}:root`, accountId: OTHER },
  anonymous: { type: 'anonymous', arn: '*', accountId: HOME },
  lambda: { type: 'service', arn: 'lambda.amazonaws.com', accountId: HOME },
  carol: { type: 'user', arn: `arn:aws:iam::${OTHER}:user/carol`, accountId: OTHER },
  webIdentity: { type: 'anonymous', arn: '*', accountId: HOME, identityProvider: 'cognito-identity.amazonaws.com' },
} satisfies Record<string, PrincipalInfo>;

type S = Record<string, unknown>;

export interface EvaluationCase {
  name: string;
  principal: keyof typeof principals;
  identity?: S[][];
  resourcePolicy?: S[];
  trust?: S[];
  boundary?: S[];
  session?: S[][];
  action: string;
  resource: string;
  resourceAccount?: string;
  context?: RequestContext;
  expect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  reason: DecisionReason;
  /** The AccessDenied message, for denials. */
  message?: string;
}

const allowAll: S = { Effect: 'Allow', Action: '*', Resource: '*' };
const allowS3: S = { Effect: 'Allow', Action: 's3:*', Resource: '*' };
const denyS3Delete: S = { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' };
const BUCKET = 'arn:aws:s3:::home-bucket';
const OBJ = `${BUCKET}/k`;
const bucketAllow = (principal: unknown, action = 's3:GetObject'): S => ({ Effect: 'Allow', Principal: principal, Action: action, Resource: `${BUCKET}/*` });

export const evaluationCases: EvaluationCase[] = [
  // --- Identity policies and deny precedence: "Policy evaluation logic", "The difference between explicit and implicit denies"
  { name: 'no policies: implicit deny', principal: 'alice', action: 'iam:CreateUser', resource: `arn:aws:iam::${HOME}:user/bob`, expect: 'ImplicitDeny', reason: 'no-identity-allow',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${HOME}:user/bob because no identity-based policy allows the iam:CreateUser action` },
  { name: 'identity allow', principal: 'alice', identity: [[allowS3]], action: 's3:GetObject', resource: OBJ, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'allow in one policy, deny in another: deny wins', principal: 'alice', identity: [[allowS3], [denyS3Delete]], action: 's3:DeleteObject', resource: OBJ, expect: 'ExplicitDeny', reason: 'explicit-deny-identity',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: s3:DeleteObject on resource: ${OBJ} with an explicit deny in an identity-based policy` },
  { name: 'deny of another action does not affect this one', principal: 'alice', identity: [[allowS3, denyS3Delete]], action: 's3:PutObject', resource: OBJ, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'deny with a failing condition does not apply', principal: 'alice', identity: [[allowS3, { ...denyS3Delete, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } }]], action: 's3:DeleteObject', resource: OBJ, context: { 'aws:MultiFactorAuthPresent': true }, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'allow with a failing condition: implicit deny', principal: 'alice', identity: [[{ ...allowS3, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }]], action: 's3:GetObject', resource: OBJ, context: { 'aws:SourceIp': '192.0.2.1' }, expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'region restriction with Deny StringNotEquals', principal: 'alice', identity: [[allowAll, { Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } } }]], action: 'ec2:RunInstances', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, expect: 'ExplicitDeny', reason: 'explicit-deny-identity',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: ec2:RunInstances with an explicit deny in an identity-based policy` },
  { name: 'no "on resource" for actions without resource-level permissions', principal: 'alice', action: 'ec2:DescribeInstances', resource: '*', expect: 'ImplicitDeny', reason: 'no-identity-allow',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: ec2:DescribeInstances because no identity-based policy allows the ec2:DescribeInstances action` },

  // --- Permissions boundaries: "Permissions boundaries for IAM entities"
  { name: 'boundary and identity both allow', principal: 'alice', identity: [[allowAll]], boundary: [allowS3], action: 's3:GetObject', resource: OBJ, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'boundary does not allow: implicit deny', principal: 'alice', identity: [[allowAll]], boundary: [allowS3], action: 'iam:CreateUser', resource: `arn:aws:iam::${HOME}:user/x`, expect: 'ImplicitDeny', reason: 'boundary',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${HOME}:user/x because no permissions boundary allows the iam:CreateUser action` },
  { name: 'boundary alone grants nothing', principal: 'alice', boundary: [allowAll], action: 's3:GetObject', resource: OBJ, expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'explicit deny in the boundary', principal: 'alice', identity: [[allowAll]], boundary: [allowAll, denyS3Delete], action: 's3:DeleteObject', resource: OBJ, expect: 'ExplicitDeny', reason: 'explicit-deny-boundary',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: s3:DeleteObject on resource: ${OBJ} with an explicit deny in a permissions boundary` },
  { name: 'boundary on a role session', principal: 'session', identity: [[allowAll]], boundary: [allowS3], action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${HOME}:q`, expect: 'ImplicitDeny', reason: 'boundary' },

  // --- Session policies: "Session policies"
  { name: 'session policy and identity both allow', principal: 'session', identity: [[allowAll]], session: [[allowS3]], action: 's3:GetObject', resource: OBJ, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'session policy does not allow', principal: 'session', identity: [[allowAll]], session: [[allowS3]], action: 'iam:ListUsers', resource: '*', expect: 'ImplicitDeny', reason: 'session',
    message: `User: arn:aws:sts::${HOME}:assumed-role/AppRole/sess1 is not authorized to perform: iam:ListUsers because no session policy allows the iam:ListUsers action` },
  { name: 'several session policies are a union', principal: 'session', identity: [[allowAll]], session: [[allowS3], [{ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }]], action: 'iam:ListUsers', resource: '*', expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'session policy cannot exceed identity', principal: 'session', identity: [[allowS3]], session: [[allowAll]], action: 'iam:ListUsers', resource: '*', expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'explicit deny in a session policy', principal: 'session', identity: [[allowAll]], session: [[allowAll, denyS3Delete]], action: 's3:DeleteObject', resource: OBJ, expect: 'ExplicitDeny', reason: 'explicit-deny-session',
    message: `User: arn:aws:sts::${HOME}:assumed-role/AppRole/sess1 is not authorized to perform: s3:DeleteObject on resource: ${OBJ} with an explicit deny in a session policy` },
  { name: 'federated user without session policy has no permissions', principal: 'fed', identity: [[allowAll]], session: [], action: 's3:GetObject', resource: OBJ, expect: 'ImplicitDeny', reason: 'session' },

  // --- Resource-based policies within one account: "Policy evaluation for requests within a single account", "How AWS enforcement code logic evaluates requests"
  { name: 'bucket policy naming the user allows without identity policy', principal: 'alice', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:user/alice` })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'bucket policy naming the user is not limited by the boundary', principal: 'alice', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:user/alice` })], boundary: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'bucket policy naming the role session ARN is final', principal: 'session', resourcePolicy: [bucketAllow({ AWS: `arn:aws:sts::${HOME}:assumed-role/AppRole/sess1` })], boundary: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }], session: [[{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'bucket policy naming the role ARN allows without identity policy', principal: 'session', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:role/app/AppRole` })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'bucket policy naming the role ARN is limited by the boundary', principal: 'session', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:role/app/AppRole` })], boundary: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'boundary',
    message: `User: arn:aws:sts::${HOME}:assumed-role/AppRole/sess1 is not authorized to perform: s3:GetObject on resource: ${OBJ} because no permissions boundary allows the s3:GetObject action` },
  { name: 'bucket policy naming the role ARN is limited by a session policy', principal: 'session', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:role/app/AppRole` })], session: [[{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'session' },
  { name: 'federated session: policy naming the IAM user is limited by the session policy', principal: 'fed', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:user/bob-admin` })], session: [[{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'session' },
  { name: 'federated session: policy naming the session ARN is final', principal: 'fed', resourcePolicy: [bucketAllow({ AWS: `arn:aws:sts::${HOME}:federated-user/bob` })], session: [], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'policy naming the account delegates to identity policies (none here)', principal: 'alice', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:root` })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'policy naming the account id plus identity allow', principal: 'alice', resourcePolicy: [bucketAllow({ AWS: HOME })], identity: [[allowS3]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'policy naming someone else: identity decides', principal: 'alice', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${HOME}:user/bob` })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'explicit deny in the bucket policy beats identity allow', principal: 'alice', identity: [[allowS3]], resourcePolicy: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${BUCKET}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, context: { 'aws:SecureTransport': false }, expect: 'ExplicitDeny', reason: 'explicit-deny-resource',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: s3:GetObject on resource: ${OBJ} with an explicit deny in a resource-based policy` },
  { name: 'Deny NotPrincipal listing the user and account exempts the user', principal: 'alice', identity: [[allowS3]], resourcePolicy: [{ Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${HOME}:user/alice`, `arn:aws:iam::${HOME}:root`] }, Action: 's3:*', Resource: `${BUCKET}/*` }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-identity' },
  { name: 'Deny NotPrincipal without the account still denies the user', principal: 'alice', identity: [[allowS3]], resourcePolicy: [{ Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${HOME}:user/alice`] }, Action: 's3:*', Resource: `${BUCKET}/*` }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ExplicitDeny', reason: 'explicit-deny-resource' },
  { name: 'Deny NotPrincipal applies to other principals', principal: 'session', identity: [[allowS3]], resourcePolicy: [{ Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${HOME}:user/alice`, `arn:aws:iam::${HOME}:root`] }, Action: 's3:*', Resource: `${BUCKET}/*` }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ExplicitDeny', reason: 'explicit-deny-resource' },
  { name: 'resource policy statement for another action', principal: 'alice', resourcePolicy: [bucketAllow('*', 's3:PutObject')], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-identity-allow' },

  // --- Cross-account: "Cross-account policy evaluation logic"
  { name: 'cross-account: both sides allow', principal: 'carol', identity: [[allowS3]], resourcePolicy: [bucketAllow({ AWS: OTHER })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'cross-account: resource policy alone is not enough', principal: 'carol', resourcePolicy: [bucketAllow({ AWS: `arn:aws:iam::${OTHER}:user/carol` })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-identity-allow',
    message: `User: arn:aws:iam::${OTHER}:user/carol is not authorized to perform: s3:GetObject on resource: ${OBJ}` },
  { name: 'cross-account: identity alone is not enough', principal: 'carol', identity: [[allowS3]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
  { name: 'cross-account: resource policy for another account', principal: 'carol', identity: [[allowS3]], resourcePolicy: [bucketAllow({ AWS: '333333333333' })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
  { name: 'cross-account: caller boundary still applies', principal: 'carol', identity: [[allowS3]], boundary: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }], resourcePolicy: [bucketAllow({ AWS: OTHER })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'boundary' },
  { name: 'cross-account: explicit deny in the resource policy', principal: 'carol', identity: [[allowS3]], resourcePolicy: [bucketAllow({ AWS: OTHER }), { Effect: 'Deny', Principal: { AWS: OTHER }, Action: 's3:GetObject', Resource: `${BUCKET}/*` }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ExplicitDeny', reason: 'explicit-deny-resource' },
  { name: 'cross-account: Principal "*" with identity allow', principal: 'carol', identity: [[allowS3]], resourcePolicy: [bucketAllow('*')], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },

  // --- Role trust policies: "How IAM roles differ from resource-based policies", "Cross-account policy evaluation logic"
  { name: 'trust policy naming the user in the same account', principal: 'alice', trust: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HOME}:user/alice` }, Action: 'sts:AssumeRole' }], action: 'sts:AssumeRole', resource: `arn:aws:iam::${HOME}:role/Admin`, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'trust policy naming the account needs identity allow', principal: 'alice', trust: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HOME}:root` }, Action: 'sts:AssumeRole' }], action: 'sts:AssumeRole', resource: `arn:aws:iam::${HOME}:role/Admin`, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-identity-allow' },
  { name: 'identity allow without trust: trust policy must allow', principal: 'alice', identity: [[{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]], trust: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }], action: 'sts:AssumeRole', resource: `arn:aws:iam::${HOME}:role/Admin`, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow',
    message: `User: arn:aws:iam::${HOME}:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${HOME}:role/Admin because no resource-based policy allows the sts:AssumeRole action` },
  { name: 'cross-account assume role denied by trust policy', principal: 'carol', identity: [[allowAll]], trust: [{ Effect: 'Allow', Principal: { AWS: HOME }, Action: 'sts:AssumeRole' }], action: 'sts:AssumeRole', resource: `arn:aws:iam::${HOME}:role/Admin`, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow',
    message: `User: arn:aws:iam::${OTHER}:user/carol is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${HOME}:role/Admin` },
  { name: 'service principal in a trust policy', principal: 'lambda', trust: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }], action: 'sts:AssumeRole', resource: `arn:aws:iam::${HOME}:role/fn`, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'web identity federated principal in a trust policy', principal: 'webIdentity', trust: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool' } } }], action: 'sts:AssumeRoleWithWebIdentity', resource: `arn:aws:iam::${HOME}:role/web`, context: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:pool' }, expect: 'Allow', reason: 'allowed-by-resource' },

  // --- Root user: "AWS account root user"; "How AWS enforcement code logic evaluates requests"
  { name: 'root is allowed without policies', principal: 'root', action: 'iam:CreateUser', resource: `arn:aws:iam::${HOME}:user/x`, expect: 'Allow', reason: 'root' },
  { name: 'root ignores identity denies (none attachable) but not bucket policy denies', principal: 'root', resourcePolicy: [{ Effect: 'Deny', Principal: '*', Action: 's3:DeleteBucket', Resource: BUCKET }], action: 's3:DeleteBucket', resource: BUCKET, resourceAccount: HOME, expect: 'ExplicitDeny', reason: 'explicit-deny-resource' },
  { name: 'root of another account needs the resource policy', principal: 'otherRoot', action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
  { name: 'root of another account named by account id', principal: 'otherRoot', resourcePolicy: [bucketAllow({ AWS: OTHER })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },

  // --- Anonymous and service principals: "AWS JSON policy elements: Principal" § Anonymous (public) access, § AWS service principals
  { name: 'anonymous allowed by Principal "*"', principal: 'anonymous', resourcePolicy: [bucketAllow('*')], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'anonymous allowed by {"AWS": "*"}', principal: 'anonymous', resourcePolicy: [bucketAllow({ AWS: '*' })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'anonymous not matched by an account principal', principal: 'anonymous', resourcePolicy: [bucketAllow({ AWS: HOME })], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow',
    message: `User: anonymous is not authorized to perform: s3:GetObject on resource: ${OBJ} because no resource-based policy allows the s3:GetObject action` },
  { name: 'anonymous without resource policy', principal: 'anonymous', identity: [[allowAll]], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
  { name: 'public read with IP condition', principal: 'anonymous', resourcePolicy: [{ ...bucketAllow('*'), Condition: { IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }], action: 's3:GetObject', resource: OBJ, resourceAccount: HOME, context: { 'aws:SourceIp': '198.51.100.7' }, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
  { name: 'service principal allowed by Service', principal: 'lambda', resourcePolicy: [{ Effect: 'Allow', Principal: { Service: 'Lambda.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:${HOME}:q`, Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:lambda:us-east-1:${HOME}:function:f` } } }], action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${HOME}:q`, context: { 'aws:SourceArn': `arn:aws:lambda:us-east-1:${HOME}:function:f` }, expect: 'Allow', reason: 'allowed-by-resource' },
  { name: 'service principal not named', principal: 'lambda', resourcePolicy: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '*' }], action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${HOME}:q`, expect: 'ImplicitDeny', reason: 'no-resource-allow' },
];
