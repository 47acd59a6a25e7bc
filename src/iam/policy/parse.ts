/**
 * Parses and validates a policy document the way IAM does when a policy is created or attached,
 * throwing AWS's MalformedPolicyDocument messages.
 *
 * Sources (IAM User Guide): "Grammar of the IAM JSON policy language", "IAM JSON policy elements
 * reference", "IAM and AWS STS quotas". Exact message texts come from real IAM responses quoted in
 * public issue threads (e.g. "Policy statement must contain resources.", "Resource foo must be in
 * ARN format or \"*\".", "Actions/Condition can contain only one colon.").
 */
import { AwsError } from '../../core/errors.ts';
import { parseOperator } from './conditions.ts';
import type {
  ConditionBlock,
  ConditionValue,
  Effect,
  ParsedPolicy,
  ParsedStatement,
  PolicyKind,
  PolicyVersion,
  PrincipalBlock,
} from './types.ts';

/** IAM's MalformedPolicyDocument (HTTP 400). Services with another code (S3's MalformedPolicy) pass it. */
export class PolicyDocumentError extends AwsError {
  constructor(message: string, code = 'MalformedPolicyDocument') {
    super(code, message, { status: 400 });
    this.name = 'PolicyDocumentError';
  }
}

/** The messages IAM uses, in one place so tests and callers can refer to them by name. */
export const PolicyMessages = {
  syntax: 'Syntax errors in policy.',
  legacyParsing: 'The policy failed legacy parsing',
  invalidVersion: 'The policy must contain a valid version string',
  principalNotAllowed: 'Policy document should not specify a principal.',
  missingPrincipal: 'Missing required field Principal',
  missingActions: 'Policy statement must contain actions.',
  missingResources: 'Policy statement must contain resources.',
  vendorRequired: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  vendorWildcard: 'Action vendors (e.g., aws, ec2, etc.) must not contain wildcards',
  sidNotUnique: 'Statement IDs (SID) in a single policy must be unique.',
  sidNotAlphanumeric:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  resourceNotArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  iamResourceRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
} as const;

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'] as const;

/** Kinds whose documents are IAM policies (Sids must be alphanumeric there; S3 allows more). */
const IAM_KINDS: ReadonlySet<PolicyKind> = new Set(['identity', 'boundary', 'session', 'trust']);

export interface ParseOptions {
  /** Error code to throw with (default MalformedPolicyDocument; S3 uses MalformedPolicy). */
  errorCode?: string;
}

/** Parses a policy document (JSON text or an already decoded value) and validates it for `kind`. */
export function parsePolicy(document: string | unknown, kind: PolicyKind, options: ParseOptions = {}): ParsedPolicy {
  const fail = (message: string): never => {
    throw new PolicyDocumentError(message, options.errorCode);
  };
  const raw = typeof document === 'string' ? decodeJson(document, fail) : document;
  if (!isPlainObject(raw)) return fail(PolicyMessages.syntax);
  for (const key of Object.keys(raw)) if (!TOP_LEVEL_KEYS.has(key)) fail(PolicyMessages.syntax);

  const { version, versionOmitted } = readVersion(raw.Version, fail);
  if (raw.Id !== undefined && typeof raw.Id !== 'string') fail(PolicyMessages.syntax);
  const rawStatements = raw.Statement;
  if (rawStatements === undefined) return fail(PolicyMessages.syntax);
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length === 0) fail(PolicyMessages.syntax);

  const ctx: StatementContext = { kind, legacy: version === '2008-10-17', fail };
  const statements = list.map((s) => parseStatement(s, ctx));
  checkSids(statements, kind, fail);
  return { kind, version, versionOmitted, id: raw.Id as string | undefined, statements };
}

interface StatementContext {
  kind: PolicyKind;
  legacy: boolean;
  fail: (message: string) => never;
}

function decodeJson(text: string, fail: (m: string) => never): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(PolicyMessages.syntax);
  }
}

function readVersion(value: unknown, fail: (m: string) => never): { version: PolicyVersion; versionOmitted: boolean } {
  if (value === undefined) return { version: '2008-10-17', versionOmitted: true };
  if (value !== '2012-10-17' && value !== '2008-10-17') return fail(PolicyMessages.invalidVersion);
  return { version: value, versionOmitted: false };
}

