/**
 * The Amazon-owned (and well-known vendor) public AMIs Bonsai offers in every region: the current
 * release of Amazon Linux 2023 and 2, Ubuntu 22.04/24.04, Debian 12 and Windows Server 2022, as
 * AWS describes them (names, descriptions, owners, devices). Image and snapshot ids are derived
 * from the region and the image name, so they are stable across restarts and differ per region
 * as they do on AWS.
 */
import { createHash } from 'node:crypto';
import type { BlockDeviceMapping, Image } from '../../../generated/ec2/types.ts';

/** Owners as AWS shows them on these images. */
export const OWNERS = {
  amazonLinux: '137112412989',
  windows: '801119661308',
  canonical: '099720109477',
  debian: '136693071363',
} as const;

/** A catalog image before it is placed in a region. `key` names it for SSM's public parameters. */
export interface ImageTemplate {
  key: string;
  name: string;
  description: string;
  ownerId: string;
  /** 'amazon' for images owned by Amazon (ImageOwnerAlias); vendors' images carry none. */
  ownerAlias?: 'amazon';
  architecture: 'x86_64' | 'arm64';
  rootDeviceName: string;
  volumeSize: number;
  volumeType: 'gp2' | 'gp3';
  /** Instance-store slots Canonical's images declare beside the root volume. */
  ephemeralDevices?: string[];
  bootMode?: 'uefi' | 'uefi-preferred' | 'legacy-bios';
  imdsV2Only?: boolean;
  windows?: boolean;
  creationDate: string;
  deprecationTime?: string;
}

const AL2023 = '2023.9.20251110.1';
const AL2 = '2.0.20251110.0';
const AL_CREATED = '2025-11-10T20:22:14.000Z';
const AL_DEPRECATED = '2026-02-08T20:22:00.000Z';

function amazonLinux2023(arch: 'x86_64' | 'arm64', minimal: boolean): ImageTemplate {
  const variant = minimal ? 'minimal-' : '';
  return {
    key: `al2023-${variant}${arch}`,
    name: `al2023-ami-${variant}${AL2023}-kernel-6.1-${arch}`,
    description: `Amazon Linux 2023 AMI ${AL2023} ${arch} ${minimal ? 'Minimal ' : ''}HVM kernel-6.1`,
    ownerId: OWNERS.amazonLinux,
    ownerAlias: 'amazon',
    architecture: arch,
    rootDeviceName: '/dev/xvda',
    volumeSize: minimal ? 2 : 8,
    volumeType: 'gp3',
    bootMode: arch === 'arm64' ? 'uefi' : 'uefi-preferred',
    imdsV2Only: true,
    creationDate: AL_CREATED,
    deprecationTime: AL_DEPRECATED,
  };
}

function amazonLinux2(arch: 'x86_64' | 'arm64', kernel510: boolean): ImageTemplate {
  const kernel = kernel510 ? 'kernel-5.10-' : '';
  return {
    key: `amzn2-${kernel510 ? 'kernel-5.10-' : ''}${arch}`,
    name: `amzn2-ami-${kernel}hvm-${AL2}-${arch}-gp2`,
    description: `Amazon Linux 2 ${kernel510 ? 'Kernel 5.10 ' : ''}AMI ${AL2} ${arch} HVM gp2`,
    ownerId: OWNERS.amazonLinux,
    ownerAlias: 'amazon',
    architecture: arch,
    rootDeviceName: '/dev/xvda',
    volumeSize: 8,
    volumeType: 'gp2',
    bootMode: arch === 'arm64' ? 'uefi' : undefined,
    creationDate: '2025-11-10T22:47:31.000Z',
    deprecationTime: '2026-06-30T00:00:00.000Z',
  };
}

function ubuntu(release: '22.04' | '24.04', arch: 'amd64' | 'arm64'): ImageTemplate {
  const codename = release === '22.04' ? 'jammy' : 'noble';
  const gp3 = release === '24.04';
  const serial = release === '22.04' ? '20251015' : '20251022';
  return {
    key: `ubuntu-${release}-${arch}`,
    name: `ubuntu/images/${gp3 ? 'hvm-ssd-gp3' : 'hvm-ssd'}/ubuntu-${codename}-${release}-${arch}-server-${serial}`,
    description: `Canonical, Ubuntu, ${release}, ${arch} ${codename} image`,
    ownerId: OWNERS.canonical,
    architecture: arch === 'amd64' ? 'x86_64' : 'arm64',
    rootDeviceName: '/dev/sda1',
    volumeSize: 8,
    volumeType: gp3 ? 'gp3' : 'gp2',
    ephemeralDevices: ['/dev/sdb', '/dev/sdc'],
    bootMode: arch === 'arm64' ? 'uefi' : 'uefi-preferred',
    creationDate: `${serial.slice(0, 4)}-${serial.slice(4, 6)}-${serial.slice(6, 8)}T05:18:09.000Z`,
    deprecationTime: release === '22.04' ? '2027-10-15T05:18:09.000Z' : '2027-10-22T05:18:09.000Z',
  };
}

