/**
 * Bucket policies: S3's validation on PutBucketPolicy (MalformedPolicy with S3's own wording, which
 * differs from IAM's) and AWS's definition of a "public" policy (S3 User Guide, "Blocking public
 * access to your Amazon S3 storage" → "The meaning of public").
 *
 * Structure is checked by the shared IAM policy parser (src/iam/policy/); S3's checks come first
 * so that its messages win: the first byte must be '{', every Resource must be this bucket or its
 * objects, every Action must be an S3 action that applies to one of the statement's resources.
 */
import { AwsError } from '../../../core/errors.ts';
import { parseCidr } from '../../../iam/policy/conditions.ts';
import { parsePolicy, PolicyDocumentError } from '../../../iam/policy/parse.ts';
import type { ConditionValue, ParsedStatement } from '../../../iam/policy/types.ts';

export const BucketPolicyMessages = {
  firstByte: "Policies must be valid JSON and the first byte must be '{'",
  invalidJson: 'This policy contains invalid Json',
  invalidPrincipal: 'Invalid principal in policy',
  invalidResource: 'Policy has invalid resource',
  invalidAction: 'Policy has invalid action',
  actionWithoutResource: 'Action does not apply to any resource(s) in statement',
  missing: (field: string) => `Missing required field ${field}`,
  invalidEffect: (effect: string) => `Invalid effect: ${effect}`,
  unknownField: (field: string) => `Unknown field ${field}`,
} as const;

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicy', message, { status: 400 });
}

/** S3 actions whose resource is an object (`arn:aws:s3:::bucket/key`); the rest apply to the bucket. */
const OBJECT_ACTIONS = new Set(
  [
    'AbortMultipartUpload', 'BypassGovernanceRetention', 'DeleteObject', 'DeleteObjectAnnotation', 'DeleteObjectTagging',
    'DeleteObjectVersion', 'DeleteObjectVersionAnnotation', 'DeleteObjectVersionTagging', 'GetObject', 'GetObjectAcl',
    'GetObjectAnnotation', 'GetObjectAttributes', 'GetObjectLegalHold', 'GetObjectRetention', 'GetObjectTagging',
    'GetObjectTorrent', 'GetObjectVersion', 'GetObjectVersionAcl', 'GetObjectVersionAnnotation',
    'GetObjectVersionAnnotationForReplication', 'GetObjectVersionAttributes', 'GetObjectVersionForReplication',
    'GetObjectVersionTagging', 'GetObjectVersionTorrent', 'InitiateReplication', 'ListMultipartUploadParts',
    'ListObjectAnnotations', 'ListObjectVersionAnnotations', 'ObjectOwnerOverrideToBucketOwner', 'PutObject',
    'PutObjectAcl', 'PutObjectAnnotation', 'PutObjectLegalHold', 'PutObjectRetention', 'PutObjectTagging',
    'PutObjectVersionAcl', 'PutObjectVersionAnnotation', 'PutObjectVersionTagging', 'ReplicateDelete', 'ReplicateObject',
    'ReplicateObjectAnnotation', 'ReplicateTags', 'RestoreObject', 'UpdateObjectEncryption',
  ].map((a) => a.toLowerCase()),
);

const BUCKET_ACTIONS = new Set(
  [
    'AllowVendedLogDeliveryForResource', 'CreateBucket', 'CreateBucketMetadataTableConfiguration', 'DeleteBucket',
    'DeleteBucketMetadataTableConfiguration', 'DeleteBucketPolicy', 'DeleteBucketWebsite', 'GetAccelerateConfiguration',
    'GetAnalyticsConfiguration', 'GetBucketAbac', 'GetBucketAcl', 'GetBucketCORS', 'GetBucketLocation', 'GetBucketLogging',
    'GetBucketMetadataTableConfiguration', 'GetBucketNotification', 'GetBucketObjectLockConfiguration',
    'GetBucketOwnershipControls', 'GetBucketPolicy', 'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock',
    'GetBucketRequestPayment', 'GetBucketTagging', 'GetBucketVersioning', 'GetBucketWebsite', 'GetEncryptionConfiguration',
    'GetIntelligentTieringConfiguration', 'GetInventoryConfiguration', 'GetLifecycleConfiguration', 'GetMetricsConfiguration',
    'GetReplicationConfiguration', 'ListBucket', 'ListBucketMultipartUploads', 'ListBucketVersions', 'ListTagsForResource',
    'PauseReplication', 'PutAccelerateConfiguration', 'PutAnalyticsConfiguration', 'PutBucketAbac', 'PutBucketAcl',
    'PutBucketCORS', 'PutBucketLogging', 'PutBucketNotification', 'PutBucketObjectLockConfiguration',
    'PutBucketOwnershipControls', 'PutBucketPolicy', 'PutBucketPublicAccessBlock', 'PutBucketRequestPayment',
    'PutBucketTagging', 'PutBucketVersioning', 'PutBucketWebsite', 'PutEncryptionConfiguration',
    'PutIntelligentTieringConfiguration', 'PutInventoryConfiguration', 'PutLifecycleConfiguration', 'PutMetricsConfiguration',
    'PutReplicationConfiguration', 'TagResource', 'UntagResource', 'UpdateBucketMetadataAnnotationTableConfiguration',
    'UpdateBucketMetadataInventoryTableConfiguration', 'UpdateBucketMetadataJournalTableConfiguration',
  ].map((a) => a.toLowerCase()),
);

