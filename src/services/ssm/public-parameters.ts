/**
 * The public parameters AWS publishes under /aws/service/ that point at the newest AMIs
 * ("Query for the latest Amazon Linux AMI IDs using AWS Systems Manager Parameter Store",
 * Canonical's and Debian's published paths, "ami-windows-latest"). Each resolves, per region, to
 * an image of EC2's catalog, so `resolve:ssm:` and DescribeImages agree.
 */
import { imageByKey } from '../ec2/catalog/index.ts';
import type { Parameter } from '../../generated/ssm/types.ts';

interface PublicParameter {
  name: string;
  /** The EC2 catalog image (IMAGE_TEMPLATES key) the parameter points at. */
  image: string;
  version: number;
  lastModified: string;
}

const AL = '/aws/service/ami-amazon-linux-latest';
const UBUNTU = '/aws/service/canonical/ubuntu/server';
const DEBIAN = '/aws/service/debian/release';
const AL_UPDATED = '2025-11-11T19:06:12.000Z';

function amazonLinux(name: string, image: string, version: number): PublicParameter {
  return { name: `${AL}/${name}`, image, version, lastModified: AL_UPDATED };
}

function ubuntu(release: '22.04' | '24.04', arch: 'amd64' | 'arm64'): PublicParameter[] {
  const codename = release === '22.04' ? 'jammy' : 'noble';
  const volume = release === '22.04' ? 'ebs-gp2' : 'ebs-gp3';
  const lastModified = release === '22.04' ? '2025-10-15T17:24:51.000Z' : '2025-10-22T17:31:08.000Z';
  const version = release === '22.04' ? 212 : 96;
  // Canonical publishes each release under its number and its codename.
  return [release, codename].map((r) => ({
    name: `${UBUNTU}/${r}/stable/current/${arch}/hvm/${volume}/ami-id`,
    image: `ubuntu-${release}-${arch}`,
    version,
    lastModified,
  }));
}

function debian12(arch: 'amd64' | 'arm64'): PublicParameter[] {
  return ['12', 'bookworm'].map((r) => ({
    name: `${DEBIAN}/${r}/latest/${arch}`,
    image: `debian-12-${arch}`,
    version: 47,
    lastModified: '2025-11-12T21:03:40.000Z',
  }));
}

export const PUBLIC_PARAMETERS: readonly PublicParameter[] = [
  amazonLinux('al2023-ami-kernel-default-x86_64', 'al2023-x86_64', 118),
  amazonLinux('al2023-ami-kernel-default-arm64', 'al2023-arm64', 118),
  amazonLinux('al2023-ami-kernel-6.1-x86_64', 'al2023-x86_64', 118),
  amazonLinux('al2023-ami-kernel-6.1-arm64', 'al2023-arm64', 118),
  amazonLinux('al2023-ami-minimal-kernel-default-x86_64', 'al2023-minimal-x86_64', 118),
  amazonLinux('al2023-ami-minimal-kernel-default-arm64', 'al2023-minimal-arm64', 118),
  amazonLinux('al2023-ami-minimal-kernel-6.1-x86_64', 'al2023-minimal-x86_64', 118),
  amazonLinux('al2023-ami-minimal-kernel-6.1-arm64', 'al2023-minimal-arm64', 118),
  amazonLinux('amzn2-ami-hvm-x86_64-gp2', 'amzn2-x86_64', 231),
  amazonLinux('amzn2-ami-kernel-5.10-hvm-x86_64-gp2', 'amzn2-kernel-5.10-x86_64', 164),
  amazonLinux('amzn2-ami-kernel-5.10-hvm-arm64-gp2', 'amzn2-kernel-5.10-arm64', 164),
  ...ubuntu('22.04', 'amd64'),
  ...ubuntu('22.04', 'arm64'),
  ...ubuntu('24.04', 'amd64'),
  ...ubuntu('24.04', 'arm64'),
  ...debian12('amd64'),
  ...debian12('arm64'),
  {
    name: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
    image: 'windows-2022-base',
    version: 142,
    lastModified: '2025-11-13T02:11:27.000Z',
  },
];

const BY_NAME = new Map(PUBLIC_PARAMETERS.map((p) => [p.name, p]));

/** Public parameters are owned by AWS: their ARNs carry no account. */
export function publicParameterArn(region: string, name: string): string {
  return `arn:aws:ssm:${region}::parameter${name}`;
}

function toParameter(region: string, p: PublicParameter): Parameter | undefined {
  const image = imageByKey(region, p.image);
  if (!image?.ImageId) return undefined;
  return {
    Name: p.name,
    Type: 'String',
    Value: image.ImageId,
    Version: p.version,
    LastModifiedDate: new Date(p.lastModified),
    ARN: publicParameterArn(region, p.name),
    // AWS publishes these as plain text, not as the aws:ec2:image data type customers can choose.
    DataType: 'text',
  };
}

/** The public parameter `name` as SSM returns it in `region`, if it exists. */
export function publicParameter(region: string, name: string): Parameter | undefined {
  const p = BY_NAME.get(name);
  return p ? toParameter(region, p) : undefined;
}

/**
 * The public parameters under `path`: its direct children, or every descendant when recursive
 * (hierarchies are separated by "/").
 */
export function publicParametersByPath(region: string, path: string, recursive: boolean): Parameter[] {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  return PUBLIC_PARAMETERS.filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')))
    .map((p) => toParameter(region, p))
    .filter((p): p is Parameter => p !== undefined);
}
