/**
 * What STS's operations share: AWS's error texts, which session credentials may call which STS
 * operations, the MFA check, role lookup by ARN and the Credentials shape.
 */
import { AwsError } from '../../core/errors.ts';
import type { RequestContext } from '../../core/context.ts';
import type { Principal } from '../../core/principal.ts';
import type { DocOps } from '../../store/types.ts';
import { KIND, getRecord, nameKey, type RoleRecord } from '../iam/common.ts';
import { getMfaDevice, verifyTotp } from '../iam/mfa.ts';
import type { StsSessionRecord } from './sessions.ts';

export const StsMessages = {
  rootCannotAssumeRoles: 'Roles may not be assumed by root accounts.',
  /** The trailing space is AWS's. */
  invalidMfaCode: 'MultiFactorAuthentication failed with invalid MFA one time pass code. ',
  /** The double space is AWS's. */
  unknownMfaDevice:
    'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.',
  cannotCallWithSession: (operation: string) => `Cannot call ${operation} with session credentials`,
  invalidAuthorizationMessage: 'The message is not valid.',
} as const;

export function accessDenied(message: string): AwsError {
  return new AwsError('AccessDenied', message, { status: 403 });
}

/**
 * Which STS operations each kind of temporary credential may call (IAM User Guide, "Compare AWS
 * STS credentials"): role sessions cannot call GetFederationToken or GetSessionToken;
 * GetSessionToken sessions only AssumeRole and GetCallerIdentity; federated users only
 * GetCallerIdentity. Long-term credentials may call everything.
 */
const ALLOWED_WITH_SESSION: Record<NonNullable<Principal['session']>['kind'], (operation: string) => boolean> = {
  'assumed-role': (op) => op !== 'GetFederationToken' && op !== 'GetSessionToken',
  'session-token': (op) => op === 'AssumeRole' || op === 'GetCallerIdentity',
  federation: (op) => op === 'GetCallerIdentity',
};

export function sessionMayCall(principal: Principal, operation: string): boolean {
  const session = principal.session;
  return session === undefined || ALLOWED_WITH_SESSION[session.kind](operation);
}

/** Throws AWS's "Cannot call … with session credentials" when the caller's session may not call the operation. */
export function refuseRestrictedSession(principal: Principal, operation: string): void {
  if (!sessionMayCall(principal, operation)) throw accessDenied(StsMessages.cannotCallWithSession(operation));
}

/**
 * Checks an MFA code against the caller's own device (AssumeRole and GetSessionToken with
 * SerialNumber and TokenCode). A device that does not exist or belongs to someone else fails
 * like AWS's "unable to validate"; a wrong code like AWS's "invalid MFA one time pass code".
 */
export async function verifyCallerMfa(ctx: RequestContext, serialNumber: string | undefined, tokenCode: string | undefined): Promise<void> {
  const caller = ctx.principal;
  if (serialNumber === undefined || tokenCode === undefined || caller.type !== 'user') throw accessDenied(StsMessages.unknownMfaDevice);
  const device = await getMfaDevice(ctx.store, ctx.accountId, serialNumber);
  if (!device || device.UserName === undefined || nameKey(device.UserName) !== nameKey(caller.name)) throw accessDenied(StsMessages.unknownMfaDevice);
  if (!verifyTotp(device.Seed, tokenCode, ctx.clock.nowMs())) throw accessDenied(StsMessages.invalidMfaCode);
}

export function mfaRequested(input: { SerialNumber?: string; TokenCode?: string }): boolean {
  return input.SerialNumber !== undefined || input.TokenCode !== undefined;
}

/** arn:aws:iam::123456789012:role/path/name → its parts, or undefined for anything else. */
export function parseRoleArn(arn: string): { accountId: string; path: string; name: string } | undefined {
  const m = /^arn:aws:iam::(\d{12}):role(\/(?:[^/]+\/)*)([\w+=,.@-]+)$/.exec(arn);
  return m ? { accountId: m[1]!, path: m[2]!, name: m[3]! } : undefined;
}

/** The role an ARN names in this account (name case-insensitive, path exact), if any. */
export async function findRoleByArn(ops: DocOps, accountId: string, arn: string): Promise<RoleRecord | undefined> {
  const parts = parseRoleArn(arn);
  if (!parts || parts.accountId !== accountId) return undefined;
  const role = await getRecord<RoleRecord>(ops, KIND.role, accountId, nameKey(parts.name));
  return role && role.Path === parts.path ? role : undefined;
}

export function credentialsShape(record: StsSessionRecord) {
  return {
    AccessKeyId: record.accessKeyId,
    SecretAccessKey: record.secretAccessKey,
    SessionToken: record.sessionToken,
    Expiration: new Date(record.expiresAt),
  };
}

/** Tag lists as a map; later duplicates win (keys are case-insensitive for session tags, kept as given). */
export function tagMap(tags: ReadonlyArray<{ Key?: string; Value?: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** aws:RequestTag/<key> for each tag and aws:TagKeys, as tagging requests supply them. */
export function requestTagContext(tags: Record<string, string>): Record<string, string | string[]> {
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  const context: Record<string, string | string[]> = { 'aws:TagKeys': keys };
  for (const key of keys) context[`aws:RequestTag/${key}`] = tags[key]!;
  return context;
}
