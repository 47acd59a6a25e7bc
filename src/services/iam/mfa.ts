/**
 * Virtual MFA devices: RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits) on Bonsai's clock,
 * with one step of drift either way. `verifyTotp` is exported for STS (GetSessionToken with MFA).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  CreateVirtualMFADeviceRequest,
  DeactivateMFADeviceRequest,
  DeleteVirtualMFADeviceRequest,
  EnableMFADeviceRequest,
  ListMFADevicesRequest,
  ListVirtualMFADevicesRequest,
  ResyncMFADeviceRequest,
} from '../../generated/iam/types.ts';
import type { DocOps } from '../../store/types.ts';
import {
  KIND,
  Messages,
  Quotas,
  deleteConflict,
  deleteRecord,
  defaultPath,
  entityAlreadyExists,
  getRecord,
  iamArn,
  inTransaction,
  listRecords,
  loadAccount,
  nameKey,
  noSuchEntity,
  nowIso,
  pageFields,
  paginate,
  putRecord,
  quotaExceeded,
  toDate,
  type MfaDeviceRecord,
} from './common.ts';
import { requireUser, userShape } from './lookup.ts';
import { callerUserName } from './access-keys.ts';
import { checkTagList } from './tags.ts';

const STEP_SECONDS = 30;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

export function base32Decode(text: string): Buffer {
  const clean = text.replace(/=+$/, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new RangeError('not base32');
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code for a time step (a counter of 30-second periods since the epoch). */
export function totpAt(seed: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(seed)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** DIGITS;
  return String(binary).padStart(DIGITS, '0');
}

export function totpStep(atMs: number): number {
  return Math.floor(atMs / 1000 / STEP_SECONDS);
}

/** True if `code` is the device's code for the step at `atMs`, or the step before or after. */
export function verifyTotp(seed: string, code: string, atMs: number): boolean {
  const now = totpStep(atMs);
  for (const step of [now - 1, now, now + 1]) if (totpAt(seed, step) === code) return true;
  return false;
}

/** Two consecutive codes, the second within one step of now (EnableMFADevice, ResyncMFADevice). */
function verifyConsecutive(seed: string, code1: string, code2: string, atMs: number, drift: number): boolean {
  const now = totpStep(atMs);
  for (let second = now - drift; second <= now + drift; second++) {
    if (totpAt(seed, second - 1) === code1 && totpAt(seed, second) === code2) return true;
  }
  return false;
}

function invalidCode(): AwsError {
  return new AwsError('InvalidAuthenticationCode', 'Authentication code for device is not valid.', { status: 403 });
}

export async function getMfaDevice(ops: DocOps, account: string, serial: string): Promise<MfaDeviceRecord | undefined> {
  return getRecord<MfaDeviceRecord>(ops, KIND.mfaDevice, account, serial);
}

export async function mfaDevicesOfUser(ops: DocOps, account: string, userName: string): Promise<MfaDeviceRecord[]> {
  const key = nameKey(userName);
  return (await listRecords<MfaDeviceRecord>(ops, KIND.mfaDevice, account)).filter((d) => d.UserName !== undefined && nameKey(d.UserName) === key);
}

// ---------------------------------------------------------------------------------------------

/**
 * The QR code encodes otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String,
 * where AccountName is the account alias if set, otherwise the account id (IAM API Reference,
 * VirtualMFADevice).
 */
export function otpauthUri(deviceName: string, accountName: string, seed: string): string {
  return `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}?secret=${seed}`;
}

export async function createVirtualMfaDevice(ctx: RequestContext, input: CreateVirtualMFADeviceRequest) {
  const path = defaultPath(input.Path);
  const tags = checkTagList(input.Tags);
  const seed = base32Encode(randomBytes(40));
  const serial = iamArn(ctx.accountId, 'mfa', path, input.VirtualMFADeviceName);
  const account = await inTransaction(ctx, async (tx) => {
    const existing = await listRecords<MfaDeviceRecord>(tx, KIND.mfaDevice, ctx.accountId);
    if (existing.some((d) => nameKey(d.Name) === nameKey(input.VirtualMFADeviceName))) throw entityAlreadyExists(Messages.mfaDeviceExists());
    const rec: MfaDeviceRecord = { SerialNumber: serial, Name: input.VirtualMFADeviceName, Path: path, Seed: seed, CreateDate: nowIso(ctx), Tags: tags };
    await putRecord(tx, KIND.mfaDevice, ctx.accountId, serial, rec);
    return loadAccount(tx, ctx.accountId);
  });
  const accountName = account.Aliases[0] ?? ctx.accountId;
  // Loaded on first use: only CreateVirtualMFADevice needs it, and it costs start-up time.
  const { default: QRCode } = await import('qrcode');
  const png = await QRCode.toBuffer(otpauthUri(input.VirtualMFADeviceName, accountName, seed), { type: 'png' });
  const device: Record<string, unknown> = { SerialNumber: serial, Base32StringSeed: Buffer.from(seed, 'ascii'), QRCodePNG: png };
  if (tags.length > 0) device.Tags = tags;
  return { VirtualMFADevice: device };
}

