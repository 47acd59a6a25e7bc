// EC2's catalogs through the AWS SDK for JavaScript v3: DescribeImages with owners and filters,
// DescribeInstanceTypes for t2.micro, and an AMI resolved through SSM described by EC2. These
// run once the EC2 provider spreads catalogHandlers into its table (skipped until then).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EC2Client, DescribeImagesCommand, DescribeInstanceTypesCommand } from '@aws-sdk/client-ec2';
import { startTestBonsai, TEST_ACCOUNT, type TestBonsai } from '../../helpers/bonsai.ts';
import { serviceByName } from '../../../src/services/registry.ts';
import { imageByKey } from '../../../src/services/ec2/catalog/index.ts';

const ec2Served = serviceByName('ec2')?.handlers.DescribeImages !== undefined;
const skip = !ec2Served && 'the EC2 provider does not serve DescribeImages yet';

let bonsai: TestBonsai;
let ec2: EC2Client;
before(async () => {
  if (!ec2Served) return;
  bonsai = await startTestBonsai();
  ec2 = new EC2Client({
    endpoint: bonsai.endpoint,
    region: 'us-east-2',
    credentials: { accessKeyId: TEST_ACCOUNT.accessKeyId, secretAccessKey: TEST_ACCOUNT.secretAccessKey },
    maxAttempts: 1,
  });
});
after(async () => {
  if (ec2Served) await bonsai.stop();
});

test('DescribeImages: owners amazon with name and architecture filters', { skip }, async () => {
  const { Images } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-2023.*-kernel-6.1-x86_64'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  assert.equal(Images!.length, 1);
  const image = Images![0]!;
  assert.equal(image.ImageId, imageByKey('us-east-2', 'al2023-x86_64')!.ImageId);
  assert.equal(image.Name, 'al2023-ami-2023.9.20251110.1-kernel-6.1-x86_64');
  assert.equal(image.OwnerId, '137112412989');
  assert.equal(image.ImageOwnerAlias, 'amazon');
  assert.equal(image.Public, true);
  assert.equal(image.State, 'available');
  assert.equal(image.BlockDeviceMappings![0]!.Ebs!.VolumeSize, 8);
});

test('DescribeImages: Canonical by owner id, and InvalidAMIID errors', { skip }, async () => {
  const { Images } = await ec2.send(new DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['*jammy*amd64*'] }] }));
  assert.deepEqual(Images!.map((i) => i.Name), ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251015']);
  await assert.rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-0123456789abcdef0'] })), (e: Error & { name: string }) => {
    assert.equal(e.name, 'InvalidAMIID.NotFound');
    assert.equal(e.message, "The image id '[ami-0123456789abcdef0]' does not exist");
    return true;
  });
  await assert.rejects(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-nothex'] })), (e: Error & { name: string }) => {
    assert.equal(e.name, 'InvalidAMIID.Malformed');
    assert.equal(e.message, 'Invalid id: "ami-nothex" (expecting "ami-...")');
    return true;
  });
});

test('DescribeInstanceTypes: t2.micro with its figures, and an unknown type', { skip }, async () => {
  const { InstanceTypes } = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t2.micro'] }));
  assert.equal(InstanceTypes!.length, 1);
  const t2 = InstanceTypes![0]!;
  assert.equal(t2.FreeTierEligible, true);
  assert.deepEqual(t2.VCpuInfo, { DefaultVCpus: 1, DefaultCores: 1, DefaultThreadsPerCore: 1 });
  assert.deepEqual(t2.MemoryInfo, { SizeInMiB: 1024 });
  assert.deepEqual(t2.ProcessorInfo, { SupportedArchitectures: ['i386', 'x86_64'], SustainedClockSpeedInGhz: 2.5, Manufacturer: 'Intel' });
  assert.equal(t2.NetworkInfo!.NetworkPerformance, 'Low to Moderate');
  assert.equal(t2.NetworkInfo!.MaximumNetworkInterfaces, 2);
  assert.equal(t2.NetworkInfo!.Ipv4AddressesPerInterface, 2);
  assert.equal(t2.BurstablePerformanceSupported, true);
  await assert.rejects(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['t2.giant' as never] })), (e: Error & { name: string }) => {
    assert.equal(e.name, 'InvalidInstanceType');
    assert.equal(e.message, 'The following supplied instance types do not exist: [t2.giant]');
    return true;
  });
});
