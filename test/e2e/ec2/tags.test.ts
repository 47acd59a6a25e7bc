// CreateTags, DeleteTags and DescribeTags on every taggable resource Bonsai's EC2 has ("Tag your
// Amazon EC2 resources"), with @aws-sdk/client-ec2: instances, volumes, snapshots, the account's
// images and key pairs, network ACLs, Elastic IP allocations and NAT gateways are tagged, retagged
// and untagged; their Describe* calls show the tags and honour tag:<key> and tag-key; DescribeTags
// filters on resource-type, resource-id, key and value; missing resources answer their kind's
// not-found error; CreateTags is authorized on each resource's own ARN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as EC2 from '@aws-sdk/client-ec2';
import * as IAM from '@aws-sdk/client-iam';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';
import { splitEncoded } from './encoded-denial.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
const ROOT = { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey };
let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(region: string, credentials = ROOT) {
  return new EC2.EC2Client({ endpoint: bonsai.endpoint, region, maxAttempts: 1, credentials });
}

/** A running instance, its root volume, a snapshot, an image of the instance and a key pair. */
async function computeResources(client: EC2.EC2Client, keyName: string) {
  const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-x86_64'] }] }));
  const { Instances } = await client.send(new EC2.RunInstancesCommand({ ImageId: Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
  bonsai.clock.advance(2_000);
  const instanceId = Instances![0]!.InstanceId!;
  const { Volumes } = await client.send(new EC2.DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
  const volumeId = Volumes![0]!.VolumeId!;
  const { SnapshotId } = await client.send(new EC2.CreateSnapshotCommand({ VolumeId: volumeId }));
  const { ImageId } = await client.send(new EC2.CreateImageCommand({ InstanceId: instanceId, Name: `image-of-${keyName}`, NoReboot: true }));
  const { KeyPairId } = await client.send(new EC2.CreateKeyPairCommand({ KeyName: keyName, KeyType: 'ed25519' }));
  return { instanceId, volumeId, snapshotId: SnapshotId!, imageId: ImageId!, keyPairId: KeyPairId! };
}

type Tags = EC2.Tag[] | undefined;

/** Each compute resource's tags as its own Describe* call shows them, optionally filtered. */
async function describedComputeTags(client: EC2.EC2Client, ids: Awaited<ReturnType<typeof computeResources>>, filter?: EC2.Filter) {
  const Filters = filter ? [filter] : undefined;
  const instances = (await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [ids.instanceId], Filters }))).Reservations!.flatMap((r) => r.Instances!);
  const volumes = (await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [ids.volumeId], Filters }))).Volumes!;
  const snapshots = (await client.send(new EC2.DescribeSnapshotsCommand({ SnapshotIds: [ids.snapshotId], Filters }))).Snapshots!;
  const images = (await client.send(new EC2.DescribeImagesCommand({ ImageIds: [ids.imageId], Filters }))).Images!;
  const keyPairs = (await client.send(new EC2.DescribeKeyPairsCommand({ KeyPairIds: [ids.keyPairId], Filters }))).KeyPairs!;
  const tagsOf = (list: Array<{ Tags?: EC2.Tag[] }>): Tags[] => list.map((r) => r.Tags);
  return { instance: tagsOf(instances), volume: tagsOf(volumes), snapshot: tagsOf(snapshots), image: tagsOf(images), keyPair: tagsOf(keyPairs) };
}