function debian12(arch: 'amd64' | 'arm64'): ImageTemplate {
  return {
    key: `debian-12-${arch}`,
    name: `debian-12-${arch}-20251112-2294`,
    description: 'Debian 12 (20251112-2294)',
    ownerId: OWNERS.debian,
    architecture: arch === 'amd64' ? 'x86_64' : 'arm64',
    rootDeviceName: '/dev/xvda',
    volumeSize: 8,
    volumeType: 'gp2',
    bootMode: arch === 'arm64' ? 'uefi' : 'uefi-preferred',
    creationDate: '2025-11-12T19:41:36.000Z',
    deprecationTime: '2027-11-12T19:41:36.000Z',
  };
}

const WINDOWS_2022: ImageTemplate = {
  key: 'windows-2022-base',
  name: 'Windows_Server-2022-English-Full-Base-2025.11.12',
  description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
  ownerId: OWNERS.windows,
  ownerAlias: 'amazon',
  architecture: 'x86_64',
  rootDeviceName: '/dev/sda1',
  volumeSize: 30,
  volumeType: 'gp3',
  windows: true,
  creationDate: '2025-11-12T18:26:43.000Z',
  deprecationTime: '2026-02-10T18:26:43.000Z',
};

export const IMAGE_TEMPLATES: readonly ImageTemplate[] = [
  amazonLinux2023('x86_64', false),
  amazonLinux2023('arm64', false),
  amazonLinux2023('x86_64', true),
  amazonLinux2023('arm64', true),
  amazonLinux2('x86_64', false),
  amazonLinux2('x86_64', true),
  amazonLinux2('arm64', true),
  ubuntu('22.04', 'amd64'),
  ubuntu('22.04', 'arm64'),
  ubuntu('24.04', 'amd64'),
  ubuntu('24.04', 'arm64'),
  debian12('amd64'),
  debian12('arm64'),
  WINDOWS_2022,
];

/** `ami-0` + 16 hex digits (17 in all, as AWS's long ids), from a hash of region and name. */
export function catalogId(prefix: 'ami' | 'snap', region: string, name: string): string {
  const hex = createHash('sha256').update(`${prefix}\0${region}\0${name}`).digest('hex');
  return `${prefix}-0${hex.slice(0, 16)}`;
}

function blockDeviceMappings(t: ImageTemplate, region: string): BlockDeviceMapping[] {
  const root: BlockDeviceMapping = {
    DeviceName: t.rootDeviceName,
    Ebs: {
      DeleteOnTermination: true,
      SnapshotId: catalogId('snap', region, t.name),
      VolumeSize: t.volumeSize,
      VolumeType: t.volumeType,
      ...(t.volumeType === 'gp3' ? { Iops: 3000, Throughput: 125 } : {}),
      Encrypted: false,
    },
  };
  const ephemeral = (t.ephemeralDevices ?? []).map((device, i) => ({ DeviceName: device, VirtualName: `ephemeral${i}` }));
  return [root, ...ephemeral];
}

/** The template as EC2 describes it in `region`. */
export function imageInRegion(t: ImageTemplate, region: string): Image {
  const image: Image = {
    PlatformDetails: t.windows ? 'Windows' : 'Linux/UNIX',
    UsageOperation: t.windows ? 'RunInstances:0002' : 'RunInstances',
    BlockDeviceMappings: blockDeviceMappings(t, region),
    Description: t.description,
    EnaSupport: true,
    Hypervisor: 'xen',
    ...(t.ownerAlias ? { ImageOwnerAlias: t.ownerAlias } : {}),
    Name: t.name,
    RootDeviceName: t.rootDeviceName,
    RootDeviceType: 'ebs',
    SriovNetSupport: 'simple',
    VirtualizationType: 'hvm',
    ...(t.bootMode ? { BootMode: t.bootMode } : {}),
    ...(t.deprecationTime ? { DeprecationTime: t.deprecationTime } : {}),
    ...(t.imdsV2Only ? { ImdsSupport: 'v2.0' as const } : {}),
    ImageId: catalogId('ami', region, t.name),
    // Amazon's own images are located under the alias, vendors' under their account id.
    ImageLocation: `${t.ownerAlias ?? t.ownerId}/${t.name}`,
    State: 'available',
    OwnerId: t.ownerId,
    CreationDate: t.creationDate,
    Public: true,
    Architecture: t.architecture,
    ImageType: 'machine',
    // The model's enum says "Windows", but EC2 sends (and its filter matches) "windows".
    ...(t.windows ? { Platform: 'windows' as unknown as Image['Platform'] } : {}),
  };
  return image;
}

const byRegion = new Map<string, Image[]>();

/** Every catalog image of `region`, in catalog order (computed once per region). */
export function catalogImages(region: string): readonly Image[] {
  let images = byRegion.get(region);
  if (!images) {
    images = IMAGE_TEMPLATES.map((t) => imageInRegion(t, region));
    byRegion.set(region, images);
  }
  return images;
}

/** The catalog image with this id in `region`, if any. */
export function findImage(region: string, imageId: string): Image | undefined {
  return catalogImages(region).find((i) => i.ImageId === imageId);
}

/** The catalog image a template key names (SSM's public parameters point at these). */
export function imageByKey(region: string, key: string): Image | undefined {
  const index = IMAGE_TEMPLATES.findIndex((t) => t.key === key);
  return index < 0 ? undefined : catalogImages(region)[index];
}
