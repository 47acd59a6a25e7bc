/**
 * S3's access control lists (S3 User Guide: "Access control list (ACL) overview", "Canned ACL",
 * "Controlling ownership of objects and disabling ACLs for your bucket").
 *
 * ACLs are kept in the API's own shape (Grant[]); the owner's FULL_CONTROL is always the first
 * grant. Under BucketOwnerEnforced, ACLs are disabled: writes that carry an ACL other than
 * bucket-owner-full-control fail with AccessControlListNotSupported, reads answer the owner's
 * FULL_CONTROL. Grants to the AllUsers / AuthenticatedUsers groups are "public" and are what
 * Block Public Access refuses (BlockPublicAcls) or ignores (IgnorePublicAcls).
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../../core/errors.ts';
import type { Grant, Grantee } from '../../../generated/s3/types.ts';

export const ALL_USERS_URI = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS_URI = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY_URI = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

export type AclPermission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';

/**
 * An account's S3 canonical user id: 64 hex digits, stable per account. AWS's are opaque; Bonsai
 * derives them from the account id so every part (bucket owners, ACL grants) agrees on one value.
 */
export function canonicalUserId(accountId: string): string {
  return createHash('sha256').update(`bonsai-s3-canonical-user:${accountId}`).digest('hex');
}

/** The account behind a canonical user id, among the accounts Bonsai knows (only one today). */
export function accountOfCanonicalId(id: string, knownAccounts: readonly string[]): string | undefined {
  return knownAccounts.find((account) => canonicalUserId(account) === id);
}

export function ownerGrantee(accountId: string): Grantee {
  return { Type: 'CanonicalUser', ID: canonicalUserId(accountId) };
}

function grant(grantee: Grantee, permission: AclPermission): Grant {
  return { Grantee: grantee, Permission: permission };
}

function group(uri: string): Grantee {
  return { Type: 'Group', URI: uri };
}

/**
 * A canned ACL's grants ("Canned ACL" table). `ownerAccount` owns the resource; `bucketOwner`
 * is the bucket's owner (differs for objects written cross-account).
 */
export function cannedAclGrants(acl: string, ownerAccount: string, bucketOwner: string): Grant[] {
  const owner = grant(ownerGrantee(ownerAccount), 'FULL_CONTROL');
  switch (acl) {
    case 'public-read':
      return [owner, grant(group(ALL_USERS_URI), 'READ')];
    case 'public-read-write':
      return [owner, grant(group(ALL_USERS_URI), 'READ'), grant(group(ALL_USERS_URI), 'WRITE')];
    case 'authenticated-read':
      return [owner, grant(group(AUTHENTICATED_USERS_URI), 'READ')];
    case 'log-delivery-write':
      return [owner, grant(group(LOG_DELIVERY_URI), 'WRITE'), grant(group(LOG_DELIVERY_URI), 'READ_ACP')];
    case 'bucket-owner-read':
      return bucketOwner === ownerAccount ? [owner] : [owner, grant(ownerGrantee(bucketOwner), 'READ')];
    case 'bucket-owner-full-control':
      return bucketOwner === ownerAccount ? [owner] : [owner, grant(ownerGrantee(bucketOwner), 'FULL_CONTROL')];
    default:
      // private, aws-exec-read (its EC2 grantee is internal to AWS)
      return [owner];
  }
}

/** The x-amz-grant-* request members, by the permission each grants. */
export const GRANT_MEMBERS: ReadonlyArray<readonly [member: string, permission: AclPermission]> = [
  ['GrantFullControl', 'FULL_CONTROL'],
  ['GrantRead', 'READ'],
  ['GrantReadACP', 'READ_ACP'],
  ['GrantWrite', 'WRITE'],
  ['GrantWriteACP', 'WRITE_ACP'],
];

function invalidArgument(message: string): AwsError {
  return new AwsError('InvalidArgument', message, { status: 400 });
}