test('instances, volumes, snapshots, images and key pairs are tagged, retagged, untagged and described', async () => {
  const client = ec2('us-east-2');
  const ids = await computeResources(client, 'tagged-key');
  const all = [ids.instanceId, ids.volumeId, ids.snapshotId, ids.imageId, ids.keyPairId];

  await client.send(new EC2.CreateTagsCommand({ Resources: all, Tags: [{ Key: 'team', Value: 'data' }, { Key: 'env', Value: 'dev' }] }));
  const tagged = [{ Key: 'team', Value: 'data' }, { Key: 'env', Value: 'dev' }];
  assert.deepEqual(await describedComputeTags(client, ids), { instance: [tagged], volume: [tagged], snapshot: [tagged], image: [tagged], keyPair: [tagged] });
  assert.deepEqual(await describedComputeTags(client, ids, { Name: 'tag:team', Values: ['da*'] }), { instance: [tagged], volume: [tagged], snapshot: [tagged], image: [tagged], keyPair: [tagged] });
  assert.deepEqual(await describedComputeTags(client, ids, { Name: 'tag-key', Values: ['owner'] }), { instance: [], volume: [], snapshot: [], image: [], keyPair: [] });

  const byType = async (type: string) => (await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: [type] }, { Name: 'key', Values: ['team'] }] }))).Tags;
  assert.deepEqual(await byType('instance'), [{ Key: 'team', ResourceId: ids.instanceId, ResourceType: 'instance', Value: 'data' }]);
  assert.deepEqual(await byType('volume'), [{ Key: 'team', ResourceId: ids.volumeId, ResourceType: 'volume', Value: 'data' }]);
  assert.deepEqual(await byType('snapshot'), [{ Key: 'team', ResourceId: ids.snapshotId, ResourceType: 'snapshot', Value: 'data' }]);
  assert.deepEqual(await byType('image'), [{ Key: 'team', ResourceId: ids.imageId, ResourceType: 'image', Value: 'data' }]);
  assert.deepEqual(await byType('key-pair'), [{ Key: 'team', ResourceId: ids.keyPairId, ResourceType: 'key-pair', Value: 'data' }]);
  const byId = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [ids.imageId] }] }));
  assert.deepEqual(byId.Tags, [
    { Key: 'env', ResourceId: ids.imageId, ResourceType: 'image', Value: 'dev' },
    { Key: 'team', ResourceId: ids.imageId, ResourceType: 'image', Value: 'data' },
  ]);

  // A key already present takes the new value in place.
  await client.send(new EC2.CreateTagsCommand({ Resources: all, Tags: [{ Key: 'team', Value: 'ml' }] }));
  const byValue = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'value', Values: ['ml'] }] }));
  assert.deepEqual(
    byValue.Tags!.map((t) => [t.ResourceType, t.ResourceId, t.Key, t.Value]),
    [
      ['instance', ids.instanceId, 'team', 'ml'],
      ['image', ids.imageId, 'team', 'ml'],
      ['key-pair', ids.keyPairId, 'team', 'ml'],
      ['snapshot', ids.snapshotId, 'team', 'ml'],
      ['volume', ids.volumeId, 'team', 'ml'],
    ].sort((a, b) => a[1]!.localeCompare(b[1]!)),
  );

  // A tag named with another value stays; named by key alone it goes.
  await client.send(new EC2.DeleteTagsCommand({ Resources: all, Tags: [{ Key: 'team', Value: 'data' }] }));
  const retagged = [{ Key: 'team', Value: 'ml' }, { Key: 'env', Value: 'dev' }];
  assert.deepEqual(await describedComputeTags(client, ids), { instance: [retagged], volume: [retagged], snapshot: [retagged], image: [retagged], keyPair: [retagged] });
  await client.send(new EC2.DeleteTagsCommand({ Resources: all, Tags: [{ Key: 'team' }] }));
  const envOnly = [{ Key: 'env', Value: 'dev' }];
  assert.deepEqual(await describedComputeTags(client, ids), { instance: [envOnly], volume: [envOnly], snapshot: [envOnly], image: [envOnly], keyPair: [envOnly] });
  await client.send(new EC2.DeleteTagsCommand({ Resources: all }));
  const untagged = await describedComputeTags(client, ids);
  // Images, like instances, volumes and snapshots, show no tag set once untagged; key pairs an empty one.
  assert.deepEqual(untagged, { instance: [undefined], volume: [undefined], snapshot: [undefined], image: [undefined], keyPair: [[]] });
  assert.deepEqual((await client.send(new EC2.DescribeTagsCommand({}))).Tags, []);
});

