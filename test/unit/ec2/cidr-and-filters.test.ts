import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  blockSize,
  containsBlock,
  formatCidr,
  formatIpv4,
  nthSubBlock,
  overlaps,
  parseCidr,
  parseIpv4,
  rfc1918RangeOf,
  usableSubnetAddresses,
} from '../../../src/services/ec2/cidr.ts';
import { applyFilters, paginate, wildcardPattern } from '../../../src/services/ec2/filters.ts';
import { AwsError } from '../../../src/core/errors.ts';
import { zoneIdPrefix, zonesOf } from '../../../src/services/ec2/regions.ts';
import { kindOfId, newEc2Id } from '../../../src/services/ec2/ids.ts';

const cidr = (s: string) => parseCidr(s)!;

test('IPv4 addresses parse and format as unsigned 32-bit numbers', () => {
  assert.equal(parseIpv4('10.0.0.1'), 167772161);
  assert.equal(parseIpv4('255.255.255.255'), 4294967295);
  assert.equal(parseIpv4('256.0.0.1'), undefined);
  assert.equal(parseIpv4('10.0.0'), undefined);
  assert.equal(parseIpv4('10.01.0.0'), undefined);
  assert.equal(formatIpv4(4294967295), '255.255.255.255');
  assert.equal(formatIpv4(2886729728), '172.16.0.0');
});

test('CIDR blocks parse, normalise host bits and refuse malformed text', () => {
  assert.deepEqual(parseCidr('10.0.0.0/16'), { network: 167772160, prefix: 16, canonical: true });
  const withHostBits = parseCidr('10.0.5.7/16')!;
  assert.equal(formatCidr(withHostBits), '10.0.0.0/16');
  assert.equal(withHostBits.canonical, false);
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('10.0.0.0/'), undefined);
  assert.equal(parseCidr('abc/16'), undefined);
  assert.equal(formatCidr(cidr('0.0.0.0/0')), '0.0.0.0/0');
});

test('sizes, containment and overlap', () => {
  assert.equal(blockSize(cidr('10.0.0.0/16')), 65536);
  assert.equal(blockSize(cidr('10.0.0.0/28')), 16);
  assert.equal(usableSubnetAddresses(cidr('10.0.0.0/24')), 251);
  assert.equal(usableSubnetAddresses(cidr('10.0.0.0/28')), 11);
  assert.equal(usableSubnetAddresses(cidr('172.31.0.0/20')), 4091);
  assert.equal(containsBlock(cidr('10.0.0.0/20'), cidr('10.0.15.0/24')), true);
  assert.equal(containsBlock(cidr('10.0.0.0/20'), cidr('10.0.16.0/24')), false);
  assert.equal(containsBlock(cidr('10.0.0.0/24'), cidr('10.0.0.0/16')), false);
  assert.equal(containsBlock(cidr('10.0.0.0/16'), cidr('10.0.0.0/16')), true);
  assert.equal(overlaps(cidr('10.0.1.0/24'), cidr('10.0.0.0/23')), true);
  assert.equal(overlaps(cidr('10.0.1.0/24'), cidr('10.0.2.0/24')), false);
  assert.equal(overlaps(cidr('10.0.1.255/32'), cidr('10.0.1.0/24')), true);
});

