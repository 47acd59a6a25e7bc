/**
 * The instance types Bonsai offers: the common sizes of the t2, t3, t3a, t4g, m5, m6i, m7g, c5,
 * c6i, r5, r6i, a1, g4dn and i3 families, with the figures AWS publishes for them ("Amazon EC2
 * instance types" specifications and DescribeInstanceTypes): vCPUs, memory, sustained clock,
 * network performance, network interfaces and addresses per interface, instance store, GPUs.
 *
 * A family is described once (processor, hypervisor, what it supports) and each size adds its
 * own figures, so a reader can check a row against AWS's tables.
 */
import type { InstanceTypeInfo } from '../../../generated/ec2/types.ts';

interface Family {
  manufacturer: 'Intel' | 'AMD' | 'AWS';
  architectures: readonly ('i386' | 'x86_64' | 'arm64')[];
  clockGhz: number;
  hypervisor: 'xen' | 'nitro';
  /** Graviton cores run one thread; Intel and AMD families two (t2 one). */
  threadsPerCore: 1 | 2;
  burstable?: boolean;
  /** t2 and i3 predate ENA being required. */
  ena: 'unsupported' | 'supported' | 'required';
  ebsOptimized: 'unsupported' | 'supported' | 'default';
  ebsNvme: 'unsupported' | 'required';
  bootModes: readonly ('legacy-bios' | 'uefi')[];
  hibernation: boolean;
  dedicatedHosts: boolean;
  nitroEnclaves?: boolean;
  nitroTpm?: boolean;
}

/** One size: [size, vCPUs, memory MiB, network performance, max ENIs, IPv4 per ENI, extras]. */
type Size = [string, number, number, string, number, number, SizeExtras?];

interface SizeExtras {
  /** Instance store: disk count × size in GB (NVMe SSD). */
  disks?: [number, number];
  /** NVIDIA T4 GPUs. */
  gpus?: number;
  efa?: boolean;
}

const INTEL_NITRO = { hypervisor: 'nitro', ena: 'required', ebsOptimized: 'default', ebsNvme: 'required', bootModes: ['legacy-bios', 'uefi'] } as const;
const GRAVITON = { manufacturer: 'AWS', architectures: ['arm64'], hypervisor: 'nitro', threadsPerCore: 1, ena: 'required', ebsOptimized: 'default', ebsNvme: 'required', bootModes: ['uefi'] } as const;

const T_SIZES_ENIS: Record<string, [number, number]> = {
  nano: [2, 2],
  micro: [2, 2],
  small: [3, 4],
  medium: [3, 6],
  large: [3, 12],
  xlarge: [4, 15],
  '2xlarge': [4, 15],
};

/** t3/t3a/t4g sizes: 2 vCPUs up to large, then 4 and 8; memory doubles from 512 MiB. */
function nitroBurstableSizes(network: string, overrides: Record<string, [number, number]> = {}): Size[] {
  const rows: [string, number, number][] = [
    ['nano', 2, 512],
    ['micro', 2, 1024],
    ['small', 2, 2048],
    ['medium', 2, 4096],
    ['large', 2, 8192],
    ['xlarge', 4, 16384],
    ['2xlarge', 8, 32768],
  ];
  return rows.map(([size, vcpus, mib]) => {
    const [enis, ipv4] = overrides[size] ?? T_SIZES_ENIS[size]!;
    return [size, vcpus, mib, network, enis, ipv4];
  });
}

/** large → 4xlarge of the general, compute and memory families: memory per vCPU differs. */
function standardSizes(mibPerVcpu: number, upTo: string, withMedium = false): Size[] {
  const rows: [string, number, number, number][] = [
    ['large', 2, 3, 10],
    ['xlarge', 4, 4, 15],
    ['2xlarge', 8, 4, 15],
    ['4xlarge', 16, 8, 30],
  ];
  const sizes: Size[] = rows.map(([size, vcpus, enis, ipv4]) => [size, vcpus, vcpus * mibPerVcpu, upTo, enis, ipv4]);
  return withMedium ? [['medium', 1, mibPerVcpu, upTo, 2, 4], ...sizes] : sizes;
}