test('network ACLs, Elastic IP allocations and NAT gateways are tagged, untagged and described', async () => {
  const client = ec2('eu-west-1');
  const { Vpc } = await client.send(new EC2.CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const { Subnet } = await client.send(new EC2.CreateSubnetCommand({ VpcId: Vpc!.VpcId!, CidrBlock: '10.20.1.0/24' }));
  const { NetworkAcl } = await client.send(new EC2.CreateNetworkAclCommand({ VpcId: Vpc!.VpcId! }));
  const aclId = NetworkAcl!.NetworkAclId!;
  const { AllocationId: natAllocationId } = await client.send(new EC2.AllocateAddressCommand({ Domain: 'vpc' }));
  const { AllocationId } = await client.send(new EC2.AllocateAddressCommand({ Domain: 'vpc' }));
  const { NatGateway } = await client.send(new EC2.CreateNatGatewayCommand({ SubnetId: Subnet!.SubnetId!, AllocationId: natAllocationId! }));
  const natId = NatGateway!.NatGatewayId!;

  await client.send(new EC2.CreateTagsCommand({ Resources: [aclId, AllocationId!, natId], Tags: [{ Key: 'Name', Value: 'edge' }] }));
  const { Tags } = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['network-acl', 'elastic-ip', 'natgateway'] }] }));
  assert.deepEqual(
    Tags,
    [
      { Key: 'Name', ResourceId: aclId, ResourceType: 'network-acl', Value: 'edge' },
      { Key: 'Name', ResourceId: AllocationId!, ResourceType: 'elastic-ip', Value: 'edge' },
      { Key: 'Name', ResourceId: natId, ResourceType: 'natgateway', Value: 'edge' },
    ].sort((a, b) => a.ResourceId.localeCompare(b.ResourceId)),
  );
  const edge = [{ Name: 'tag:Name', Values: ['edge'] }];
  const acls = (await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: edge }))).NetworkAcls!;
  assert.deepEqual(acls.map((a) => [a.NetworkAclId, a.Tags]), [[aclId, [{ Key: 'Name', Value: 'edge' }]]]);
  const addresses = (await client.send(new EC2.DescribeAddressesCommand({ Filters: edge }))).Addresses!;
  assert.deepEqual(addresses.map((a) => [a.AllocationId, a.Tags]), [[AllocationId, [{ Key: 'Name', Value: 'edge' }]]]);
  const nats = (await client.send(new EC2.DescribeNatGatewaysCommand({ Filter: [{ Name: 'tag-key', Values: ['Name'] }] }))).NatGateways!;
  assert.deepEqual(nats.map((n) => [n.NatGatewayId, n.Tags]), [[natId, [{ Key: 'Name', Value: 'edge' }]]]);

  await client.send(new EC2.DeleteTagsCommand({ Resources: [aclId, AllocationId!, natId], Tags: [{ Key: 'Name', Value: 'edge' }] }));
  const left = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [aclId, AllocationId!, natId] }] }));
  assert.deepEqual(left.Tags, []);
  assert.deepEqual((await client.send(new EC2.DescribeNetworkAclsCommand({ Filters: edge }))).NetworkAcls, []);
});

