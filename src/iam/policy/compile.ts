/**
 * Compiles a parsed policy once into matchers, so that evaluating it is a few string compares.
 *
 * - Statements are indexed by the service prefixes their Action element names; a request for
 *   `s3:GetObject` only looks at statements that mention `s3:` plus those with `*` or NotAction.
 * - Static wildcard patterns become matchers here; patterns with policy variables are resolved per
 *   request and their matchers cached (see patterns.ts).
 */
import { compileConditions, type CompiledCondition } from './conditions.ts';
import type { ContextView } from './context.ts';
import { parsePolicy } from './parse.ts';
import { globMatcher, parseTemplate, resourceMatchers, templateMatcher, type Matcher, type TemplateMatcher } from './patterns.ts';
import type { Effect, ParsedPolicy, ParsedStatement, PolicyKind, PolicyVersion, PrincipalBlock } from './types.ts';

/** Which policy of a principal's set a statement came from. */
export type PolicyType = 'identity' | 'resource' | 'boundary' | 'session';

/** Points at one statement, for decisions and debugging. */
export interface StatementRef {
  /** The policy's id as given to compilePolicy (a policy ARN, "user/alice/inline-name", …). */
  policyId?: string;
  sid?: string;
  /** Position of the statement in its policy. */
  index: number;
  effect: Effect;
}

/**
 * How a resource-based policy's Principal element named the caller. The evaluation logic treats
 * these differently ("Policy evaluation logic": an allow naming a role session or IAM user is
 * final; one naming the role is still limited by boundaries and session policies; one naming the
 * account only delegates to the account's identity policies).
 */
export type PrincipalMatch = 'none' | 'account' | 'user-of-federated-session' | 'role' | 'direct';

/** The caller as principal matching needs it. */
export interface PrincipalInfo {
  type: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous' | 'service';
  /** User/session ARN; for services the service principal name (lambda.amazonaws.com). */
  arn: string;
  accountId: string;
  /** For assumed-role sessions: the role's ARN (with its path). */
  roleArn?: string;
  /** For federated-user sessions (GetFederationToken): the IAM user who created the session. */
  userArn?: string;
  /** For web identity / SAML callers: the identity provider (matched against "Federated"). */
  identityProvider?: string;
  /** For S3's "CanonicalUser" principals. */
  canonicalUserId?: string;
}

export interface CompiledStatement {
  readonly ref: StatementRef;
  /** The ref tagged with the policy type it was evaluated as (built once, reused by decisions). */
  matchedAs(policyType: PolicyType): StatementRef & { policyType: PolicyType };
  readonly effect: Effect;
  readonly conditions: readonly CompiledCondition[];
  matchesAction(lowerAction: string, lowerService: string): boolean;
  matchesResource(resource: string, context: ContextView): boolean;
  /** For resource/trust policies; identity-type policies always return 'direct'. */
  matchPrincipal(principal: PrincipalInfo): PrincipalMatch;
}

export interface CompiledPolicy {
  readonly id?: string;
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly statements: readonly CompiledStatement[];
  /** The statements that can match an action of this (lower-case) service, in document order. */
  statementsFor(lowerService: string): readonly CompiledStatement[];
  /**
   * The statements whose Action / NotAction element matches this (lower-case) action, in document
   * order: statementsFor filtered by matchesAction, remembered per action.
   */
  statementsForAction(lowerAction: string, lowerService: string): readonly CompiledStatement[];
  /**
   * Every condition key and policy variable the policy reads, lower-case (a superset: values of
   * operators that take no variables are scanned too). What the policy says about a request
   * depends on the request context through these keys only, so a decision can be remembered
   * against their values (src/iam/authz/decision-cache.ts).
   */
  readonly contextKeys: readonly string[];
}

/** Distinct actions remembered per policy before its action index starts over. */
const ACTION_INDEX_LIMIT = 512;

export interface CompileOptions {
  /** Identifies the policy in decisions (a policy ARN, or "role/name/policy-name" for inline). */
  id?: string;
}

/** Parses (validating for `kind`) and compiles a policy document in one step. */
export function compilePolicyDocument(document: string | unknown, kind: PolicyKind, options: CompileOptions = {}): CompiledPolicy {
  return compilePolicy(parsePolicy(document, kind), options);
}