const FAMILIES: [string, Family, Size[]][] = [
  [
    't2',
    {
      manufacturer: 'Intel', architectures: ['i386', 'x86_64'], clockGhz: 2.5, hypervisor: 'xen', threadsPerCore: 1, burstable: true,
      ena: 'unsupported', ebsOptimized: 'unsupported', ebsNvme: 'unsupported', bootModes: ['legacy-bios'], hibernation: true, dedicatedHosts: false,
    },
    [
      ['nano', 1, 512, 'Low to Moderate', 2, 2],
      ['micro', 1, 1024, 'Low to Moderate', 2, 2],
      ['small', 1, 2048, 'Low to Moderate', 3, 4],
      ['medium', 2, 4096, 'Low to Moderate', 3, 6],
      ['large', 2, 8192, 'Low to Moderate', 3, 12],
      ['xlarge', 4, 16384, 'Moderate', 3, 15],
      ['2xlarge', 8, 32768, 'Moderate', 3, 15],
    ],
  ],
  ['t3', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 2.5, threadsPerCore: 2, burstable: true, hibernation: true, dedicatedHosts: true, nitroTpm: true }, nitroBurstableSizes('Up to 5 Gigabit')],
  ['t3a', { ...INTEL_NITRO, manufacturer: 'AMD', architectures: ['x86_64'], clockGhz: 2.2, threadsPerCore: 2, burstable: true, hibernation: true, dedicatedHosts: false, nitroTpm: true }, nitroBurstableSizes('Up to 5 Gigabit', { small: [2, 4] })],
  ['t4g', { ...GRAVITON, clockGhz: 2.5, burstable: true, hibernation: true, dedicatedHosts: false, nitroTpm: true }, nitroBurstableSizes('Up to 5 Gigabit')],
  ['m5', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.1, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(4096, 'Up to 10 Gigabit')],
  ['m6i', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.5, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(4096, 'Up to 12.5 Gigabit')],
  ['m7g', { ...GRAVITON, clockGhz: 2.6, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(4096, 'Up to 12.5 Gigabit', true)],
  ['c5', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.4, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(2048, 'Up to 10 Gigabit')],
  ['c6i', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.5, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(2048, 'Up to 12.5 Gigabit')],
  ['r5', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.1, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(8192, 'Up to 10 Gigabit')],
  ['r6i', { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 3.5, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroEnclaves: true, nitroTpm: true }, standardSizes(8192, 'Up to 12.5 Gigabit')],
  ['a1', { ...GRAVITON, clockGhz: 2.3, hibernation: false, dedicatedHosts: true }, standardSizes(2048, 'Up to 10 Gigabit', true)],
  [
    'g4dn',
    { ...INTEL_NITRO, manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 2.5, threadsPerCore: 2, hibernation: true, dedicatedHosts: true, nitroTpm: true },
    [
      ['xlarge', 4, 16384, 'Up to 25 Gigabit', 3, 10, { disks: [1, 125], gpus: 1 }],
      ['2xlarge', 8, 32768, 'Up to 25 Gigabit', 3, 10, { disks: [1, 225], gpus: 1 }],
      ['4xlarge', 16, 65536, 'Up to 25 Gigabit', 3, 10, { disks: [1, 225], gpus: 1 }],
      ['8xlarge', 32, 131072, '50 Gigabit', 4, 15, { disks: [1, 900], gpus: 1, efa: true }],
      ['12xlarge', 48, 196608, '50 Gigabit', 8, 30, { disks: [1, 900], gpus: 4, efa: true }],
    ],
  ],
  [
    'i3',
    {
      manufacturer: 'Intel', architectures: ['x86_64'], clockGhz: 2.3, hypervisor: 'xen', threadsPerCore: 2, ena: 'supported',
      ebsOptimized: 'default', ebsNvme: 'unsupported', bootModes: ['legacy-bios'], hibernation: true, dedicatedHosts: true,
    },
    [
      ['large', 2, 15616, 'Up to 10 Gigabit', 3, 10, { disks: [1, 475] }],
      ['xlarge', 4, 31232, 'Up to 10 Gigabit', 4, 15, { disks: [1, 950] }],
      ['2xlarge', 8, 62464, 'Up to 10 Gigabit', 4, 15, { disks: [1, 1900] }],
      ['4xlarge', 16, 124928, 'Up to 10 Gigabit', 8, 30, { disks: [2, 1900] }],
      ['8xlarge', 32, 249856, '10 Gigabit', 8, 30, { disks: [4, 1900] }],
    ],
  ],
];

/** Free tier instance types (t3.micro where t2.micro is not offered; Bonsai offers both everywhere). */
const FREE_TIER = new Set(['t2.micro', 't3.micro']);