/**
 * `id="…", uri="…", emailAddress="…"` (x-amz-grant-read and friends) → grants. Email grantees
 * name accounts Bonsai cannot look up: refused as AWS does in Regions without email grantees.
 */
export function parseGrantHeader(value: string, permission: AclPermission): Grant[] {
  const grants: Grant[] = [];
  for (const part of value.split(',')) {
    const item = part.trim();
    if (!item) continue;
    const match = /^(id|uri|emailAddress)\s*=\s*"?([^"]*)"?$/i.exec(item);
    if (!match) throw invalidArgument('Invalid Argument');
    const kind = match[1]!.toLowerCase();
    const target = match[2]!;
    if (kind === 'id') grants.push(grant({ Type: 'CanonicalUser', ID: target }, permission));
    else if (kind === 'uri') grants.push(grant(group(target), permission));
    else throw invalidArgument('Invalid Argument');
  }
  return grants;
}

/** Whether a request carries any ACL: a canned ACL, a grant header, or an AccessControlPolicy body. */
export function requestHasAcl(input: Record<string, unknown>): boolean {
  if (input.ACL !== undefined) return true;
  if (input.AccessControlPolicy !== undefined) return true;
  return GRANT_MEMBERS.some(([member]) => input[member] !== undefined);
}

/** The grants a request asks for (canned ACL, grant headers or an AccessControlPolicy body). */
export function requestedGrants(input: Record<string, unknown>, ownerAccount: string, bucketOwner: string): Grant[] {
  const headerGrants = GRANT_MEMBERS.flatMap(([member, permission]) =>
    typeof input[member] === 'string' ? parseGrantHeader(input[member] as string, permission) : [],
  );
  const policy = input.AccessControlPolicy as { Grants?: Grant[] } | undefined;
  const usesCanned = input.ACL !== undefined;
  const kinds = Number(usesCanned) + Number(headerGrants.length > 0) + Number(policy !== undefined);
  if (kinds > 1) {
    throw invalidArgument(
      usesCanned && headerGrants.length > 0
        ? 'Specifying both Canned ACLs and Header Grants is not allowed'
        : 'This request does not support content',
    );
  }
  if (usesCanned) return cannedAclGrants(String(input.ACL), ownerAccount, bucketOwner);
  if (headerGrants.length > 0) return headerGrants;
  if (policy) return (policy.Grants ?? []).map(normaliseGrant);
  return cannedAclGrants('private', ownerAccount, bucketOwner);
}

function normaliseGrant(g: Grant): Grant {
  const grantee = g.Grantee;
  if (!grantee || !g.Permission) throw new AwsError('MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema', { status: 400 });
  if (grantee.Type === 'Group') return grant(group(grantee.URI ?? ''), g.Permission as AclPermission);
  if (grantee.Type === 'CanonicalUser') return grant({ Type: 'CanonicalUser', ID: grantee.ID ?? '' }, g.Permission as AclPermission);
  throw invalidArgument('Invalid Argument');
}

/** Grants to AllUsers or AuthenticatedUsers: what AWS calls public ("The meaning of public"). */
export function isPublicGrant(g: Grant): boolean {
  const uri = g.Grantee?.Type === 'Group' ? g.Grantee.URI : undefined;
  return uri === ALL_USERS_URI || uri === AUTHENTICATED_USERS_URI;
}

export function hasPublicGrant(grants: readonly Grant[]): boolean {
  return grants.some(isPublicGrant);
}

/** Whether grants are exactly "the bucket owner has FULL_CONTROL" (what BucketOwnerEnforced still accepts). */
export function onlyOwnerFullControl(grants: readonly Grant[], bucketOwner: string): boolean {
  const ownerId = canonicalUserId(bucketOwner);
  return grants.every((g) => g.Grantee?.Type === 'CanonicalUser' && g.Grantee.ID === ownerId && g.Permission === 'FULL_CONTROL');
}

export function aclNotSupported(): AwsError {
  return new AwsError('AccessControlListNotSupported', 'The bucket does not allow ACLs', { status: 400 });
}