function parseStatement(raw: unknown, ctx: StatementContext): ParsedStatement {
  const { fail, kind } = ctx;
  if (!isPlainObject(raw)) return fail(PolicyMessages.syntax);
  for (const key of Object.keys(raw)) if (!STATEMENT_KEYS.has(key)) fail(PolicyMessages.syntax);
  if ('Action' in raw && 'NotAction' in raw) fail(PolicyMessages.syntax);
  if ('Resource' in raw && 'NotResource' in raw) fail(PolicyMessages.syntax);
  if ('Principal' in raw && 'NotPrincipal' in raw) fail(PolicyMessages.syntax);

  const statement: ParsedStatement = { effect: readEffect(raw.Effect, fail) };
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== 'string') fail(PolicyMessages.syntax);
    statement.sid = raw.Sid as string;
  }

  readPrincipals(raw, statement, ctx);
  readActions(raw, statement, ctx);
  readResources(raw, statement, ctx);
  if (raw.Condition !== undefined) statement.condition = readCondition(raw.Condition, fail);
  return statement;
}

function readEffect(value: unknown, fail: (m: string) => never): Effect {
  if (value === 'Allow' || value === 'Deny') return value;
  return fail(PolicyMessages.syntax);
}

function readPrincipals(raw: Record<string, unknown>, statement: ParsedStatement, ctx: StatementContext): void {
  const hasPrincipal = raw.Principal !== undefined || raw.NotPrincipal !== undefined;
  const wantsPrincipal = ctx.kind === 'resource' || ctx.kind === 'trust';
  if (!wantsPrincipal) {
    if (hasPrincipal) ctx.fail(PolicyMessages.principalNotAllowed);
    return;
  }
  if (!hasPrincipal) ctx.fail(PolicyMessages.missingPrincipal);
  if (raw.Principal !== undefined) statement.principal = readPrincipalBlock(raw.Principal, ctx.fail);
  else statement.notPrincipal = readPrincipalBlock(raw.NotPrincipal, ctx.fail);
}

function readPrincipalBlock(value: unknown, fail: (m: string) => never): PrincipalBlock {
  const block: PrincipalBlock = { wildcard: false, AWS: [], Service: [], Federated: [], CanonicalUser: [] };
  if (value === '*') {
    block.wildcard = true;
    block.AWS.push('*');
    return block;
  }
  if (!isPlainObject(value) || Object.keys(value).length === 0) return fail(PolicyMessages.syntax);
  for (const [type, entry] of Object.entries(value)) {
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) fail(PolicyMessages.syntax);
    const values = readStringList(entry, fail);
    if (values.length === 0) fail(PolicyMessages.syntax);
    if (type === 'AWS') for (const v of values) if (!isValidAwsPrincipal(v)) fail(PolicyMessages.invalidPrincipal('AWS', v));
    block[type as (typeof PRINCIPAL_TYPES)[number]].push(...values);
  }
  return block;
}

/**
 * AWS principals IAM accepts syntactically: "*", an account id, an IAM root/user/role ARN, an STS
 * session ARN, or a unique id (IAM rewrites deleted principals to their AIDA…/AROA… ids).
 * Whether the named user or role exists is the caller's business (IAM checks it for trust policies).
 */
export function isValidAwsPrincipal(value: string): boolean {
  if (value === '*' || /^\d{12}$/.test(value)) return true;
  if (/^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)$/.test(value)) return true;
  if (/^arn:aws[a-z-]*:sts::\d{12}:(assumed-role\/[^/]+\/.+|federated-user\/.+)$/.test(value)) return true;
  return /^A[A-Z0-9]{15,127}$/.test(value);
}

function readActions(raw: Record<string, unknown>, statement: ParsedStatement, ctx: StatementContext): void {
  const field = raw.Action !== undefined ? 'Action' : raw.NotAction !== undefined ? 'NotAction' : undefined;
  if (!field) return ctx.fail(PolicyMessages.missingActions);
  const actions = readStringList(raw[field], ctx.fail);
  if (actions.length === 0) ctx.fail(PolicyMessages.missingActions);
  for (const action of actions) checkAction(action, ctx.fail);
  if (field === 'Action') statement.action = actions;
  else statement.notAction = actions;
}

function checkAction(action: string, fail: (m: string) => never): void {
  if (action === '*') return;
  const colon = action.indexOf(':');
  if (colon <= 0) fail(PolicyMessages.vendorRequired);
  if (action.indexOf(':', colon + 1) !== -1) fail(PolicyMessages.oneColon);
  const vendor = action.slice(0, colon);
  if (vendor.includes('*') || vendor.includes('?')) fail(PolicyMessages.vendorWildcard);
}

function readResources(raw: Record<string, unknown>, statement: ParsedStatement, ctx: StatementContext): void {
  const field = raw.Resource !== undefined ? 'Resource' : raw.NotResource !== undefined ? 'NotResource' : undefined;
  if (ctx.kind === 'trust') {
    // A role trust policy names who may assume the role; the resource is the role itself.
    if (field) ctx.fail(`Has prohibited field ${field}`);
    return;
  }
  if (!field) return ctx.fail(PolicyMessages.missingResources);
  const resources = readStringList(raw[field], ctx.fail);
  if (resources.length === 0) ctx.fail(PolicyMessages.missingResources);
  for (const resource of resources) checkResource(resource, ctx);
  if (field === 'Resource') statement.resource = resources;
  else statement.notResource = resources;
}

