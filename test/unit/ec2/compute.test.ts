// EC2 compute pieces without a server: the instance lifecycle on a clock (states, vanishing,
// running seconds), key material and fingerprints (checked against OpenSSH's ssh-keygen), and
// each EBS volume type's limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  hasVanished,
  PENDING_MS,
  runningSeconds,
  SHUTTING_DOWN_MS,
  stateAt,
  stateNameAt,
  STOPPING_MS,
  TERMINATED_VISIBLE_MS,
  userInitiatedReason,
  type LifecycleEvent,
} from '../../../src/services/ec2/instance-state.ts';
import { generateKeyPair, parsePublicKey } from '../../../src/services/ec2/key-pairs.ts';
import { checkVolumeSpec } from '../../../src/services/ec2/volumes.ts';
import { privateDnsName, publicDnsName } from '../../../src/services/ec2/instances.ts';
import { computeArn } from '../../../src/services/ec2/compute-store.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const SSH_KEYGEN = '/usr/bin/ssh-keygen';

test('the lifecycle timings: pending 2 s, stopping and shutting-down 3 s, terminated visible for an hour', () => {
  assert.deepEqual([PENDING_MS, STOPPING_MS, SHUTTING_DOWN_MS, TERMINATED_VISIBLE_MS], [2_000, 3_000, 3_000, 3_600_000]);
});

test('states follow the last change and the clock', () => {
  const events: LifecycleEvent[] = [{ action: 'launch', atMs: T0 }];
  assert.deepEqual(stateAt(events, T0), { Code: 0, Name: 'pending' });
  assert.deepEqual(stateAt(events, T0 + 1_999), { Code: 0, Name: 'pending' });
  assert.deepEqual(stateAt(events, T0 + 2_000), { Code: 16, Name: 'running' });
  events.push({ action: 'reboot', atMs: T0 + 10_000 });
  assert.equal(stateNameAt(events, T0 + 10_000), 'running');
  events.push({ action: 'stop', atMs: T0 + 20_000 });
  assert.deepEqual(stateAt(events, T0 + 22_999), { Code: 64, Name: 'stopping' });
  assert.deepEqual(stateAt(events, T0 + 23_000), { Code: 80, Name: 'stopped' });
  events.push({ action: 'start', atMs: T0 + 30_000 });
  assert.equal(stateNameAt(events, T0 + 31_000), 'pending');
  events.push({ action: 'terminate', atMs: T0 + 40_000 });
  assert.deepEqual(stateAt(events, T0 + 40_000), { Code: 32, Name: 'shutting-down' });
  assert.deepEqual(stateAt(events, T0 + 43_000), { Code: 48, Name: 'terminated' });
  assert.equal(hasVanished(events, T0 + 43_000 + 3_599_999), false);
  assert.equal(hasVanished(events, T0 + 43_000 + 3_600_000), true);
  assert.equal(stateNameAt([{ action: 'hibernate', atMs: T0 }], T0 + 3_000), 'stopped');
});

test('running seconds count only the running state, between starts and stops', () => {
  const events: LifecycleEvent[] = [
    { action: 'launch', atMs: T0 },
    { action: 'reboot', atMs: T0 + 30_000 },
    { action: 'stop', atMs: T0 + 62_000 }, // ran 60 s (from T0 + 2 s)
    { action: 'start', atMs: T0 + 100_000 },
  ];
  assert.equal(runningSeconds(events, T0 + 1_000), 0);
  assert.equal(runningSeconds(events, T0 + 12_500), 10);
  assert.equal(runningSeconds(events, T0 + 90_000), 60);
  assert.equal(runningSeconds(events, T0 + 102_000), 60);
  assert.equal(runningSeconds(events, T0 + 112_000), 70);
  events.push({ action: 'terminate', atMs: T0 + 122_000 });
  assert.equal(runningSeconds(events, T0 + 999_000), 80);
  // Terminated while pending: never ran.
  assert.equal(runningSeconds([{ action: 'launch', atMs: T0 }, { action: 'terminate', atMs: T0 + 1_000 }], T0 + 60_000), 0);
});

test('state transition reasons and DNS names read as AWS writes them', () => {
  assert.equal(userInitiatedReason(Date.UTC(2024, 4, 1, 12, 34, 56)), 'User initiated (2024-05-01 12:34:56 GMT)');
  assert.equal(privateDnsName('us-east-1', '10.0.0.12'), 'ip-10-0-0-12.ec2.internal');
  assert.equal(privateDnsName('eu-west-1', '10.0.0.12'), 'ip-10-0-0-12.eu-west-1.compute.internal');
  assert.equal(publicDnsName('us-east-1', '54.1.2.3'), 'ec2-54-1-2-3.compute-1.amazonaws.com');
  assert.equal(publicDnsName('eu-west-1', '54.1.2.3'), 'ec2-54-1-2-3.eu-west-1.compute.amazonaws.com');
  assert.equal(computeArn('us-east-1', '123456789012', 'image', 'ami-1'), 'arn:aws:ec2:us-east-1::image/ami-1');
  assert.equal(computeArn('us-east-1', '123456789012', 'instance', 'i-1'), 'arn:aws:ec2:us-east-1:123456789012:instance/i-1');
});

