// EBS and images end to end with @aws-sdk/client-ec2: a volume attached across zones refused, one in
// the instance's zone attached, kept from deletion while attached, resized upward only,
// snapshotted and restored in another zone, the snapshot copied to another region; an AMI made from
// the instance, listed by DescribeImages with Owners self, launched and deregistered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as EC2 from '@aws-sdk/client-ec2';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { failure } from '../../helpers/sdk-errors.ts';

const ACCOUNT = TEST_ACCOUNT.accountId;
let bonsai: TestBonsai;
before(async () => {
  bonsai = await startTestBonsai();
});
after(() => bonsai.stop());

function ec2(region = 'us-east-1') {
  return new EC2.EC2Client({ endpoint: bonsai.endpoint, region, maxAttempts: 1, credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey } });
}

async function launch(client: EC2.EC2Client, imageId: string, zone = 'us-east-1a'): Promise<string> {
  const { Instances } = await client.send(new EC2.RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, Placement: { AvailabilityZone: zone } }));
  bonsai.clock.advance(2_000);
  return Instances![0]!.InstanceId!;
}

async function al2023(client: EC2.EC2Client): Promise<string> {
  const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023.*-x86_64'] }] }));
  return Images![0]!.ImageId!;
}

test('a volume across zones is refused; in the same zone it attaches, resizes upward, snapshots and restores elsewhere', async () => {
  const client = ec2();
  const instanceId = await launch(client, await al2023(client));

  const elsewhere = await client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1b', Size: 10, VolumeType: 'gp3' }));
  assert.equal(elsewhere.State, 'creating');
  assert.deepEqual([elsewhere.Size, elsewhere.Iops, elsewhere.Throughput, elsewhere.VolumeType], [10, 3000, 125, 'gp3']);
  const mismatch = await failure(client.send(new EC2.AttachVolumeCommand({ VolumeId: elsewhere.VolumeId!, InstanceId: instanceId, Device: '/dev/sdf' })));
  assert.deepEqual(mismatch, { name: 'InvalidVolume.ZoneMismatch', status: 400, message: `The volume '${elsewhere.VolumeId}' is not in the same availability zone as instance '${instanceId}'` });

  const volume = await client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8, TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'Name', Value: 'data' }] }] }));
  const volumeId = volume.VolumeId!;
  const attached = await client.send(new EC2.AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: '/dev/sdf' }));
  assert.deepEqual([attached.State, attached.Device, attached.InstanceId], ['attaching', '/dev/sdf', instanceId]);
  const again = await failure(client.send(new EC2.AttachVolumeCommand({ VolumeId: volumeId, InstanceId: instanceId, Device: '/dev/sdg' })));
  assert.deepEqual(again, { name: 'VolumeInUse', status: 400, message: `${volumeId} is already attached to an instance` });
  const inUse = await failure(client.send(new EC2.DeleteVolumeCommand({ VolumeId: volumeId })));
  assert.deepEqual(inUse, { name: 'VolumeInUse', status: 400, message: `Volume ${volumeId} is currently attached to ${instanceId}` });

  const described = (await client.send(new EC2.DescribeVolumesCommand({ Filters: [{ Name: 'tag:Name', Values: ['data'] }] }))).Volumes!;
  assert.deepEqual(described.map((v) => [v.VolumeId, v.State, v.Size, v.VolumeType, v.Iops, v.Attachments![0]!.Device]), [[volumeId, 'in-use', 8, 'gp2', 100, '/dev/sdf']]);
  const { Reservations } = await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  assert.deepEqual(Reservations![0]!.Instances![0]!.BlockDeviceMappings!.map((b) => b.DeviceName), ['/dev/xvda', '/dev/sdf']);

  const grown = await client.send(new EC2.ModifyVolumeCommand({ VolumeId: volumeId, Size: 20 }));
  assert.deepEqual([grown.VolumeModification!.ModificationState, grown.VolumeModification!.OriginalSize, grown.VolumeModification!.TargetSize], ['modifying', 8, 20]);
  const shrink = await failure(client.send(new EC2.ModifyVolumeCommand({ VolumeId: volumeId, Size: 10 })));
  assert.deepEqual(shrink, { name: 'InvalidParameterValue', status: 400, message: 'New size cannot be smaller than existing size' });
  assert.equal((await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes![0]!.Size, 20);

  const snapshot = await client.send(new EC2.CreateSnapshotCommand({ VolumeId: volumeId, Description: 'data backup' }));
  assert.match(snapshot.SnapshotId!, /^snap-[0-9a-f]{17}$/);
  assert.deepEqual([snapshot.State, snapshot.VolumeSize, snapshot.OwnerId], ['pending', 20, ACCOUNT]);
  const { Snapshots } = await client.send(new EC2.DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  assert.deepEqual(Snapshots!.map((s) => [s.SnapshotId, s.State, s.Progress, s.Description, s.VolumeId]), [[snapshot.SnapshotId, 'completed', '100%', 'data backup', volumeId]]);

  const tooSmall = await failure(client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1c', SnapshotId: snapshot.SnapshotId!, Size: 10 })));
  assert.deepEqual(tooSmall, { name: 'InvalidParameterValue', status: 400, message: 'Volume of 10GiB is too small; minimum is 20GiB.' });
  const restored = await client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1c', SnapshotId: snapshot.SnapshotId! }));
  assert.deepEqual([restored.AvailabilityZone, restored.Size, restored.SnapshotId], ['us-east-1c', 20, snapshot.SnapshotId]);

  const copy = await ec2('us-west-2').send(new EC2.CopySnapshotCommand({ SourceRegion: 'us-east-1', SourceSnapshotId: snapshot.SnapshotId! }));
  const copies = (await ec2('us-west-2').send(new EC2.DescribeSnapshotsCommand({ SnapshotIds: [copy.SnapshotId!] }))).Snapshots!;
  assert.deepEqual(copies.map((s) => [s.VolumeSize, s.Description]), [[20, `[Copied ${snapshot.SnapshotId} from us-east-1]`]]);
  const inWest = await ec2('us-west-2').send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-west-2b', SnapshotId: copy.SnapshotId! }));
  assert.equal(inWest.Size, 20);

  await client.send(new EC2.DetachVolumeCommand({ VolumeId: volumeId }));
  assert.equal((await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [volumeId] }))).Volumes![0]!.State, 'available');
  await client.send(new EC2.DeleteVolumeCommand({ VolumeId: volumeId }));
  const gone = await failure(client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [volumeId] })));
  assert.deepEqual(gone, { name: 'InvalidVolume.NotFound', status: 400, message: `The volume '${volumeId}' does not exist.` });

  const io1 = await failure(client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 100, VolumeType: 'io1' })));
  assert.deepEqual(io1, { name: 'MissingParameter', status: 400, message: 'The request must contain the parameter iops' });
  const huge = await failure(client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 16385 })));
  assert.deepEqual(huge, { name: 'InvalidParameterValue', status: 400, message: 'Volume of 16385GiB is too large; maximum is 16384GiB.' });
});