export function compilePolicy(policy: ParsedPolicy, options: CompileOptions = {}): CompiledPolicy {
  const variables = policy.version === '2012-10-17';
  const statements = policy.statements.map((s, index) => compileStatement(s, index, variables, options.id));

  // Index: service → statements that can match it. "*" and NotAction statements match any service.
  const anyService: CompiledStatement[] = [];
  const services = new Set<string>();
  policy.statements.forEach((s, i) => {
    const services_ = statementServices(s);
    if (services_ === 'any') anyService.push(statements[i]!);
    else for (const svc of services_) services.add(svc);
  });
  const index = new Map<string, CompiledStatement[]>();
  for (const svc of services) {
    index.set(
      svc,
      statements.filter((_, i) => {
        const s = statementServices(policy.statements[i]!);
        return s === 'any' || s.has(svc);
      }),
    );
  }
  const statementsFor = (lowerService: string): readonly CompiledStatement[] => index.get(lowerService) ?? anyService;
  // Whether a statement's Action matches depends on the action alone, and a principal's requests
  // repeat a handful of actions: match each action once, then look the list up.
  const byAction = new Map<string, readonly CompiledStatement[]>();
  return {
    id: options.id,
    kind: policy.kind,
    version: policy.version,
    statements,
    contextKeys: contextKeysOf(policy),
    statementsFor,
    statementsForAction(lowerAction, lowerService) {
      let list = byAction.get(lowerAction);
      if (list === undefined) {
        if (byAction.size >= ACTION_INDEX_LIMIT) byAction.clear();
        list = statementsFor(lowerService).filter((s) => s.matchesAction(lowerAction, lowerService));
        byAction.set(lowerAction, list);
      }
      return list;
    },
  };
}

/** The lower-case keys a policy's conditions test and its resources and condition values substitute. */
function contextKeysOf(policy: ParsedPolicy): string[] {
  const keys = new Set<string>();
  const variablesIn = (text: string): void => {
    if (policy.version !== '2012-10-17') return; // the legacy language has no variables
    for (const piece of parseTemplate(text, true).pieces) if (typeof piece !== 'string') keys.add(piece.lowerKey);
  };
  for (const s of policy.statements) {
    for (const pattern of s.resource ?? s.notResource ?? []) variablesIn(pattern);
    for (const byKey of Object.values(s.condition ?? {})) {
      for (const [key, values] of Object.entries(byKey)) {
        keys.add(key.toLowerCase());
        for (const value of values) variablesIn(String(value));
      }
    }
  }
  return [...keys];
}

function statementServices(s: ParsedStatement): Set<string> | 'any' {
  if (!s.action || s.action.includes('*')) return 'any';
  return new Set(s.action.map((a) => a.slice(0, a.indexOf(':')).toLowerCase()));
}

function compileStatement(s: ParsedStatement, index: number, variables: boolean, policyId: string | undefined): CompiledStatement {
  const ref: StatementRef = { policyId, sid: s.sid, index, effect: s.effect };
  const tagged = new Map<PolicyType, StatementRef & { policyType: PolicyType }>();
  return {
    ref,
    matchedAs(policyType) {
      let t = tagged.get(policyType);
      if (!t) tagged.set(policyType, (t = Object.freeze({ ...ref, policyType })));
      return t;
    },
    effect: s.effect,
    conditions: compileConditions(s.condition, variables),
    matchesAction: compileActions(s),
    matchesResource: compileResources(s, variables),
    matchPrincipal: compilePrincipals(s),
  };
}

function compileActions(s: ParsedStatement): CompiledStatement['matchesAction'] {
  const patterns = (s.action ?? s.notAction)!;
  const negate = s.notAction !== undefined;
  if (patterns.includes('*')) return () => !negate;
  // Group by service so a request only tries the patterns of its own service.
  const byService = new Map<string, Matcher[]>();
  for (const p of patterns) {
    const lower = p.toLowerCase();
    const svc = lower.slice(0, lower.indexOf(':'));
    const list = byService.get(svc) ?? [];
    // Both sides are lower-cased already, so the matcher itself can be case-sensitive.
    list.push(globMatcher(escapeBackslashes(lower)));
    byService.set(svc, list);
  }
  return (lowerAction, lowerService) => {
    const list = byService.get(lowerService);
    let hit = false;
    if (list) for (const m of list) if (m(lowerAction)) { hit = true; break; }
    return negate ? !hit : hit;
  };
}

/** Actions have no escapes or variables; only a literal backslash needs protecting. */
function escapeBackslashes(text: string): string {
  return text.replace(/\\/g, '\\\\');
}