async function requireDevice(ops: DocOps, account: string, serial: string): Promise<MfaDeviceRecord> {
  const device = await getMfaDevice(ops, account, serial);
  if (!device) throw noSuchEntity(Messages.noSuchMfaDevice(serial));
  return device;
}

export async function enableMfaDevice(ctx: RequestContext, input: EnableMFADeviceRequest) {
  await inTransaction(ctx, async (tx) => {
    const user = await requireUser(tx, ctx.accountId, input.UserName);
    const device = await requireDevice(tx, ctx.accountId, input.SerialNumber);
    if (device.UserName !== undefined) throw entityAlreadyExists('MFA Device is already in use.');
    if ((await mfaDevicesOfUser(tx, ctx.accountId, user.UserName)).length >= Quotas.mfaDevicesPerUser) {
      throw quotaExceeded('MFADevicesPerUser', Quotas.mfaDevicesPerUser);
    }
    if (!verifyConsecutive(device.Seed, input.AuthenticationCode1, input.AuthenticationCode2, ctx.clock.nowMs(), 1)) throw invalidCode();
    device.UserName = user.UserName;
    device.EnableDate = nowIso(ctx);
    await putRecord(tx, KIND.mfaDevice, ctx.accountId, device.SerialNumber, device);
  });
  return {};
}

async function requireAssignedDevice(tx: DocOps, ctx: RequestContext, userName: string, serial: string): Promise<MfaDeviceRecord> {
  const user = await requireUser(tx, ctx.accountId, userName);
  const device = await getMfaDevice(tx, ctx.accountId, serial);
  if (!device || device.UserName === undefined || nameKey(device.UserName) !== nameKey(user.UserName)) {
    throw noSuchEntity(`MFA Device with serial number ${serial} does not exist.`);
  }
  return device;
}

export async function resyncMfaDevice(ctx: RequestContext, input: ResyncMFADeviceRequest) {
  await inTransaction(ctx, async (tx) => {
    const device = await requireAssignedDevice(tx, ctx, input.UserName, input.SerialNumber);
    // Resync exists for clocks that drifted: accept a wider window than sign-in does.
    if (!verifyConsecutive(device.Seed, input.AuthenticationCode1, input.AuthenticationCode2, ctx.clock.nowMs(), 10)) throw invalidCode();
  });
  return {};
}

export async function deactivateMfaDevice(ctx: RequestContext, input: DeactivateMFADeviceRequest) {
  await inTransaction(ctx, async (tx) => {
    const device = await requireAssignedDevice(tx, ctx, input.UserName!, input.SerialNumber);
    delete device.UserName;
    delete device.EnableDate;
    await putRecord(tx, KIND.mfaDevice, ctx.accountId, device.SerialNumber, device);
  });
  return {};
}

export async function deleteVirtualMfaDevice(ctx: RequestContext, input: DeleteVirtualMFADeviceRequest) {
  await inTransaction(ctx, async (tx) => {
    const device = await requireDevice(tx, ctx.accountId, input.SerialNumber);
    if (device.UserName !== undefined) throw deleteConflict('MFA device is still in use.');
    await deleteRecord(tx, KIND.mfaDevice, ctx.accountId, device.SerialNumber);
  });
  return {};
}

export async function listMfaDevices(ctx: RequestContext, input: ListMFADevicesRequest) {
  const user = await requireUser(ctx.store, ctx.accountId, callerUserName(ctx, input.UserName));
  const page = paginate(await mfaDevicesOfUser(ctx.store, ctx.accountId, user.UserName), input);
  return {
    MFADevices: page.items.map((d) => ({ UserName: user.UserName, SerialNumber: d.SerialNumber, EnableDate: toDate(d.EnableDate!) })),
    ...pageFields(page),
  };
}

export async function listVirtualMfaDevices(ctx: RequestContext, input: ListVirtualMFADevicesRequest) {
  const status = input.AssignmentStatus ?? 'Any';
  const devices = (await listRecords<MfaDeviceRecord>(ctx.store, KIND.mfaDevice, ctx.accountId)).filter(
    (d) => status === 'Any' || (status === 'Assigned') === (d.UserName !== undefined),
  );
  const page = paginate(devices, input);
  const shaped = [];
  for (const d of page.items) {
    const out: Record<string, unknown> = { SerialNumber: d.SerialNumber };
    if (d.UserName !== undefined) {
      const user = await requireUser(ctx.store, ctx.accountId, d.UserName);
      out.User = userShape(user, false);
      out.EnableDate = toDate(d.EnableDate!);
    }
    if (d.Tags.length > 0) out.Tags = d.Tags;
    shaped.push(out);
  }
  return { VirtualMFADevices: shaped, ...pageFields(page) };
}
