/**
 * Shared plumbing of the IAM provider: where records live in the store, ARNs, timestamps, the
 * URL-encoding IAM applies to policy documents in responses, pagination, and the error texts
 * IAM uses for each kind of entity (checked against the IAM API Reference and real responses).
 *
 * IAM is global: every record is stored with region '' and keyed by the lower-cased name,
 * because IAM names are unique case-insensitively ("ADMIN" and "admin" cannot coexist) and
 * lookups ignore case too.
 */
import { AwsError } from '../../core/errors.ts';
import type { RequestContext } from '../../core/context.ts';
import type { DocOps, Store } from '../../store/types.ts';
import type { Tag } from '../../generated/iam/types.ts';

export const KIND = {
  user: 'iam:user',
  group: 'iam:group',
  role: 'iam:role',
  policy: 'iam:policy',
  instanceProfile: 'iam:instance-profile',
  accessKey: 'iam:access-key',
  loginProfile: 'iam:login-profile',
  mfaDevice: 'iam:mfa-device',
  account: 'iam:account',
} as const;
export type IamKind = (typeof KIND)[keyof typeof KIND];

// ---------------------------------------------------------------------------------------------
// Records (what is stored; responses are built from them)

export interface InlinePolicies {
  /** Policy name → the document exactly as the caller sent it. */
  [name: string]: string;
}

export interface UserRecord {
  UserName: string;
  UserId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  PermissionsBoundary?: string;
  Tags: Tag[];
  InlinePolicies: InlinePolicies;
  AttachedPolicies: string[];
  /** Names of the groups the user belongs to (membership lives on the user only). */
  Groups: string[];
  PasswordLastUsed?: string;
}

export interface GroupRecord {
  GroupName: string;
  GroupId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  InlinePolicies: InlinePolicies;
  AttachedPolicies: string[];
}

export interface RoleRecord {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: string;
  Tags: Tag[];
  InlinePolicies: InlinePolicies;
  AttachedPolicies: string[];
  /** For service-linked roles: the service principal that owns the role. */
  ServiceLinkedTo?: string;
  RoleLastUsed?: { LastUsedDate: string; Region: string };
}

export interface PolicyVersionRecord {
  VersionId: string;
  Document: string;
  CreateDate: string;
}

export interface PolicyRecord {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  CreateDate: string;
  UpdateDate: string;
  DefaultVersionId: string;
  Versions: PolicyVersionRecord[];
  /** Version ids are never reused: v1, v2, … even after deletions. */
  NextVersion: number;
  Tags: Tag[];
}

export interface InstanceProfileRecord {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  Path: string;
  CreateDate: string;
  Roles: string[];
  Tags: Tag[];
}

export interface AccessKeyRecord {
  AccessKeyId: string;
  /** Needed to verify SigV4 signatures; never logged and never returned after creation. */
  /** Sealed with the data directory's master key (src/core/secrets.ts). */
  SecretAccessKey: string;
  UserName: string;
  Status: 'Active' | 'Inactive';
  CreateDate: string;
  LastUsed?: { Date: string; ServiceName: string; Region: string };
}

export interface LoginProfileRecord {
  UserName: string;
  CreateDate: string;
  PasswordResetRequired: boolean;
  /** scrypt(password, salt): the clear password is never stored. */
  PasswordHash: { salt: string; hash: string };
  PasswordLastChanged: string;
}

export interface MfaDeviceRecord {
  SerialNumber: string;
  Name: string;
  Path: string;
  /** RFC 4648 base32 seed, as handed to the caller once in CreateVirtualMFADevice. */
  Seed: string;
  CreateDate: string;
  UserName?: string;
  EnableDate?: string;
  Tags: Tag[];
}

