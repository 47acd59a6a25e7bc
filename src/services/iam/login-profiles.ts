/**
 * Console passwords (login profiles), the account password policy and ChangePassword. Passwords
 * are hashed with scrypt and a random salt; the clear text is never stored or logged.
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../../core/errors.ts';
import type { RequestContext } from '../../core/context.ts';
import type {
  ChangePasswordRequest,
  CreateLoginProfileRequest,
  DeleteLoginProfileRequest,
  GetLoginProfileRequest,
  UpdateAccountPasswordPolicyRequest,
  UpdateLoginProfileRequest,
} from '../../generated/iam/types.ts';
import {
  KIND,
  Messages,
  deleteRecord,
  entityAlreadyExists,
  getRecord,
  inTransaction,
  loadAccount,
  nameKey,
  noSuchEntity,
  nowIso,
  putRecord,
  saveAccount,
  toDate,
  type LoginProfileRecord,
  type PasswordPolicyRecord,
} from './common.ts';
import { requireUser } from './lookup.ts';

export function hashPassword(password: string): { salt: string; hash: string } {
  const salt = randomBytes(16);
  return { salt: salt.toString('base64'), hash: scryptSync(password, salt, 32).toString('base64') };
}

export function passwordMatches(password: string, stored: { salt: string; hash: string }): boolean {
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = scryptSync(password, Buffer.from(stored.salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

// ---------------------------------------------------------------------------------------------
// Password policy

export const PASSWORD_POLICY_VIOLATION = 'Password does not conform to the account password policy.';
const SYMBOLS = "!@#$%^&*()_+-=[]{}|'";

function violation(): AwsError {
  return new AwsError('PasswordPolicyViolation', PASSWORD_POLICY_VIOLATION, { status: 400 });
}

/**
 * Without a custom policy IAM applies its default: 8 to 128 characters, at least three of
 * upper case, lower case, digits and symbols (IAM User Guide, "Set an account password policy").
 */
export function checkPassword(password: string, policy: PasswordPolicyRecord | undefined): void {
  const has = {
    upper: /[A-Z]/.test(password),
    lower: /[a-z]/.test(password),
    digit: /[0-9]/.test(password),
    symbol: [...password].some((c) => SYMBOLS.includes(c)),
  };
  if (!policy) {
    const kinds = Object.values(has).filter(Boolean).length;
    if (password.length < 8 || password.length > 128 || kinds < 3) throw violation();
    return;
  }
  if (password.length < policy.MinimumPasswordLength) throw violation();
  if (policy.RequireUppercaseCharacters && !has.upper) throw violation();
  if (policy.RequireLowercaseCharacters && !has.lower) throw violation();
  if (policy.RequireNumbers && !has.digit) throw violation();
  if (policy.RequireSymbols && !has.symbol) throw violation();
}

export async function updateAccountPasswordPolicy(ctx: RequestContext, input: UpdateAccountPasswordPolicyRequest) {
  await inTransaction(ctx, async (tx) => {
    const account = await loadAccount(tx, ctx.accountId);
    const policy: PasswordPolicyRecord = {
      MinimumPasswordLength: input.MinimumPasswordLength ?? 6,
      RequireSymbols: input.RequireSymbols ?? false,
      RequireNumbers: input.RequireNumbers ?? false,
      RequireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
      RequireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
      AllowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
    };
    if (input.MaxPasswordAge !== undefined) policy.MaxPasswordAge = input.MaxPasswordAge;
    if (input.PasswordReusePrevention !== undefined) policy.PasswordReusePrevention = input.PasswordReusePrevention;
    if (input.HardExpiry !== undefined) policy.HardExpiry = input.HardExpiry;
    account.PasswordPolicy = policy;
    await saveAccount(tx, ctx.accountId, account);
  });
  return {};
}

function noPasswordPolicy(account: string): AwsError {
  return noSuchEntity(`The Password Policy with domain name ${account} cannot be found.`);
}

export async function getAccountPasswordPolicy(ctx: RequestContext) {
  const policy = (await loadAccount(ctx.store, ctx.accountId)).PasswordPolicy;
  if (!policy) throw noPasswordPolicy(ctx.accountId);
  const expires = policy.MaxPasswordAge !== undefined && policy.MaxPasswordAge > 0;
  return { PasswordPolicy: { ...policy, ExpirePasswords: expires } };
}