test('io2 Multi-Attach volumes attach to two instances in their zone', async () => {
  const client = ec2();
  const imageId = await al2023(client);
  const [a, b] = [await launch(client, imageId, 'us-east-1d'), await launch(client, imageId, 'us-east-1d')];
  const volume = await client.send(new EC2.CreateVolumeCommand({ AvailabilityZone: 'us-east-1d', Size: 10, VolumeType: 'io2', Iops: 1000, MultiAttachEnabled: true }));
  await client.send(new EC2.AttachVolumeCommand({ VolumeId: volume.VolumeId!, InstanceId: a, Device: '/dev/sdf' }));
  await client.send(new EC2.AttachVolumeCommand({ VolumeId: volume.VolumeId!, InstanceId: b, Device: '/dev/sdf' }));
  const { Volumes } = await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [volume.VolumeId!] }));
  assert.deepEqual(Volumes![0]!.Attachments!.map((x) => x.InstanceId), [a, b]);
  // Terminating one instance detaches the volume it did not create.
  await client.send(new EC2.TerminateInstancesCommand({ InstanceIds: [a] }));
  assert.deepEqual((await client.send(new EC2.DescribeVolumesCommand({ VolumeIds: [volume.VolumeId!] }))).Volumes![0]!.Attachments!.map((x) => x.InstanceId), [b]);
});

test('CreateImage makes an AMI the account owns, with a snapshot per volume; it launches and deregisters', async () => {
  const client = ec2();
  const instanceId = await launch(client, await al2023(client));
  const { ImageId } = await client.send(new EC2.CreateImageCommand({ InstanceId: instanceId, Name: 'employee-directory-v1', Description: 'the app server', TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'app', Value: 'directory' }] }] }));
  assert.match(ImageId!, /^ami-[0-9a-f]{17}$/);
  const duplicate = await failure(client.send(new EC2.CreateImageCommand({ InstanceId: instanceId, Name: 'employee-directory-v1' })));
  assert.deepEqual(duplicate, { name: 'InvalidAMIName.Duplicate', status: 400, message: `AMI name employee-directory-v1 is already in use by AMI ${ImageId}` });

  const { Images } = await client.send(new EC2.DescribeImagesCommand({ Owners: ['self'] }));
  assert.equal(Images!.length, 1);
  const image = Images![0]!;
  assert.deepEqual(
    [image.ImageId, image.Name, image.OwnerId, image.State, image.Public, image.Architecture, image.RootDeviceName, image.ImageLocation, image.Description],
    [ImageId, 'employee-directory-v1', ACCOUNT, 'available', false, 'x86_64', '/dev/xvda', `${ACCOUNT}/employee-directory-v1`, 'the app server'],
  );
  assert.deepEqual(image.Tags, [{ Key: 'app', Value: 'directory' }]);
  const rootSnapshot = image.BlockDeviceMappings![0]!.Ebs!.SnapshotId!;
  const { Snapshots } = await client.send(new EC2.DescribeSnapshotsCommand({ SnapshotIds: [rootSnapshot] }));
  assert.equal(Snapshots![0]!.Description, `Created by CreateImage(${instanceId}) for ${ImageId}`);
  assert.equal(Snapshots![0]!.VolumeSize, 8);

  const fromImage = await launch(client, ImageId!);
  const { Reservations } = await client.send(new EC2.DescribeInstancesCommand({ InstanceIds: [fromImage] }));
  assert.equal(Reservations![0]!.Instances![0]!.ImageId, ImageId);
  assert.equal(Reservations![0]!.Instances![0]!.State!.Name, 'running');

  const inUse = await failure(client.send(new EC2.DeleteSnapshotCommand({ SnapshotId: rootSnapshot })));
  assert.deepEqual(inUse, { name: 'InvalidSnapshot.InUse', status: 400, message: `The snapshot ${rootSnapshot} is currently in use by ${ImageId}` });
  await client.send(new EC2.DeregisterImageCommand({ ImageId: ImageId! }));
  assert.deepEqual((await client.send(new EC2.DescribeImagesCommand({ Owners: ['self'] }))).Images, []);
  await client.send(new EC2.DeleteSnapshotCommand({ SnapshotId: rootSnapshot }));
  const missing = await failure(client.send(new EC2.DeregisterImageCommand({ ImageId: ImageId! })));
  assert.deepEqual(missing, { name: 'InvalidAMIID.NotFound', status: 400, message: `The image id '[${ImageId}]' does not exist` });
});
