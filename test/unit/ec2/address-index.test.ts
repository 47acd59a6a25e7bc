/**
 * EC2's private-address index (src/services/ec2/address-index.ts): kept in step by Ec2Db's writes of
 * interface and NAT gateway documents, it answers which address a launch takes and how many
 * instances are live without reading those documents.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../../src/core/errors.ts';
import { createClock, type Clock } from '../../../src/core/clock.ts';
import type { RequestContext } from '../../../src/core/context.ts';
import { silentLogger } from '../../../src/core/logger.ts';
import { SecretBox } from '../../../src/core/secrets.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { Ec2Db } from '../../../src/services/ec2/db.ts';
import { chooseAddress, ec2Migrations } from '../../../src/services/ec2/address-index.ts';
import { ensureAddressIndex } from '../../../src/services/ec2/network-interfaces.ts';
import type { NatGatewayRecord, NetworkInterfaceRecord, SubnetRecord } from '../../../src/services/ec2/records.ts';

const ACCOUNT = '123456789012';
let dir: string;
let store: Store;
let clock: Clock;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bonsai-ec2-address-index-'));
  clock = createClock();
  store = await openStore({ kind: 'sqlite', file: join(dir, 'bonsai.db'), now: () => clock.now() });
  await store.migrate('ec2', ec2Migrations);
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function ctx(region: string): RequestContext {
  return {
    requestId: 'test-request',
    accountId: ACCOUNT,
    region,
    signedRegion: region,
    service: 'ec2',
    operation: 'test',
    principal: { type: 'root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, userId: ACCOUNT, name: '' },
    clock,
    store,
    secrets: new SecretBox(randomBytes(32)),
    log: silentLogger(),
    request: { method: 'POST', target: '/', headers: {}, body: Buffer.alloc(0) } as unknown as RequestContext['request'],
    sourceIp: '127.0.0.1',
    dataDir: tmpdir(),
  };
}

/** A /28: usable addresses .4 to .14 (AWS reserves the first four and the last). */
function subnet(id: string): SubnetRecord {
  return { SubnetId: id, CidrBlock: '10.0.0.0/28', VpcId: 'vpc-1', AvailabilityZone: 'eu-west-1a' } as SubnetRecord;
}

function eni(id: string, subnetId: string, ip: string, attachedAt?: number): NetworkInterfaceRecord {
  return {
    NetworkInterfaceId: id,
    SubnetId: subnetId,
    PrivateIpAddress: ip,
    ...(attachedAt !== undefined ? { Attachment: { AttachmentId: `eni-attach-${id}`, InstanceId: `i-${id}`, DeviceIndex: attachedAt, DeleteOnTermination: true, AttachTimeMs: 0 } } : {}),
  } as NetworkInterfaceRecord;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.status, 400);
    assert.equal(err.message, message);
    return true;
  });
}

/** Takes the next free address of the subnet with a new interface document, as RunInstances does. */
async function launchInto(net: Ec2Db, s: SubnetRecord, id: string, deviceIndex?: number): Promise<string> {
  const ip = await chooseAddress(net.addressIndex(), s, undefined);
  await net.put('eni', id, eni(id, s.SubnetId, ip, deviceIndex));
  return ip;
}

test('addresses are the first free ones after the reserved four; a freed address is taken again first', async () => {
  await store.transaction(async (tx) => {
    const net = new Ec2Db(tx, ACCOUNT, 'eu-west-1');
    const s = subnet('subnet-a');
    assert.equal(await launchInto(net, s, 'eni-a1'), '10.0.0.4');
    assert.equal(await launchInto(net, s, 'eni-a2'), '10.0.0.5');
    assert.equal(await launchInto(net, s, 'eni-a3'), '10.0.0.6');
    await net.delete('eni', 'eni-a2');
    assert.equal(await launchInto(net, s, 'eni-a4'), '10.0.0.5');
    assert.equal(await launchInto(net, s, 'eni-a5'), '10.0.0.7');
    // A NAT gateway's address (any state) is taken too.
    await net.put('nat', 'nat-a', { NatGatewayId: 'nat-a', SubnetId: 'subnet-a', State: 'deleted', NatGatewayAddresses: [{ PrivateIp: '10.0.0.8' }] } as NatGatewayRecord);
    assert.equal(await launchInto(net, s, 'eni-a6'), '10.0.0.9');
    // Another subnet of the same block in another VPC is independent.
    assert.equal(await launchInto(net, subnet('subnet-b'), 'eni-b1'), '10.0.0.4');
  });
});

