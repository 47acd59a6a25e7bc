/**
 * A store with one of each IAM entity (with paths, tags and permissions boundaries), and a
 * representative input for any operation, for checking authorization tables.
 */
import type { RequestContext } from '../../../src/core/context.ts';
import { iamHandlers } from '../../../src/services/iam/index.ts';
import type { ServiceDefinition } from '../../../src/services/types.ts';
import { loadServiceModel } from '../../../src/generated/load-model.ts';
import type { ServiceModel } from '../../../src/protocols/model.ts';
import { ACCOUNT, ROOT, openTestEnv, userPrincipal, TRUST_EC2, ALLOW_S3, type TestEnv } from '../iam-service/helpers.ts';

export { ACCOUNT };

export const ARNS = {
  alice: `arn:aws:iam::${ACCOUNT}:user/team/alice`,
  app: `arn:aws:iam::${ACCOUNT}:role/svc/app`,
  devs: `arn:aws:iam::${ACCOUNT}:group/g/devs`,
  policy: `arn:aws:iam::${ACCOUNT}:policy/p/pol`,
  boundary: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
  profile: `arn:aws:iam::${ACCOUNT}:instance-profile/ip/prof`,
  mfa: `arn:aws:iam::${ACCOUNT}:mfa/alice-mfa`,
};

export interface SeededEnv extends TestEnv {
  /** A context whose caller is the IAM user alice (path /team/). */
  alice: RequestContext;
  accessKeyId: string;
}

export async function openSeededEnv(): Promise<SeededEnv> {
  const env = await openTestEnv();
  const root = env.ctx(ROOT);
  const h = iamHandlers;
  await h.CreatePolicy({ PolicyName: 'boundary', PolicyDocument: ALLOW_S3 }, root);
  await h.CreatePolicy({ PolicyName: 'pol', Path: '/p/', PolicyDocument: ALLOW_S3, Tags: [{ Key: 'tier', Value: 'gold' }] }, root);
  await h.CreateUser({ UserName: 'alice', Path: '/team/', PermissionsBoundary: ARNS.boundary, Tags: [{ Key: 'team', Value: 'blue' }] }, root);
  await h.CreateRole({ RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: TRUST_EC2, PermissionsBoundary: ARNS.boundary, Tags: [{ Key: 'env', Value: 'prod' }] }, root);
  await h.CreateGroup({ GroupName: 'devs', Path: '/g/' }, root);
  await h.CreateInstanceProfile({ InstanceProfileName: 'prof', Path: '/ip/', Tags: [{ Key: 'use', Value: 'web' }] }, root);
  await h.CreateVirtualMFADevice({ VirtualMFADeviceName: 'alice-mfa', Tags: [{ Key: 'owner', Value: 'alice' }] }, root);
  const key = await h.CreateAccessKey({ UserName: 'alice' }, root);
  const alice = env.ctx({ ...userPrincipal('alice'), arn: ARNS.alice });
  return { ...env, alice, accessKeyId: (key as { AccessKey: { AccessKeyId: string } }).AccessKey.AccessKeyId };
}

/** Values for members by name, pointing at the seeded entities; anything else gets a placeholder. */
function memberValues(env: SeededEnv): Record<string, unknown> {
  return {
    UserName: 'alice',
    NewUserName: 'alice2',
    RoleName: 'app',
    GroupName: 'devs',
    NewGroupName: 'devs2',
    PolicyArn: ARNS.policy,
    PolicyName: 'pol',
    PermissionsBoundary: ARNS.boundary,
    InstanceProfileName: 'prof',
    SerialNumber: ARNS.mfa,
    VirtualMFADeviceName: 'alice-mfa',
    AccessKeyId: env.accessKeyId,
    AWSServiceName: 'rds.amazonaws.com',
    DeletionTaskId: 'task/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS/0f0b6c5e-51a4-4b0c-9a57-6a0c3b0f6d2e',
    PolicySourceArn: ARNS.alice,
    RoleArn: ARNS.app,
    RoleSessionName: 'session',
    Tags: [{ Key: 'team', Value: 'blue' }],
    TagKeys: ['team'],
    PolicyDocument: ALLOW_S3,
    AssumeRolePolicyDocument: TRUST_EC2,
    PolicyInputList: [ALLOW_S3],
    ActionNames: ['s3:GetObject'],
    // S3 CopyObject / UploadPartCopy: a well-formed source ("bucket/key"), since a malformed one fails before authorization.
    CopySource: 'example/source-key',
    // DynamoDB PartiQL: one statement of each verb, so every dynamodb:PartiQL* action is checked.
    Statement: 'SELECT * FROM "Music" WHERE "Artist" = \'Acme\'',
    Statements: [{ Statement: 'UPDATE "Music" SET plays = plays + 1 WHERE "Artist" = \'Acme\'' }],
    TransactStatements: [{ Statement: 'INSERT INTO "Music" VALUE {\'Artist\': \'Acme\'}' }, { Statement: 'DELETE FROM "Music" WHERE "Artist" = \'Band\'' }],
    // DynamoDB TransactWriteItems/TransactGetItems authorize each action as its item action: one
    // entry naming every kind, so each operation picks its own (Put, Update, Delete, ConditionCheck / Get).
    TransactItems: [
      {
        Put: { TableName: 'Music', Item: { Artist: { S: 'a' }, Year: { N: '1' } } },
        Update: { TableName: 'Music', Key: { Artist: { S: 'a' } }, UpdateExpression: 'SET Year = :y' },
        Delete: { TableName: 'Music', Key: { Artist: { S: 'a' } } },
        ConditionCheck: { TableName: 'Music', Key: { Artist: { S: 'a' } }, ConditionExpression: 'attribute_exists(Artist)' },
        Get: { TableName: 'Music', Key: { Artist: { S: 'a' } }, ProjectionExpression: 'Artist' },
      },
    ],
  };
}

const models = new Map<string, ServiceModel>();
function modelOf(service: ServiceDefinition): ServiceModel {
  let model = models.get(service.name);
  if (!model) {
    model = loadServiceModel(service.name);
    models.set(service.name, model);
  }
  return model;
}

/** Optional members worth setting: they change the targets (named user instead of self, tags, boundaries). */
const OPTIONAL_MEMBERS = new Set(['UserName', 'NewUserName', 'NewGroupName', 'Tags', 'PermissionsBoundary']);

/**
 * An input for `operation`: every required member (our values by member name, placeholders by
 * shape type for the rest) and the optional members that shape authorization.
 */
export function representativeInput(env: SeededEnv, service: ServiceDefinition, operation: string): Record<string, unknown> {
  const model = modelOf(service);
  const inputRef = model.operations[operation]?.input?.shape;
  if (!inputRef) return {};
  const shape = model.shapes[inputRef]!;
  const known = memberValues(env);
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const required = shape.required?.includes(name) ?? false;
    if (!required && !OPTIONAL_MEMBERS.has(name)) continue;
    out[name] = name in known ? known[name] : placeholder(model, member.shape);
  }
  return out;
}

function placeholder(model: ServiceModel, shapeName: string): unknown {
  switch (model.shapes[shapeName]?.type) {
    case 'integer':
    case 'long':
      return 1;
    case 'boolean':
      return false;
    case 'list':
      return [];
    case 'structure':
    case 'map':
      return {};
    default:
      return 'example';
  }
}
