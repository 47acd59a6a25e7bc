import { test } from 'node:test';
import assert from 'node:assert/strict';
// The catalogs use EC2's one filter engine (src/services/ec2/filters.ts); these cases pin what they rely on.
import { applyFilters, wildcardPattern } from '../../../../src/services/ec2/filters.ts';
import { AwsError } from '../../../../src/core/errors.ts';

interface Item {
  name: string;
  size: number;
  flags: boolean[];
  Tags?: { Key: string; Value: string }[];
}

const fields = { name: (i: Item) => i.name, size: (i: Item) => i.size, flag: (i: Item) => i.flags };
const items: Item[] = [
  { name: 'al2023-ami-2023.9-kernel-6.1-x86_64', size: 8, flags: [true], Tags: [{ Key: 'os', Value: 'linux' }] },
  { name: 'al2023-ami-2023.9-kernel-6.1-arm64', size: 2, flags: [false] },
  { name: 'Windows_Server-2022', size: 30, flags: [] },
];

function names(filters: { Name: string; Values: string[] }[]): string[] {
  return applyFilters(items, filters, fields).map((i) => i.name);
}

test('wildcards: * spans any run (also none), ? exactly one character, the rest is literal', () => {
  assert.equal(wildcardPattern('al2023-*-x86_64').test('al2023-ami-kernel-x86_64'), true);
  assert.equal(wildcardPattern('a*b').test('ab'), true);
  assert.equal(wildcardPattern('t?.micro').test('t3.micro'), true);
  assert.equal(wildcardPattern('t?.micro').test('t3a.micro'), false);
  assert.equal(wildcardPattern('t3.micro').test('t3xmicro'), false, 'a dot is not a regex wildcard');
  assert.equal(wildcardPattern('x86_64').test('x86_64 '), false, 'whole-string match');
});

test('values of one filter are ORed, filters are ANDed, matching is case-sensitive', () => {
  assert.deepEqual(names([{ Name: 'name', Values: ['*x86_64', 'Windows*'] }]), ['al2023-ami-2023.9-kernel-6.1-x86_64', 'Windows_Server-2022']);
  assert.deepEqual(names([{ Name: 'name', Values: ['al2023*'] }, { Name: 'size', Values: ['2'] }]), ['al2023-ami-2023.9-kernel-6.1-arm64']);
  assert.deepEqual(names([{ Name: 'name', Values: ['windows*'] }]), []);
});

test('numbers and booleans match their string forms; list fields match on any element', () => {
  assert.deepEqual(names([{ Name: 'size', Values: ['30'] }]), ['Windows_Server-2022']);
  assert.deepEqual(names([{ Name: 'flag', Values: ['false'] }]), ['al2023-ami-2023.9-kernel-6.1-arm64']);
});

test('tag:<key> filters read the tags', () => {
  assert.deepEqual(names([{ Name: 'tag:os', Values: ['lin*'] }]), ['al2023-ami-2023.9-kernel-6.1-x86_64']);
  assert.deepEqual(names([{ Name: 'tag-key', Values: ['os'] }]), ['al2023-ami-2023.9-kernel-6.1-x86_64']);
});

test('an unknown filter name is InvalidParameterValue', () => {
  assert.throws(
    () => applyFilters(items, [{ Name: 'colour', Values: ['red'] }], fields),
    (e: unknown) => e instanceof AwsError && e.code === 'InvalidParameterValue' && e.message === "The filter 'colour' is invalid" && e.status === 400,
  );
});