test('a requested address must be inside the subnet, not reserved and free; a full subnet says so', async () => {
  await store.transaction(async (tx) => {
    const net = new Ec2Db(tx, ACCOUNT, 'eu-west-2');
    const s = subnet('subnet-c');
    const index = net.addressIndex();
    await net.put('eni', 'eni-c1', eni('eni-c1', 'subnet-c', '10.0.0.10'));
    await rejectsWith(chooseAddress(index, s, '10.0.0.10'), 'InvalidIPAddress.InUse', 'Address 10.0.0.10 is in use.');
    await rejectsWith(chooseAddress(index, s, '10.0.0.2'), 'InvalidParameterValue', "Address 10.0.0.2 is in subnet's reserved address range");
    await rejectsWith(chooseAddress(index, s, '10.0.0.15'), 'InvalidParameterValue', "Address 10.0.0.15 is in subnet's reserved address range");
    await rejectsWith(chooseAddress(index, s, '10.0.1.4'), 'InvalidParameterValue', "Address 10.0.1.4 does not fall within the subnet's address range");
    assert.equal(await chooseAddress(index, s, '10.0.0.11'), '10.0.0.11');
    const taken: string[] = [];
    for (let n = 0; n < 10; n++) taken.push(await launchInto(net, s, `eni-fill-${n}`));
    assert.deepEqual(taken, ['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.7', '10.0.0.8', '10.0.0.9', '10.0.0.11', '10.0.0.12', '10.0.0.13', '10.0.0.14']);
    await rejectsWith(
      chooseAddress(index, s, undefined),
      'InsufficientFreeAddressesInSubnet',
      "There are not enough free addresses in subnet 'subnet-c' to satisfy the requested number of instances.",
    );
  });
});

test('live instances are the interfaces attached at device index 0, through attach, detach and delete', async () => {
  await store.transaction(async (tx) => {
    const net = new Ec2Db(tx, ACCOUNT, 'eu-west-3');
    const index = net.addressIndex();
    const s = subnet('subnet-d');
    assert.equal(await index.liveInstances(), 0);
    await launchInto(net, s, 'eni-d1', 0);
    await launchInto(net, s, 'eni-d2', 0);
    await launchInto(net, s, 'eni-d3', 1);
    await launchInto(net, s, 'eni-d4');
    assert.equal(await index.liveInstances(), 2);
    // Rewriting a document (a tag, a description) changes nothing.
    await net.put('eni', 'eni-d1', eni('eni-d1', 'subnet-d', '10.0.0.4', 0));
    assert.equal(await index.liveInstances(), 2);
    // A primary interface kept at termination (DeleteOnTermination false) is detached.
    await net.put('eni', 'eni-d1', eni('eni-d1', 'subnet-d', '10.0.0.4'));
    assert.equal(await index.liveInstances(), 1);
    await net.delete('eni', 'eni-d2');
    await net.delete('eni', 'eni-d3');
    assert.equal(await index.liveInstances(), 0);
  });
});

test('a region written before the index existed is indexed from its documents once', async () => {
  const region = 'ap-south-1';
  const key = (id: string) => ({ kind: 'ec2:eni', account: ACCOUNT, region, id });
  // Written around Ec2Db, as an older Bonsai did: the index knows nothing of them.
  await store.put(key('eni-old1'), eni('eni-old1', 'subnet-e', '10.0.0.4', 0));
  await store.put(key('eni-old2'), eni('eni-old2', 'subnet-e', '10.0.0.5'));
  await store.put({ kind: 'ec2:nat', account: ACCOUNT, region, id: 'nat-old' }, { NatGatewayId: 'nat-old', SubnetId: 'subnet-e', NatGatewayAddresses: [{ PrivateIp: '10.0.0.6' }] });
  assert.equal(await new Ec2Db(store, ACCOUNT, region).addressIndex().liveInstances(), 0);

  await ensureAddressIndex(ctx(region));
  await store.transaction(async (tx) => {
    const net = new Ec2Db(tx, ACCOUNT, region);
    assert.equal(await net.addressIndex().liveInstances(), 1);
    assert.equal(await launchInto(net, subnet('subnet-e'), 'eni-new', 0), '10.0.0.7');
  });
  // Built once: a document written around Ec2Db afterwards is not picked up again.
  await store.put(key('eni-old3'), eni('eni-old3', 'subnet-e', '10.0.0.8', 0));
  await ensureAddressIndex(ctx(region));
  assert.equal(await new Ec2Db(store, ACCOUNT, region).addressIndex().liveInstances(), 2);
});