export async function deleteAccountPasswordPolicy(ctx: RequestContext) {
  await inTransaction(ctx, async (tx) => {
    const account = await loadAccount(tx, ctx.accountId);
    if (!account.PasswordPolicy) throw noPasswordPolicy(ctx.accountId);
    delete account.PasswordPolicy;
    await saveAccount(tx, ctx.accountId, account);
  });
  return {};
}

// ---------------------------------------------------------------------------------------------
// Login profiles

export async function createLoginProfile(ctx: RequestContext, input: CreateLoginProfileRequest) {
  const profile = await inTransaction(ctx, async (tx) => {
    const user = await requireUser(tx, ctx.accountId, input.UserName!);
    const key = nameKey(user.UserName);
    if (await getRecord(tx, KIND.loginProfile, ctx.accountId, key)) throw entityAlreadyExists(Messages.loginProfileExists(user.UserName));
    checkPassword(input.Password ?? '', (await loadAccount(tx, ctx.accountId)).PasswordPolicy);
    const now = nowIso(ctx);
    const rec: LoginProfileRecord = {
      UserName: user.UserName,
      CreateDate: now,
      PasswordResetRequired: input.PasswordResetRequired ?? false,
      PasswordHash: hashPassword(input.Password ?? ''),
      PasswordLastChanged: now,
    };
    await putRecord(tx, KIND.loginProfile, ctx.accountId, key, rec);
    return rec;
  });
  return { LoginProfile: { UserName: profile.UserName, CreateDate: toDate(profile.CreateDate), PasswordResetRequired: profile.PasswordResetRequired } };
}

async function requireLoginProfile(ctx: RequestContext, userName: string, ops = ctx.store as Parameters<typeof getRecord>[0]) {
  const user = await requireUser(ops, ctx.accountId, userName);
  const profile = await getRecord<LoginProfileRecord>(ops, KIND.loginProfile, ctx.accountId, nameKey(user.UserName));
  if (!profile) throw noSuchEntity(Messages.noSuchLoginProfile(user.UserName));
  return profile;
}

export async function getLoginProfile(ctx: RequestContext, input: GetLoginProfileRequest) {
  const profile = await requireLoginProfile(ctx, input.UserName!);
  return { LoginProfile: { UserName: profile.UserName, CreateDate: toDate(profile.CreateDate), PasswordResetRequired: profile.PasswordResetRequired } };
}

export async function updateLoginProfile(ctx: RequestContext, input: UpdateLoginProfileRequest) {
  await inTransaction(ctx, async (tx) => {
    const profile = await requireLoginProfile(ctx, input.UserName, tx);
    if (input.Password !== undefined) {
      checkPassword(input.Password, (await loadAccount(tx, ctx.accountId)).PasswordPolicy);
      profile.PasswordHash = hashPassword(input.Password);
      profile.PasswordLastChanged = nowIso(ctx);
    }
    if (input.PasswordResetRequired !== undefined) profile.PasswordResetRequired = input.PasswordResetRequired;
    await putRecord(tx, KIND.loginProfile, ctx.accountId, nameKey(profile.UserName), profile);
  });
  return {};
}

export async function deleteLoginProfile(ctx: RequestContext, input: DeleteLoginProfileRequest) {
  await inTransaction(ctx, async (tx) => {
    const profile = await requireLoginProfile(ctx, input.UserName!, tx);
    await deleteRecord(tx, KIND.loginProfile, ctx.accountId, nameKey(profile.UserName));
  });
  return {};
}

/** ChangePassword acts on the calling IAM user only; the root user changes its password elsewhere. */
export async function changePassword(ctx: RequestContext, input: ChangePasswordRequest) {
  if (ctx.principal.type !== 'user') {
    throw new AwsError('InvalidUserType', 'Only IAM Users can change their own password.', { status: 400 });
  }
  const userName = ctx.principal.name;
  await inTransaction(ctx, async (tx) => {
    const profile = await requireLoginProfile(ctx, userName, tx);
    if (!passwordMatches(input.OldPassword, profile.PasswordHash)) {
      throw new AwsError('InvalidUserType', 'The old password is incorrect.', { status: 400 });
    }
    checkPassword(input.NewPassword, (await loadAccount(tx, ctx.accountId)).PasswordPolicy);
    profile.PasswordHash = hashPassword(input.NewPassword);
    profile.PasswordLastChanged = nowIso(ctx);
    profile.PasswordResetRequired = false;
    await putRecord(tx, KIND.loginProfile, ctx.accountId, nameKey(profile.UserName), profile);
  });
  return {};
}