test('tagging a missing resource answers its kind\'s not-found error; an unknown id is not valid', async () => {
  const client = ec2('ap-northeast-1');
  const tags = [{ Key: 'k', Value: 'v' }];
  const tag = (id: string) => failure(client.send(new EC2.CreateTagsCommand({ Resources: [id], Tags: tags })));
  assert.deepEqual(await tag('i-0123456789abcdef0'), { name: 'InvalidInstanceID.NotFound', status: 400, message: "The instance ID 'i-0123456789abcdef0' does not exist" });
  assert.deepEqual(await tag('vol-0123456789abcdef0'), { name: 'InvalidVolume.NotFound', status: 400, message: "The volume 'vol-0123456789abcdef0' does not exist." });
  assert.deepEqual(await tag('snap-0123456789abcdef0'), { name: 'InvalidSnapshot.NotFound', status: 400, message: "The snapshot 'snap-0123456789abcdef0' does not exist." });
  assert.deepEqual(await tag('ami-0123456789abcdef0'), { name: 'InvalidAMIID.NotFound', status: 400, message: "The image id '[ami-0123456789abcdef0]' does not exist" });
  assert.deepEqual(await tag('key-0123456789abcdef0'), { name: 'InvalidKeyPair.NotFound', status: 400, message: "The key pair 'key-0123456789abcdef0' does not exist" });
  assert.deepEqual(await tag('acl-0123456789abcdef0'), { name: 'InvalidNetworkAclID.NotFound', status: 400, message: "The networkAcl ID 'acl-0123456789abcdef0' does not exist" });
  assert.deepEqual(await tag('eipalloc-0123456789abcdef0'), { name: 'InvalidAllocationID.NotFound', status: 400, message: "The allocation ID 'eipalloc-0123456789abcdef0' does not exist" });
  assert.deepEqual(await tag('nat-0123456789abcdef0'), { name: 'NatGatewayNotFound', status: 400, message: 'The Nat Gateway nat-0123456789abcdef0 was not found' });
  assert.deepEqual(await tag('bogus-0123'), { name: 'InvalidID', status: 400, message: "The ID 'bogus-0123' is not valid" });
  const removal = await failure(client.send(new EC2.DeleteTagsCommand({ Resources: ['vol-0123456789abcdef0'] })));
  assert.deepEqual(removal, { name: 'InvalidVolume.NotFound', status: 400, message: "The volume 'vol-0123456789abcdef0' does not exist." });

  // A terminated instance stays taggable while it is visible, and is gone once it vanishes.
  const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-x86_64'] }] }));
  const { Instances } = await client.send(new EC2.RunInstancesCommand({ ImageId: Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }));
  const instanceId = Instances![0]!.InstanceId!;
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  await client.send(new EC2.CreateTagsCommand({ Resources: [instanceId], Tags: tags }));
  bonsai.clock.advance(2 * 60 * 60 * 1000);
  assert.deepEqual(await tag(instanceId), { name: 'InvalidInstanceID.NotFound', status: 400, message: `The instance ID '${instanceId}' does not exist` });
  const described = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'resource-type', Values: ['instance'] }] }));
  assert.deepEqual(described.Tags, []);
});

test('CreateTags is authorized on each resource\'s ARN: snapshots and images without an account, key pairs by name', async () => {
  const client = ec2('us-west-1');
  const ids = await computeResources(client, 'authz-key');
  const iam = new IAM.IAMClient({ endpoint: bonsai.endpoint, region: 'us-east-1', maxAttempts: 1, credentials: ROOT });
  await iam.send(new IAM.CreateUserCommand({ UserName: 'tagger' }));
  await iam.send(new IAM.PutUserPolicyCommand({
    UserName: 'tagger',
    PolicyName: 'tag-some',
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: 'ec2:CreateTags',
        Resource: ['arn:aws:ec2:us-west-1::snapshot/*', `arn:aws:ec2:us-west-1:${ACCOUNT}:key-pair/authz-key`, `arn:aws:ec2:us-west-1:${ACCOUNT}:volume/${ids.volumeId}`],
      }],
    }),
  }));
  const { AccessKey } = await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'tagger' }));
  const tagger = ec2('us-west-1', { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
  const tags = [{ Key: 'owner', Value: 'tagger' }];

  await tagger.send(new EC2.CreateTagsCommand({ Resources: [ids.snapshotId, ids.keyPairId, ids.volumeId], Tags: tags }));
  const { Tags } = await client.send(new EC2.DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['owner'] }] }));
  assert.deepEqual(Tags!.map((t) => t.ResourceId).sort(), [ids.keyPairId, ids.snapshotId, ids.volumeId].sort());

  const denied = (resource: string) => ({
    name: 'UnauthorizedOperation',
    status: 403,
    message: `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT}:user/tagger is not authorized to perform: ec2:CreateTags on resource: ${resource} because no identity-based policy allows the ec2:CreateTags action`,
  });
  const image = splitEncoded(await failure(tagger.send(new EC2.CreateTagsCommand({ Resources: [ids.imageId], Tags: tags })))).error;
  assert.deepEqual(image, denied(`arn:aws:ec2:us-west-1::image/${ids.imageId}`));
  const instance = splitEncoded(await failure(tagger.send(new EC2.CreateTagsCommand({ Resources: [ids.snapshotId, ids.instanceId], Tags: tags })))).error;
  assert.deepEqual(instance, denied(`arn:aws:ec2:us-west-1:${ACCOUNT}:instance/${ids.instanceId}`));
  const describedInstance = await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [ids.instanceId] }));
  assert.equal(describedInstance.Reservations![0]!.Instances![0]!.Tags, undefined);
});