function compileResources(s: ParsedStatement, variables: boolean): CompiledStatement['matchesResource'] {
  const patterns = s.resource ?? s.notResource;
  if (!patterns) return () => true; // trust policies: the resource is the role itself
  const negate = s.notResource !== undefined;
  if (patterns.includes('*')) return () => !negate;
  const matchers: TemplateMatcher[] = patterns.map((p) => templateMatcher(parseTemplate(p, variables), resourceMatchers));
  return (resource, context) => {
    let hit = false;
    for (const m of matchers) if (m.test(resource, context)) { hit = true; break; }
    return negate ? !hit : hit;
  };
}

// ---------------------------------------------------------------------------------------------
// Principal / NotPrincipal

interface PrincipalSpec {
  everyone: boolean;
  accounts: Set<string>;
  arns: Set<string>;
  services: Set<string>;
  federated: Set<string>;
  canonical: Set<string>;
}

function compileSpec(block: PrincipalBlock): PrincipalSpec {
  const spec: PrincipalSpec = {
    everyone: block.wildcard || block.AWS.includes('*'),
    accounts: new Set(),
    arns: new Set(),
    services: new Set(block.Service.map((s) => s.toLowerCase())),
    federated: new Set(block.Federated),
    canonical: new Set(block.CanonicalUser),
  };
  for (const value of block.AWS) {
    if (/^\d{12}$/.test(value)) spec.accounts.add(value);
    else {
      const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(value);
      if (root) spec.accounts.add(root[1]!);
      else spec.arns.add(value);
    }
  }
  if (block.Service.includes('*')) spec.everyone = true;
  return spec;
}

const RANK: Record<PrincipalMatch, number> = { none: 0, account: 1, 'user-of-federated-session': 2, role: 3, direct: 4 };

/** How strongly the spec names the caller (see PrincipalMatch). */
function matchSpec(spec: PrincipalSpec, p: PrincipalInfo): PrincipalMatch {
  if (spec.everyone) return 'direct';
  // Web identity / SAML callers and S3 canonical users are named by provider or canonical id.
  if (p.identityProvider !== undefined && spec.federated.has(p.identityProvider)) return 'direct';
  if (p.canonicalUserId !== undefined && spec.canonical.has(p.canonicalUserId)) return 'direct';
  switch (p.type) {
    case 'anonymous':
      return 'none';
    case 'service':
      return spec.services.has(p.arn.toLowerCase()) ? 'direct' : 'none';
    default:
      break;
  }
  if (spec.arns.has(p.arn)) return 'direct';
  if (p.type === 'assumed-role' && p.roleArn !== undefined && spec.arns.has(p.roleArn)) return 'role';
  if (p.type === 'federated-user' && p.userArn !== undefined && spec.arns.has(p.userArn)) return 'user-of-federated-session';
  if (spec.accounts.has(p.accountId)) return 'account';
  return 'none';
}

/**
 * NotPrincipal excludes a caller only when every identity it acts as is listed: its account, and
 * for a user its ARN, for a role session the role ARN and the session ARN ("AWS JSON policy
 * elements: NotPrincipal": a Deny with NotPrincipal must list the account too, or the account's
 * principals stay denied).
 */
function excludedBy(spec: PrincipalSpec, p: PrincipalInfo): boolean {
  if (spec.everyone) return true;
  switch (p.type) {
    case 'anonymous':
      return false;
    case 'service':
      return spec.services.has(p.arn.toLowerCase());
    case 'root':
      return spec.accounts.has(p.accountId) || spec.arns.has(p.arn);
    case 'user':
      return spec.accounts.has(p.accountId) && spec.arns.has(p.arn);
    case 'assumed-role':
      return spec.accounts.has(p.accountId) && spec.arns.has(p.arn) && (p.roleArn === undefined || spec.arns.has(p.roleArn));
    case 'federated-user':
      return spec.accounts.has(p.accountId) && spec.arns.has(p.arn) && (p.userArn === undefined || spec.arns.has(p.userArn));
  }
}

function compilePrincipals(s: ParsedStatement): CompiledStatement['matchPrincipal'] {
  if (s.principal) {
    const spec = compileSpec(s.principal);
    return (p) => matchSpec(spec, p);
  }
  if (s.notPrincipal) {
    const spec = compileSpec(s.notPrincipal);
    return (p) => (excludedBy(spec, p) ? 'none' : 'direct');
  }
  return () => 'direct';
}

/** The stronger of two principal matches. */
export function strongerMatch(a: PrincipalMatch, b: PrincipalMatch): PrincipalMatch {
  return RANK[a] >= RANK[b] ? a : b;
}