function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'bonsai-keys-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('an EC2-created RSA key: PKCS#1 PEM, fingerprint SHA-1 of its PKCS#8 DER, OpenSSH public key ssh-keygen agrees with', { skip: !existsSync(SSH_KEYGEN) && 'ssh-keygen is missing' }, () => {
  const key = generateKeyPair('rsa');
  assert.match(key.keyMaterial, /^-----BEGIN RSA PRIVATE KEY-----\n/);
  withTempDir((dir) => {
    const file = join(dir, 'id');
    writeFileSync(file, `${key.keyMaterial}\n`, { mode: 0o600 });
    const derived = execFileSync(SSH_KEYGEN, ['-y', '-f', file]).toString().trim();
    assert.equal(derived, key.publicKey);
    // AWS's documented check: openssl pkcs8 -in key.pem -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c
    const der = execFileSync('openssl', ['pkcs8', '-in', file, '-inform', 'PEM', '-outform', 'DER', '-topk8', '-nocrypt']);
    assert.equal(key.fingerprint, createHash('sha1').update(der).digest('hex').match(/../g)!.join(':'));
  });
});

test('an EC2-created ED25519 key: an OpenSSH private key ssh-keygen reads, fingerprint base64 SHA-256', { skip: !existsSync(SSH_KEYGEN) && 'ssh-keygen is missing' }, () => {
  const key = generateKeyPair('ed25519');
  assert.match(key.keyMaterial, /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  withTempDir((dir) => {
    const file = join(dir, 'id');
    writeFileSync(file, `${key.keyMaterial}\n`, { mode: 0o600 });
    assert.equal(execFileSync(SSH_KEYGEN, ['-y', '-f', file]).toString().trim(), key.publicKey);
    // ssh-keygen prints "256 SHA256:<base64 without padding> comment (ED25519)".
    const listed = execFileSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', file]).toString();
    assert.equal(`${/SHA256:(\S+)/.exec(listed)![1]}=`, key.fingerprint);
  });
});

test('imported public keys: RSA fingerprinted with MD5 of the DER public key, ED25519 like created ones, junk refused', () => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const created = generateKeyPair('rsa');
  const parsed = parsePublicKey(`${created.publicKey} someone@laptop`)!;
  const spki = createPublicKey(created.keyMaterial).export({ format: 'der', type: 'spki' });
  assert.deepEqual(parsed, { keyType: 'rsa', fingerprint: createHash('md5').update(spki).digest('hex').match(/../g)!.join(':'), publicKey: created.publicKey });
  // PEM public keys are accepted too.
  const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
  assert.equal(parsePublicKey(pem)!.fingerprint, createHash('md5').update(publicKey.export({ format: 'der', type: 'spki' })).digest('hex').match(/../g)!.join(':'));
  const ed = generateKeyPair('ed25519');
  assert.deepEqual(parsePublicKey(`${ed.publicKey} me`), { keyType: 'ed25519', fingerprint: ed.fingerprint, publicKey: ed.publicKey });
  assert.equal(parsePublicKey('ssh-rsa not-base64!'), undefined);
  assert.equal(parsePublicKey('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA=='), undefined);
  assert.equal(parsePublicKey('hello'), undefined);
});

test('volume types: sizes, IOPS and throughput within each type\'s limits', () => {
  assert.deepEqual(checkVolumeSpec({ size: 8 }), { VolumeType: 'gp2', Size: 8, Iops: 100, MultiAttachEnabled: false });
  assert.deepEqual(checkVolumeSpec({ size: 1000, volumeType: 'gp2' }), { VolumeType: 'gp2', Size: 1000, Iops: 3000, MultiAttachEnabled: false });
  assert.deepEqual(checkVolumeSpec({ size: 100, volumeType: 'gp3' }), { VolumeType: 'gp3', Size: 100, Iops: 3000, Throughput: 125, MultiAttachEnabled: false });
  assert.deepEqual(checkVolumeSpec({ size: 100, volumeType: 'io2', iops: 5000, multiAttach: true }), { VolumeType: 'io2', Size: 100, Iops: 5000, MultiAttachEnabled: true });
  assert.deepEqual(checkVolumeSpec({ snapshotSize: 8, volumeType: 'standard' }), { VolumeType: 'standard', Size: 8, MultiAttachEnabled: false });
  const refused = (spec: Parameters<typeof checkVolumeSpec>[0]) => {
    try {
      checkVolumeSpec(spec);
    } catch (err) {
      const e = err as { code: string; message: string };
      return [e.code, e.message];
    }
    return assert.fail('expected a refusal');
  };
  assert.deepEqual(refused({ size: 100, volumeType: 'st1' }), ['InvalidParameterValue', 'Volume of 100GiB is too small; minimum is 125GiB.']);
  assert.deepEqual(refused({ size: 2000, volumeType: 'standard' }), ['InvalidParameterValue', 'Volume of 2000GiB is too large; maximum is 1024GiB.']);
  assert.deepEqual(refused({ size: 100, volumeType: 'io1' }), ['MissingParameter', 'The request must contain the parameter iops']);
  assert.deepEqual(refused({ size: 10, volumeType: 'io1', iops: 1000 }), ['InvalidParameterValue', 'Iops to volume size ratio of 100.0 is too high; maximum is 50.']);
  assert.deepEqual(refused({ size: 10, volumeType: 'gp2', iops: 1000 }), ['InvalidParameterCombination', 'The parameter iops is not supported for gp2 volumes.']);
  assert.deepEqual(refused({ size: 10, volumeType: 'gp3', multiAttach: true }), ['InvalidParameterCombination', 'The parameter multiAttachEnabled is not supported for gp3 volumes.']);
  assert.deepEqual(refused({ size: 10, volumeType: 'ssd' }), ['InvalidParameterValue', 'Value (ssd) for parameter volumeType is invalid. Valid values are: standard, io1, io2, gp2, sc1, st1, gp3.']);
});