/** Actions that name no resource (s3:ListAllMyBuckets, account-level BPA): valid in a policy, never applicable. */
const ACCOUNT_ACTIONS = new Set(['listallmybuckets', 'getaccountpublicaccessblock', 'putaccountpublicaccessblock', 'listaccesspoints', 'listjobs', 'createjob']);

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

interface ResourceKinds {
  bucket: boolean;
  object: boolean;
}

/** What a Resource entry can name within this bucket; "Policy has invalid resource" otherwise. */
function resourceKinds(resource: unknown, bucket: string): ResourceKinds {
  if (typeof resource !== 'string') throw malformed(BucketPolicyMessages.invalidResource);
  const match = /^arn:aws:s3:::([^/]*)(\/.*)?$/.exec(resource);
  if (!match) throw malformed(BucketPolicyMessages.invalidResource);
  const [, bucketPart, keyPart] = match;
  if (!globToRegExp(bucketPart!).test(bucket)) throw malformed(BucketPolicyMessages.invalidResource);
  if (keyPart !== undefined) return { bucket: false, object: true };
  // "arn:aws:s3:::bucket*" may also match "bucket/key"
  return { bucket: true, object: bucketPart!.endsWith('*') };
}

/** Which kinds of resource an Action entry can apply to; throws for actions S3 does not know. */
function actionKinds(action: unknown): ResourceKinds & { account: boolean } {
  if (typeof action !== 'string') throw malformed(BucketPolicyMessages.invalidAction);
  if (action === '*') return { bucket: true, object: true, account: true };
  const colon = action.indexOf(':');
  const vendor = action.slice(0, colon).toLowerCase();
  const name = action.slice(colon + 1).toLowerCase();
  if (colon <= 0 || vendor !== 's3') throw malformed(BucketPolicyMessages.invalidAction);
  const pattern = globToRegExp(name);
  const kinds = {
    bucket: [...BUCKET_ACTIONS].some((a) => pattern.test(a)),
    object: [...OBJECT_ACTIONS].some((a) => pattern.test(a)),
    account: [...ACCOUNT_ACTIONS].some((a) => pattern.test(a)),
  };
  if (!kinds.bucket && !kinds.object && !kinds.account) throw malformed(BucketPolicyMessages.invalidAction);
  return kinds;
}

/** S3's own checks of one statement, before the shared parser sees the document. */
function checkStatement(raw: unknown, bucket: string): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed(BucketPolicyMessages.invalidJson);
  const statement = raw as Record<string, unknown>;
  for (const field of Object.keys(statement)) if (!STATEMENT_FIELDS.has(field)) throw malformed(BucketPolicyMessages.unknownField(field));
  if (statement.Effect === undefined) throw malformed(BucketPolicyMessages.missing('Effect'));
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw malformed(BucketPolicyMessages.invalidEffect(String(statement.Effect)));
  if (statement.Principal === undefined && statement.NotPrincipal === undefined) throw malformed(BucketPolicyMessages.missing('Principal'));
  const actions = statement.Action ?? statement.NotAction;
  if (actions === undefined) throw malformed(BucketPolicyMessages.missing('Action'));
  const resources = statement.Resource ?? statement.NotResource;
  if (resources === undefined) throw malformed(BucketPolicyMessages.missing('Resource'));

  const resourceList = asList(resources).map((r) => resourceKinds(r, bucket));
  const actionList = asList(actions).map(actionKinds);
  // NotAction / NotResource name what is excluded, so applicability cannot be judged from them.
  if (statement.Action === undefined || statement.Resource === undefined) return;
  for (const kinds of actionList) {
    const applies = resourceList.some((r) => (r.bucket && kinds.bucket) || (r.object && kinds.object));
    if (!applies) throw malformed(BucketPolicyMessages.actionWithoutResource);
  }
}