function checkResource(resource: string, ctx: StatementContext): void {
  if (resource === '*') return;
  const parts = resource.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) {
    // The legacy (2008-10-17 / no Version) parser reports every malformed resource this way.
    ctx.fail(ctx.legacy ? PolicyMessages.legacyParsing : PolicyMessages.resourceNotArn(resource));
  }
  const [, , service, region] = parts;
  if (service === 'iam' && region !== '' && ctx.kind !== 'resource') ctx.fail(PolicyMessages.iamResourceRegion(resource));
}

function readCondition(value: unknown, fail: (m: string) => never): ConditionBlock {
  if (!isPlainObject(value)) return fail(PolicyMessages.syntax);
  const block: ConditionBlock = {};
  for (const [operator, keys] of Object.entries(value)) {
    if (!parseOperator(operator)) fail(PolicyMessages.syntax);
    if (!isPlainObject(keys) || Object.keys(keys).length === 0) fail(PolicyMessages.syntax);
    const byKey: Record<string, ConditionValue[]> = {};
    for (const [key, rawValues] of Object.entries(keys as Record<string, unknown>)) {
      checkConditionKey(key, fail);
      byKey[key] = readConditionValues(rawValues, fail);
    }
    block[operator] = byKey;
  }
  return block;
}

/** Condition keys need a vendor ("aws:", "s3:"); tag keys after a "/" may contain colons. */
function checkConditionKey(key: string, fail: (m: string) => never): void {
  const slash = key.indexOf('/');
  const head = slash === -1 ? key : key.slice(0, slash);
  const colon = head.indexOf(':');
  if (colon <= 0) fail(PolicyMessages.vendorRequired);
  if (head.indexOf(':', colon + 1) !== -1) fail(PolicyMessages.oneColon);
}

function readConditionValues(value: unknown, fail: (m: string) => never): ConditionValue[] {
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') fail(PolicyMessages.syntax);
  return list as ConditionValue[];
}

function readStringList(value: unknown, fail: (m: string) => never): string[] {
  const list = Array.isArray(value) ? value : [value];
  for (const v of list) if (typeof v !== 'string') fail(PolicyMessages.syntax);
  return list as string[];
}

function checkSids(statements: ParsedStatement[], kind: PolicyKind, fail: (m: string) => never): void {
  const seen = new Set<string>();
  for (const { sid } of statements) {
    if (sid === undefined) continue;
    if (IAM_KINDS.has(kind) && !/^[0-9A-Za-z]*$/.test(sid)) fail(PolicyMessages.sidNotAlphanumeric);
    if (sid !== '' && seen.has(sid)) fail(PolicyMessages.sidNotUnique);
    seen.add(sid);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Size quotas ("IAM and AWS STS quotas": sizes count characters, excluding whitespace)

export const PolicyQuotas = {
  managedPolicy: 6144,
  userInline: 2048,
  groupInline: 5120,
  roleInline: 10240,
  roleTrust: 2048,
  sessionPolicy: 2048,
} as const;

/** A policy's size as IAM counts it: characters that are not JSON whitespace. */
export function policySize(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) size++;
  }
  return size;
}

/** LimitExceeded (HTTP 409) for a managed policy (CreatePolicy / CreatePolicyVersion) over 6,144. */
export function checkManagedPolicySize(text: string): void {
  if (policySize(text) > PolicyQuotas.managedPolicy) {
    throw limitExceeded(`Cannot exceed quota for PolicySize: ${PolicyQuotas.managedPolicy}`);
  }
}

/** LimitExceeded for a role's trust policy over 2,048 characters. */
export function checkTrustPolicySize(text: string): void {
  if (policySize(text) > PolicyQuotas.roleTrust) {
    throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${PolicyQuotas.roleTrust}`);
  }
}

/**
 * LimitExceeded when the aggregate size of an entity's inline policies (after the write) is over its
 * quota: 2,048 for users, 5,120 for groups, 10,240 for roles.
 */
export function checkInlinePolicySize(entity: 'user' | 'group' | 'role', name: string, aggregateSize: number): void {
  const quota = entity === 'user' ? PolicyQuotas.userInline : entity === 'group' ? PolicyQuotas.groupInline : PolicyQuotas.roleInline;
  if (aggregateSize > quota) throw limitExceeded(`Maximum policy size of ${quota} bytes exceeded for ${entity} ${name}`);
}

function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, { status: 409 });
}