export interface PasswordPolicyRecord {
  MinimumPasswordLength: number;
  RequireSymbols: boolean;
  RequireNumbers: boolean;
  RequireUppercaseCharacters: boolean;
  RequireLowercaseCharacters: boolean;
  AllowUsersToChangePassword: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

export interface AccountRecord {
  Aliases: string[];
  PasswordPolicy?: PasswordPolicyRecord;
  CredentialReport?: { GeneratedTime: string; Content: string };
  DeletionTasks: Record<string, 'SUCCEEDED'>;
}

// ---------------------------------------------------------------------------------------------
// Store access

export function docKey(kind: IamKind, account: string, id: string) {
  return { kind, account, region: '', id };
}

export async function getRecord<T>(ops: DocOps, kind: IamKind, account: string, id: string): Promise<T | undefined> {
  const doc = await ops.get<T>(docKey(kind, account, id));
  return doc?.value;
}

export async function putRecord<T>(ops: DocOps, kind: IamKind, account: string, id: string, value: T): Promise<void> {
  await ops.put(docKey(kind, account, id), value);
}

export async function deleteRecord(ops: DocOps, kind: IamKind, account: string, id: string): Promise<void> {
  await ops.delete(docKey(kind, account, id));
}

export async function listRecords<T>(ops: DocOps, kind: IamKind, account: string): Promise<T[]> {
  const docs = await ops.list<T>({ kind, account, region: '' });
  return docs.map((d) => d.value);
}

export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** Runs a mutation in one store transaction (IAM writes touch several records at once). */
export function inTransaction<T>(ctx: RequestContext, fn: (tx: DocOps) => Promise<T>): Promise<T> {
  return ctx.store.transaction(fn);
}

export async function loadAccount(ops: DocOps, account: string): Promise<AccountRecord> {
  return (await getRecord<AccountRecord>(ops, KIND.account, account, 'settings')) ?? { Aliases: [], DeletionTasks: {} };
}

export async function saveAccount(ops: DocOps, account: string, rec: AccountRecord): Promise<void> {
  await putRecord(ops, KIND.account, account, 'settings', rec);
}

export type StoreLike = Store | DocOps;

// ---------------------------------------------------------------------------------------------
// ARNs, paths, dates, documents

export function iamArn(account: string, type: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:${type}${path}${name}`;
}

/** IAM timestamps carry whole seconds (CreateDate "2015-02-06T18:39:46Z"). */
export function nowIso(ctx: RequestContext): string {
  const ms = ctx.clock.nowMs();
  return new Date(ms - (ms % 1000)).toISOString();
}

export function toDate(iso: string): Date;
export function toDate(iso: string | undefined): Date | undefined;
export function toDate(iso: string | undefined): Date | undefined {
  return iso === undefined ? undefined : new Date(iso);
}

/** IAM returns policy documents URL-encoded (RFC 3986) inside its XML responses. */
export function encodeDocument(document: string): string {
  return encodeURIComponent(document);
}

export function defaultPath(path: string | undefined): string {
  return path ?? '/';
}

export function pathMatches(path: string, prefix: string | undefined): boolean {
  return prefix === undefined || path.startsWith(prefix);
}

// ---------------------------------------------------------------------------------------------
// Pagination: Marker / MaxItems / IsTruncated, as every IAM List* does (MaxItems 1–1000, default 100)

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

export function paginate<T>(all: T[], input: { Marker?: string; MaxItems?: number }): Page<T> {
  const max = input.MaxItems ?? 100;
  let start = 0;
  if (input.Marker !== undefined) {
    const offset = decodeMarker(input.Marker);
    if (offset === undefined) throw invalidInput('Invalid Marker.');
    start = offset;
  }
  const items = all.slice(start, start + max);
  const end = start + items.length;
  if (end < all.length) return { items, IsTruncated: true, Marker: encodeMarker(end) };
  return { items, IsTruncated: false };
}

/** Markers are opaque to callers; ours carry the offset of the next item. */
function encodeMarker(offset: number): string {
  return Buffer.from(`bonsai-iam:${offset}`).toString('base64');
}

function decodeMarker(marker: string): number | undefined {
  const m = /^bonsai-iam:(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

export function pageFields<T>(page: Page<T>): { IsTruncated: boolean; Marker?: string } {
  return page.Marker === undefined ? { IsTruncated: page.IsTruncated } : { IsTruncated: page.IsTruncated, Marker: page.Marker };
}

// ---------------------------------------------------------------------------------------------
// Errors, with IAM's texts

export function noSuchEntity(message: string): AwsError {
  return new AwsError('NoSuchEntity', message, { status: 404 });
}

export function entityAlreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message, { status: 409 });
}

export function deleteConflict(message: string): AwsError {
  return new AwsError('DeleteConflict', message, { status: 409 });
}

export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, { status: 409 });
}

export function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInput', message, { status: 400 });
}

export function quotaExceeded(quota: string, value: number): AwsError {
  return limitExceeded(`Cannot exceed quota for ${quota}: ${value}`);
}

export const Messages = {
  noSuchUser: (name: string) => `The user with name ${name} cannot be found.`,
  noSuchGroup: (name: string) => `The group with name ${name} cannot be found.`,
  noSuchRole: (name: string) => `The role with name ${name} cannot be found.`,
  noSuchInstanceProfile: (name: string) => `Instance Profile ${name} cannot be found.`,
  noSuchPolicy: (arn: string) => `Policy ${arn} does not exist or is not attachable.`,
  policyNotFound: (arn: string) => `Policy ${arn} was not found.`,
  noSuchPolicyVersion: (arn: string, version: string) => `Policy ${arn} version ${version} does not exist or is not attachable.`,
  noSuchInlinePolicy: (entity: 'user' | 'group' | 'role', name: string) => `The ${entity} policy with name ${name} cannot be found.`,
  noSuchLoginProfile: (user: string) => `Login Profile for User ${user} cannot be found.`,
  noSuchAccessKey: (id: string) => `The Access Key with id ${id} cannot be found.`,
  noSuchMfaDevice: (serial: string) => `VirtualMFADevice with serial number ${serial} doesn't exist.`,
  userExists: (name: string) => `User with name ${name} already exists.`,
  groupExists: (name: string) => `Group with name ${name} already exists.`,
  roleExists: (name: string) => `Role with name ${name} already exists.`,
  policyExists: (name: string) => `A policy called ${name} already exists. Duplicate names are not allowed.`,
  instanceProfileExists: (name: string) => `Instance Profile ${name} already exists.`,
  loginProfileExists: (user: string) => `Login Profile for user ${user} already exists.`,
  mfaDeviceExists: () => 'MFADevice entity at the same path and name already exists.',
  mustDeleteLoginProfile: 'Cannot delete entity, must delete login profile first.',
  mustDeleteAccessKeys: 'Cannot delete entity, must delete access keys first.',
  mustDeleteMfa: 'Cannot delete entity, must delete MFA device first.',
  mustDeletePolicies: 'Cannot delete entity, must delete policies first.',
  mustDetachPolicies: 'Cannot delete entity, must detach all policies first.',
  mustRemoveFromGroups: 'Cannot delete entity, must remove users from group first.',
  mustRemoveFromInstanceProfiles: 'Cannot delete entity, must remove roles from instance profile first.',
  mustRemoveRoles: 'Cannot delete entity, must remove roles from instance profile first.',
  policyAttached: 'Cannot delete a policy attached to entities.',
  policyHasVersions:
    "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
  defaultVersion: 'Cannot delete the default version of a policy.',
  tooManyVersions: 'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
} as const;

export const Quotas = {
  users: 5000,
  groups: 300,
  roles: 1000,
  policies: 1500,
  instanceProfiles: 1000,
  groupsPerUser: 10,
  attachedPerEntity: 10,
  accessKeysPerUser: 2,
  versionsPerPolicy: 5,
  tagsPerResource: 50,
  mfaDevicesPerUser: 8,
  rolesPerInstanceProfile: 1,
  aliasesPerAccount: 1,
} as const;
