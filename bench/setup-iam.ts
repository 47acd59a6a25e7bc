/**
 * Creates the IAM benchmark principal: user "bench" with 10 customer managed policies of 10
 * statements each, in 2 groups with a policy each, and an access key. Returns the key.
 */
import {
  IAMClient,
  CreateUserCommand,
  CreatePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  PutGroupPolicyCommand,
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';

const SERVICES = ['s3', 'sqs', 'sns', 'dynamodb', 'lambda', 'ec2', 'iam', 'logs', 'kms', 'secretsmanager'];

function policyDocument(p: number, account: string): string {
  const statements = Array.from({ length: 10 }, (_, s) => {
    const svc = SERVICES[(p + s) % SERVICES.length]!;
    const statement: Record<string, unknown> = {
      Sid: `P${p}S${s}`,
      Effect: 'Allow',
      Action: s % 3 === 0 ? `${svc}:*` : [`${svc}:Get*`, `${svc}:List*`, `${svc}:Describe*`],
      Resource: svc === 'iam' ? `arn:aws:iam::${account}:user/\${aws:username}` : `arn:aws:${svc}:*:${account}:thing-${p}-*`,
    };
    if (s % 2 === 0) statement.Condition = { StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } };
    return statement;
  });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export async function createBenchPrincipal(endpoint: string, account: string, root: { accessKeyId: string; secretAccessKey: string }) {
  const iam = new IAMClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: root });
  await iam.send(new CreateUserCommand({ UserName: 'bench' }));
  for (let p = 0; p < 10; p++) {
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: `bench-${p}`, PolicyDocument: policyDocument(p, account) }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'bench', PolicyArn: Policy!.Arn! }));
  }
  for (let g = 0; g < 2; g++) {
    await iam.send(new CreateGroupCommand({ GroupName: `bench-group-${g}` }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: `bench-group-${g}`, PolicyName: 'inline', PolicyDocument: policyDocument(10 + g, account) }));
    await iam.send(new AddUserToGroupCommand({ GroupName: `bench-group-${g}`, UserName: 'bench' }));
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'bench' }));
  iam.destroy();
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}