/**
 * Validates a bucket policy as PutBucketPolicy does, throwing MalformedPolicy (400) with S3's
 * messages. Returns nothing: the text is stored exactly as put.
 */
export function validateBucketPolicy(text: string, bucket: string): void {
  if (!text.trimStart().startsWith('{')) throw malformed(BucketPolicyMessages.firstByte);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformed(BucketPolicyMessages.invalidJson);
  }
  const document = raw as Record<string, unknown>;
  if (document.Statement === undefined) throw malformed(BucketPolicyMessages.missing('Statement'));
  for (const statement of asList(document.Statement)) checkStatement(statement, bucket);
  try {
    parsePolicy(raw, 'resource', { errorCode: 'MalformedPolicy' });
  } catch (err) {
    if (err instanceof PolicyDocumentError && err.message.startsWith('Invalid principal in policy')) throw malformed(BucketPolicyMessages.invalidPrincipal);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// "The meaning of public"

/**
 * Condition keys whose fixed values limit a statement to known callers: with one of these
 * (equality-style operator, no wildcard, no policy variable), a wildcard principal is not public.
 */
const LIMITING_KEYS = new Set(
  [
    'aws:SourceArn', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:SourceAccount', 'aws:SourceOwner', 'aws:SourceOrgID',
    'aws:PrincipalOrgID', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalOrgPaths', 'aws:userid',
    's3:DataAccessPointArn', 's3:DataAccessPointAccount', 's3:x-amz-server-side-encryption-aws-kms-key-id',
  ].map((k) => k.toLowerCase()),
);

/** Operators that require the key to equal (or match) the given values; negations limit nothing. */
const LIMITING_OPERATORS = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)(IfExists)?$/i;
const IP_OPERATOR = /^IpAddress(IfExists)?$/i;

/** A value with no wildcard and no policy variable ("fixed" in AWS's wording). */
function isFixed(value: ConditionValue): boolean {
  const text = String(value);
  return text !== '' && !/[*?]/.test(text) && !text.includes('${');
}

/**
 * aws:userid limits only outside the "AROLEID:*" pattern: a role id with a wildcard session is any
 * session of the role, which AWS still treats as fixed; other wildcards are not.
 */
function isFixedUserId(value: ConditionValue): boolean {
  const text = String(value);
  if (/^AROA[A-Z0-9]+:\*$/.test(text)) return true;
  return isFixed(value);
}

/** IPv4 ranges wider than /8 and IPv6 ranges wider than /32 are public. */
function isNarrowCidr(value: ConditionValue): boolean {
  const cidr = parseCidr(String(value));
  if (!cidr) return false;
  const minimum = cidr.bytes.length === 4 ? 8 : 32;
  return cidr.prefix >= minimum;
}

function statementIsLimited(statement: ParsedStatement): boolean {
  for (const [operator, keys] of Object.entries(statement.condition ?? {})) {
    const qualified = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
    for (const [key, values] of Object.entries(keys)) {
      const lower = key.toLowerCase();
      if (lower === 'aws:sourceip' && IP_OPERATOR.test(qualified) && values.length > 0 && values.every(isNarrowCidr)) return true;
      if (!LIMITING_KEYS.has(lower) || !LIMITING_OPERATORS.test(qualified) || values.length === 0) continue;
      if (values.every(lower === 'aws:userid' ? isFixedUserId : isFixed)) return true;
    }
  }
  return false;
}

function grantsToEveryone(statement: ParsedStatement): boolean {
  if (statement.notPrincipal) return true;
  const principal = statement.principal;
  if (!principal) return false;
  return principal.wildcard || principal.AWS.includes('*') || principal.CanonicalUser.includes('*');
}

/**
 * AWS's "public" for a bucket policy: some Allow statement grants to a wildcard principal (or
 * through NotPrincipal) without a condition that pins callers to fixed values of the limiting
 * keys. Unparsable documents are not public (they cannot be stored).
 */
export function isPublicPolicy(document: string): boolean {
  let statements: ParsedStatement[];
  try {
    statements = parsePolicy(document, 'resource', { errorCode: 'MalformedPolicy' }).statements;
  } catch {
    return false;
  }
  return statements.some((s) => s.effect === 'Allow' && grantsToEveryone(s) && !statementIsLimited(s));
}
