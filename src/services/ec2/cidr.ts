/**
 * IPv4 CIDR maths for VPCs and subnets: parsing, containment, overlap and address counts.
 * Addresses are unsigned 32-bit numbers; a block is its network address and prefix length.
 */

export interface Ipv4Block {
  /** The network address as an unsigned 32-bit integer. */
  network: number;
  prefix: number;
}

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** "10.0.0.1" → 167772161, or undefined when it is not a dotted quad of octets. */
export function parseIpv4(text: string): number | undefined {
  const m = DOTTED_QUAD.exec(text);
  if (!m) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(m[i]);
    if (octet > 255 || (m[i]!.length > 1 && m[i]!.startsWith('0'))) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** The netmask of a prefix length as an unsigned integer (/0 → 0, /32 → 0xffffffff). */
export function netmask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * "10.0.0.0/16" → its block. Host bits may be set ("10.0.0.5/16"): AWS accepts such input and
 * reports the network address, so the block is normalised here and `canonical` tells the caller.
 */
export function parseCidr(text: string): (Ipv4Block & { canonical: boolean }) | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  const network = (address & netmask(prefix)) >>> 0;
  return { network, prefix, canonical: network === address };
}

export function formatCidr(block: Ipv4Block): string {
  return `${formatIpv4(block.network)}/${block.prefix}`;
}

/** How many addresses the block spans (2^(32-prefix)). */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefix);
}

/** The last address of the block. */
export function lastAddress(block: Ipv4Block): number {
  return block.network + blockSize(block) - 1;
}

/** True when `inner` lies entirely inside `outer` (a block contains itself). */
export function containsBlock(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return inner.prefix >= outer.prefix && inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

export function containsAddress(block: Ipv4Block, address: number): boolean {
  return address >= block.network && address <= lastAddress(block);
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/**
 * Addresses a subnet offers to instances: AWS reserves five in every subnet (network address,
 * VPC router, DNS, future use, broadcast), so a /24 offers 251 and a /28 eleven.
 */
export function usableSubnetAddresses(block: Ipv4Block): number {
  return blockSize(block) - 5;
}

/** The n-th block of the given prefix inside `parent` (n from 0): 172.31.0.0/16, /20, 1 → 172.31.16.0/20. */
export function nthSubBlock(parent: Ipv4Block, prefix: number, n: number): Ipv4Block {
  return { network: parent.network + n * 2 ** (32 - prefix), prefix };
}

/**
 * RFC 1918 ranges and the other ranges AWS lets a VPC use: its rules for secondary CIDR blocks
 * ("IPv4 CIDR block association restrictions") refuse a block from a different RFC 1918 range
 * than the primary.
 */
export const RFC1918: readonly Ipv4Block[] = [
  { network: parseIpv4('10.0.0.0')!, prefix: 8 },
  { network: parseIpv4('172.16.0.0')!, prefix: 12 },
  { network: parseIpv4('192.168.0.0')!, prefix: 16 },
];

/** The RFC 1918 range a block lies in, or undefined for publicly routable (or other) space. */
export function rfc1918RangeOf(block: Ipv4Block): Ipv4Block | undefined {
  return RFC1918.find((range) => containsBlock(range, block));
}