/** NVIDIA T4: 16 GiB each. */
const T4_MIB = 16384;

function describe(familyName: string, f: Family, [size, vcpus, mib, network, enis, ipv4, extras = {}]: Size): InstanceTypeInfo {
  const name = `${familyName}.${size}`;
  const cores = Math.max(1, vcpus / f.threadsPerCore);
  const info: InstanceTypeInfo = {
    InstanceType: name as InstanceTypeInfo['InstanceType'],
    CurrentGeneration: true,
    FreeTierEligible: FREE_TIER.has(name),
    SupportedUsageClasses: ['on-demand', 'spot'],
    SupportedRootDeviceTypes: ['ebs'],
    SupportedVirtualizationTypes: ['hvm'],
    BareMetal: false,
    Hypervisor: f.hypervisor,
    ProcessorInfo: { SupportedArchitectures: [...f.architectures], SustainedClockSpeedInGhz: f.clockGhz, Manufacturer: f.manufacturer },
    VCpuInfo: { DefaultVCpus: vcpus, DefaultCores: cores, DefaultThreadsPerCore: vcpus === 1 ? 1 : f.threadsPerCore },
    MemoryInfo: { SizeInMiB: mib },
    InstanceStorageSupported: extras.disks !== undefined,
    ...(extras.disks
      ? {
          InstanceStorageInfo: {
            TotalSizeInGB: extras.disks[0] * extras.disks[1],
            Disks: [{ SizeInGB: extras.disks[1], Count: extras.disks[0], Type: 'ssd' as const }],
            NvmeSupport: 'required' as const,
            EncryptionSupport: 'required' as const,
          },
        }
      : {}),
    EbsInfo: { EbsOptimizedSupport: f.ebsOptimized, EncryptionSupport: 'supported', NvmeSupport: f.ebsNvme },
    NetworkInfo: {
      NetworkPerformance: network,
      MaximumNetworkInterfaces: enis,
      MaximumNetworkCards: 1,
      DefaultNetworkCardIndex: 0,
      NetworkCards: [{ NetworkCardIndex: 0, NetworkPerformance: network, MaximumNetworkInterfaces: enis }],
      Ipv4AddressesPerInterface: ipv4,
      Ipv6AddressesPerInterface: ipv4,
      Ipv6Supported: true,
      EnaSupport: f.ena,
      EfaSupported: extras.efa === true,
      ...(extras.efa ? { EfaInfo: { MaximumEfaInterfaces: 1 } } : {}),
      EncryptionInTransitSupported: false,
      EnaSrdSupported: false,
    },
    ...(extras.gpus
      ? {
          GpuInfo: {
            Gpus: [{ Name: 'T4', Manufacturer: 'NVIDIA', Count: extras.gpus, MemoryInfo: { SizeInMiB: T4_MIB } }],
            TotalGpuMemoryInMiB: extras.gpus * T4_MIB,
          },
        }
      : {}),
    // Burstable instances cannot join cluster placement groups.
    PlacementGroupInfo: { SupportedStrategies: f.burstable ? ['partition', 'spread'] : ['cluster', 'partition', 'spread'] },
    HibernationSupported: f.hibernation,
    BurstablePerformanceSupported: f.burstable === true,
    DedicatedHostsSupported: f.dedicatedHosts,
    AutoRecoverySupported: extras.disks === undefined,
    SupportedBootModes: [...f.bootModes],
    NitroEnclavesSupport: f.nitroEnclaves ? 'supported' : 'unsupported',
    NitroTpmSupport: f.nitroTpm ? 'supported' : 'unsupported',
    ...(f.nitroTpm ? { NitroTpmInfo: { SupportedVersions: ['2.0'] } } : {}),
    PhcSupport: f.hypervisor === 'nitro' ? 'supported' : 'unsupported',
  };
  return info;
}

export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = FAMILIES.flatMap(([name, family, sizes]) => sizes.map((size) => describe(name, family, size)));

const BY_NAME = new Map(INSTANCE_TYPES.map((t) => [t.InstanceType as string, t]));

/** The catalog's description of an instance type ("t3.micro"), if Bonsai offers it. */
export function findInstanceType(name: string): InstanceTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Whether an image of `architecture` can run on `instanceType` (RunInstances checks this). */
export function supportsArchitecture(instanceType: InstanceTypeInfo, architecture: string): boolean {
  return (instanceType.ProcessorInfo?.SupportedArchitectures as string[] | undefined)?.includes(architecture) ?? false;
}