test('sub-blocks: a /22 splits into four /24s, the default VPC into /20s', () => {
  const parent = cidr('10.0.0.0/22');
  assert.deepEqual([0, 1, 2, 3].map((i) => formatCidr(nthSubBlock(parent, 24, i))), ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24']);
  assert.deepEqual([0, 1, 2].map((i) => formatCidr(nthSubBlock(cidr('172.31.0.0/16'), 20, i))), ['172.31.0.0/20', '172.31.16.0/20', '172.31.32.0/20']);
});

test('RFC 1918 ranges', () => {
  assert.equal(formatCidr(rfc1918RangeOf(cidr('10.1.0.0/16'))!), '10.0.0.0/8');
  assert.equal(formatCidr(rfc1918RangeOf(cidr('172.31.0.0/16'))!), '172.16.0.0/12');
  assert.equal(rfc1918RangeOf(cidr('100.64.0.0/16')), undefined);
});

test('wildcards: * any run, ? one character, backslash escapes', () => {
  assert.equal(wildcardPattern('app-*').test('app-vpc'), true);
  assert.equal(wildcardPattern('app-*').test('my-app-vpc'), false);
  assert.equal(wildcardPattern('us-west-2?').test('us-west-2a'), true);
  assert.equal(wildcardPattern('us-west-2?').test('us-west-2ab'), false);
  assert.equal(wildcardPattern('a\\*b').test('a*b'), true);
  assert.equal(wildcardPattern('a\\*b').test('axb'), false);
  assert.equal(wildcardPattern('10.0.0.0/16').test('10.0.0.0/16'), true);
  assert.equal(wildcardPattern('App').test('app'), false);
});

interface Item {
  id: string;
  state: string;
  cidrs: string[];
  Tags?: Array<{ Key: string; Value: string }>;
}
const items: Item[] = [
  { id: 'a', state: 'available', cidrs: ['10.0.0.0/16'], Tags: [{ Key: 'Name', Value: 'app-vpc' }] },
  { id: 'b', state: 'pending', cidrs: ['10.1.0.0/16', '10.2.0.0/16'], Tags: [{ Key: 'env', Value: 'prod' }] },
  { id: 'c', state: 'available', cidrs: ['172.31.0.0/16'] },
];
const fields = { state: (i: Item) => i.state, cidr: (i: Item) => i.cidrs, id: (i: Item) => i.id };

test('filters: AND across filters, OR across values, any of several values, tag filters', () => {
  const ids = (f: Parameters<typeof applyFilters<Item>>[1]) => applyFilters(items, f, fields).map((i) => i.id);
  assert.deepEqual(ids([{ Name: 'state', Values: ['available'] }]), ['a', 'c']);
  assert.deepEqual(ids([{ Name: 'state', Values: ['available', 'pending'] }, { Name: 'cidr', Values: ['10.*'] }]), ['a', 'b']);
  assert.deepEqual(ids([{ Name: 'cidr', Values: ['10.2.0.0/16'] }]), ['b']);
  assert.deepEqual(ids([{ Name: 'tag:Name', Values: ['app-*'] }]), ['a']);
  assert.deepEqual(ids([{ Name: 'tag-key', Values: ['env'] }]), ['b']);
  assert.deepEqual(ids([{ Name: 'tag-value', Values: ['prod', 'app-vpc'] }]), ['a', 'b']);
  assert.deepEqual(ids([]), ['a', 'b', 'c']);
});

test('an unknown filter is refused with InvalidParameterValue', () => {
  assert.throws(
    () => applyFilters(items, [{ Name: 'colour', Values: ['x'] }], fields),
    (err: unknown) => err instanceof AwsError && err.code === 'InvalidParameterValue' && err.message === "The filter 'colour' is invalid" && err.status === 400,
  );
  assert.throws(() => applyFilters(items, [{ Name: 'tag:Name', Values: ['x'] }], fields, { tags: false }), /The filter 'tag:Name' is invalid/);
});

test('pagination: pages of MaxResults with an opaque NextToken; MaxResults outside 5..1000 refused', () => {
  const list = Array.from({ length: 12 }, (_, i) => i);
  const first = paginate(list, 5, undefined);
  assert.deepEqual(first.page, [0, 1, 2, 3, 4]);
  const second = paginate(list, 5, first.nextToken);
  assert.deepEqual(second.page, [5, 6, 7, 8, 9]);
  const third = paginate(list, 5, second.nextToken);
  assert.deepEqual(third.page, [10, 11]);
  assert.equal(third.nextToken, undefined);
  assert.deepEqual(paginate(list, undefined, undefined).page.length, 12);
  assert.throws(() => paginate(list, 4, undefined), (e: unknown) => e instanceof AwsError && e.code === 'InvalidParameterValue');
  assert.throws(() => paginate(list, 5, 'garbage'), (e: unknown) => e instanceof AwsError && e.code === 'InvalidParameterValue');
});

test('zones and ids', () => {
  assert.equal(zoneIdPrefix('us-west-2'), 'usw2');
  assert.equal(zoneIdPrefix('ap-southeast-1'), 'apse1');
  assert.equal(zoneIdPrefix('eu-central-1'), 'euc1');
  assert.deepEqual(zonesOf('us-west-2'), [
    { name: 'us-west-2a', id: 'usw2-az1' },
    { name: 'us-west-2b', id: 'usw2-az2' },
    { name: 'us-west-2c', id: 'usw2-az3' },
    { name: 'us-west-2d', id: 'usw2-az4' },
  ]);
  const id = newEc2Id('vpc');
  assert.match(id, /^vpc-[0-9a-f]{17}$/);
  assert.equal(kindOfId(id), 'vpc');
  assert.equal(kindOfId('sgr-0123'), undefined);
});
