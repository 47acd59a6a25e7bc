/**
 * The IAM policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the same
 * evaluator (src/iam/policy) that authorizes real requests.
 *
 * What the API Reference says, and what we follow:
 * - SimulatePrincipalPolicy takes the policies of a user (with its groups'), a group or a role,
 *   plus PolicyInputList; PermissionsBoundaryPolicyInputList replaces the entity's own boundary.
 * - Each action is evaluated against each resource (default "*"); results are paginated with
 *   Marker/MaxItems like every IAM list.
 * - Only the context entries given are used: the simulator does not invent aws:CurrentTime and
 *   the like. Condition keys a matching statement needs but that were not supplied are reported
 *   in MissingContextValues.
 * - CallerArn (an IAM user) is who a ResourcePolicy's Principal is matched against; it defaults
 *   to the PolicySourceArn when that is a user, and is required with a ResourcePolicy otherwise.
 * - MatchedStatements point into the policy text. AWS's own examples (AWS CLI's
 *   simulate-custom-policy) report 1-based lines, and columns one past the 1-based column of the
 *   statement's opening and closing braces; we reproduce that.
 */
import type { RequestContext } from '../../core/context.ts';
import type {
  ContextEntry,
  EvaluationResult,
  PolicySourceType,
  ResourceSpecificResult,
  SimulateCustomPolicyRequest,
  SimulatePolicyResponse,
  SimulatePrincipalPolicyRequest,
  Statement,
} from '../../generated/iam/types.ts';
import { compilePolicyDocument, type CompiledPolicy, type PrincipalInfo } from '../../iam/policy/compile.ts';
import { ContextView, type ContextValue, type RequestContext as ConditionContext } from '../../iam/policy/context.ts';
import { evaluate, type Decision, type MatchedStatement, type PolicySet } from '../../iam/policy/evaluate.ts';
import type { PolicyKind } from '../../iam/policy/types.ts';
import { KIND, Messages, getRecord, invalidInput, nameKey, noSuchEntity, paginate, pageFields, type GroupRecord, type RoleRecord, type UserRecord } from './common.ts';
import { findPolicy } from './lookup.ts';
import { defaultDocument } from './policies.ts';

/** A policy taking part in a simulation, with what MatchedStatements reports about it. */
interface SourcePolicy {
  id: string;
  /** Omitted for PolicyInputList entries, as in AWS's examples. */
  type?: PolicySourceType;
  document: string;
}

interface Simulation {
  identity: SourcePolicy[];
  boundary?: SourcePolicy;
  resourcePolicy?: SourcePolicy;
  caller: PrincipalInfo;
  accountId: string;
  input: SimulateCustomPolicyRequest;
}

const ENTITY_ARN = /^arn:aws:iam::(\d{12}):(user|group|role)((?:\/[^/]+)*\/)([^/]+)$/;
const USER_ARN = /^arn:aws:iam::(\d{12}):user((?:\/[^/]+)*\/)([^/]+)$/;

export async function simulatePrincipalPolicy(ctx: RequestContext, input: SimulatePrincipalPolicyRequest): Promise<SimulatePolicyResponse> {
  const m = ENTITY_ARN.exec(input.PolicySourceArn);
  if (!m) throw invalidInput(`Invalid ARN ${input.PolicySourceArn}.`);
  const [, account, type, , name] = m as unknown as [string, string, 'user' | 'group' | 'role', string, string];
  if (account !== ctx.accountId) throw noSuchEntity(missingEntity(type, name));
  const entity = await entityPolicies(ctx, type, name);
  const identity = [...entity.identity, ...inputPolicies(input.PolicyInputList)];
  const boundary = input.PermissionsBoundaryPolicyInputList?.length ? boundaryInput(input.PermissionsBoundaryPolicyInputList) : entity.boundary;
  const callerArn = input.CallerArn ?? (type === 'user' ? input.PolicySourceArn : undefined);
  return simulate(ctx, { identity, boundary, ...resourceSide(ctx, input, callerArn), input: { ...input, PolicyInputList: input.PolicyInputList ?? [] } });
}

export async function simulateCustomPolicy(ctx: RequestContext, input: SimulateCustomPolicyRequest): Promise<SimulatePolicyResponse> {
  const identity = inputPolicies(input.PolicyInputList);
  const boundary = input.PermissionsBoundaryPolicyInputList?.length ? boundaryInput(input.PermissionsBoundaryPolicyInputList) : undefined;
  return simulate(ctx, { identity, boundary, ...resourceSide(ctx, input, input.CallerArn), input });
}

// ---------------------------------------------------------------------------------------------
// Gathering the policies

function missingEntity(type: 'user' | 'group' | 'role', name: string): string {
  return type === 'user' ? Messages.noSuchUser(name) : type === 'group' ? Messages.noSuchGroup(name) : Messages.noSuchRole(name);
}

function inputPolicies(list: string[] | undefined): SourcePolicy[] {
  return (list ?? []).map((document, i) => ({ id: `PolicyInputList.${i + 1}`, document }));
}

function boundaryInput(list: string[]): SourcePolicy {
  if (list.length > 1) throw invalidInput('Only one permissions boundary policy may be specified.');
  return { id: 'PermissionsBoundaryPolicyInputList.1', document: list[0]! };
}

async function entityPolicies(ctx: RequestContext, type: 'user' | 'group' | 'role', name: string): Promise<{ identity: SourcePolicy[]; boundary?: SourcePolicy }> {
  const kind = type === 'user' ? KIND.user : type === 'group' ? KIND.group : KIND.role;
  const rec = await getRecord<UserRecord | GroupRecord | RoleRecord>(ctx.store, kind, ctx.accountId, nameKey(name));
  if (!rec) throw noSuchEntity(missingEntity(type, name));
  const identity = [...inline(type, rec.InlinePolicies), ...(await managed(ctx, rec.AttachedPolicies))];
  if (type === 'user') {
    for (const groupName of (rec as UserRecord).Groups) {
      const group = await getRecord<GroupRecord>(ctx.store, KIND.group, ctx.accountId, nameKey(groupName));
      if (group) identity.push(...inline('group', group.InlinePolicies), ...(await managed(ctx, group.AttachedPolicies)));
    }
  }
  const boundaryArn = 'PermissionsBoundary' in rec ? rec.PermissionsBoundary : undefined;
  const boundary = boundaryArn ? (await managed(ctx, [boundaryArn]))[0] : undefined;
  return boundary ? { identity, boundary } : { identity };
}

function inline(type: 'user' | 'group' | 'role', policies: Record<string, string>): SourcePolicy[] {
  return Object.entries(policies).map(([policyName, document]) => ({ id: policyName, type, document }));
}

async function managed(ctx: RequestContext, arns: string[]): Promise<SourcePolicy[]> {
  const out: SourcePolicy[] = [];
  for (const arn of arns) {
    const found = await findPolicy(ctx.store, ctx.accountId, arn);
    if (!found) continue;
    out.push({ id: found.policy.PolicyName, type: found.kind === 'aws' ? 'aws-managed' : 'user-managed', document: defaultDocument(found) });
  }
  return out;
}

/** The simulated caller and the resource policy its Principal element is matched against. */
function resourceSide(ctx: RequestContext, input: Pick<SimulateCustomPolicyRequest, 'ResourcePolicy'>, callerArn: string | undefined): Pick<Simulation, 'caller' | 'resourcePolicy' | 'accountId'> {
  if (callerArn !== undefined && !USER_ARN.test(callerArn)) throw invalidInput(`Invalid CallerArn ${callerArn}. The caller must be an IAM user.`);
  if (input.ResourcePolicy !== undefined && callerArn === undefined) {
    throw invalidInput('CallerArn must be specified when a ResourcePolicy is provided and the PolicySourceArn is not an IAM user.');
  }
  const accountId = callerArn ? USER_ARN.exec(callerArn)![1]! : ctx.accountId;
  const caller: PrincipalInfo = { type: 'user', arn: callerArn ?? `arn:aws:iam::${accountId}:user/simulated`, accountId };
  const resourcePolicy = input.ResourcePolicy === undefined ? undefined : { id: 'ResourcePolicy', type: 'resource' as const, document: input.ResourcePolicy };
  return resourcePolicy ? { caller, accountId, resourcePolicy } : { caller, accountId };
}

// ---------------------------------------------------------------------------------------------
// Evaluating

interface Compiled {
  identity: CompiledPolicy[];
  boundary?: CompiledPolicy;
  resource?: CompiledPolicy;
  /** Policy id → its source, for MatchedStatements. */
  sources: Map<string, SourcePolicy>;
}

function compileAll(sim: Simulation): Compiled {
  const sources = new Map<string, SourcePolicy>();
  const compile = (p: SourcePolicy, kind: PolicyKind, key: string) => {
    sources.set(key, p);
    return compilePolicyDocument(p.document, kind, { id: key });
  };
  return {
    identity: sim.identity.map((p, i) => compile(p, 'identity', `identity/${i}`)),
    boundary: sim.boundary && compile(sim.boundary, 'boundary', 'boundary'),
    resource: sim.resourcePolicy && compile(sim.resourcePolicy, 'resource', 'resource'),
    sources,
  };
}

function simulate(ctx: RequestContext, sim: Simulation): SimulatePolicyResponse {
  const compiled = compileAll(sim);
  const context = contextFromEntries(sim.input.ContextEntries);
  const resources = sim.input.ResourceArns?.length ? sim.input.ResourceArns : undefined;
  const results: EvaluationResult[] = [];
  for (const action of sim.input.ActionNames) {
    for (const resource of resources ?? ['*']) {
      results.push(evaluationResult(ctx, sim, compiled, context, action, resource, resources !== undefined));
    }
  }
  const page = paginate(results, sim.input);
  return { EvaluationResults: page.items, ...pageFields(page) };
}

function evaluationResult(
  ctx: RequestContext,
  sim: Simulation,
  compiled: Compiled,
  context: ConditionContext,
  action: string,
  resource: string,
  resourceSpecific: boolean,
): EvaluationResult {
  const set: PolicySet = { identity: compiled.identity, boundary: compiled.boundary, resource: compiled.resource };
  const resourceAccount = resourceOwner(ctx, sim.input, resource);
  const decision = evaluate({ principal: sim.caller, action, resource, resourceAccount, context }, set);
  const evalDecision = decisionName(decision);
  const matched = matchedStatements(compiled, decision);
  const missing = missingContextValues(compiled, action, resource, context);
  const result: EvaluationResult = { EvalActionName: action, EvalResourceName: resource, EvalDecision: evalDecision, MatchedStatements: matched, MissingContextValues: missing };
  const boundaryDetail = compiled.boundary ? { AllowedByPermissionsBoundary: boundaryAllows(compiled, sim.caller, action, resource, context) } : undefined;
  if (boundaryDetail) result.PermissionsBoundaryDecisionDetail = boundaryDetail;
  if (resourceSpecific) {
    const specific: ResourceSpecificResult = { EvalResourceName: resource, EvalResourceDecision: evalDecision, MatchedStatements: matched, MissingContextValues: missing };
    if (boundaryDetail) specific.PermissionsBoundaryDecisionDetail = boundaryDetail;
    result.ResourceSpecificResults = [specific];
  }
  return result;
}

function decisionName(decision: Decision): EvaluationResult['EvalDecision'] {
  return decision.effect === 'Allow' ? 'allowed' : decision.effect === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';
}

/** The account that owns a resource: the ARN's account field, else ResourceOwner's, else ours. */
function resourceOwner(ctx: RequestContext, input: SimulateCustomPolicyRequest, resource: string): string {
  const fromArn = resource.split(':')[4];
  if (fromArn && /^\d{12}$/.test(fromArn)) return fromArn;
  const owner = input.ResourceOwner?.split(':')[4];
  return owner && /^\d{12}$/.test(owner) ? owner : ctx.accountId;
}

/** Allows list the allow statements that applied, explicit denies the deny statements; implicit denies nothing. */
function matchedStatements(compiled: Compiled, decision: Decision): Statement[] {
  if (decision.effect === 'ImplicitDeny') return [];
  const wanted = decision.effect === 'Allow' ? 'Allow' : 'Deny';
  return decision.matched.filter((s) => s.effect === wanted && s.policyType !== 'boundary').map((s) => statementOf(compiled, s));
}

function statementOf(compiled: Compiled, s: MatchedStatement): Statement {
  const source = compiled.sources.get(s.policyId ?? '');
  const out: Statement = { SourcePolicyId: source?.id ?? s.policyId };
  if (source?.type) out.SourcePolicyType = source.type;
  const span = source ? statementSpans(source.document)[s.index] : undefined;
  if (span) Object.assign(out, { StartPosition: span.start, EndPosition: span.end });
  return out;
}

function boundaryAllows(compiled: Compiled, caller: PrincipalInfo, action: string, resource: string, context: ConditionContext): boolean {
  const onlyBoundary = evaluate({ principal: caller, action, resource, context }, { identity: [allowAll], boundary: compiled.boundary });
  return onlyBoundary.effect === 'Allow';
}

const allowAll = compilePolicyDocument({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, 'identity');

/**
 * Condition keys used by statements that match the action and resource but that the request did
 * not supply (sorted, each once). `…IfExists` and Null conditions still name their key.
 */
function missingContextValues(compiled: Compiled, action: string, resource: string, context: ConditionContext): string[] {
  const supplied = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  const lowerAction = action.toLowerCase();
  const lowerService = lowerAction.split(':')[0]!;
  const missing = new Map<string, string>();
  const policies = [...compiled.identity, ...(compiled.boundary ? [compiled.boundary] : []), ...(compiled.resource ? [compiled.resource] : [])];
  const view = new ContextView(context);
  for (const policy of policies) {
    for (const s of policy.statementsFor(lowerService)) {
      if (!s.matchesAction(lowerAction, lowerService)) continue;
      if (!s.matchesResource(resource, view)) continue;
      for (const c of s.conditions) {
        const key = c.key.toLowerCase();
        if (!supplied.has(key) && !missing.has(key)) missing.set(key, c.key);
      }
    }
  }
  return [...missing.values()];
}

// ---------------------------------------------------------------------------------------------
// Context entries

/** ContextEntries with their declared types, as the evaluator's condition context. */
export function contextFromEntries(entries: ContextEntry[] | undefined): ConditionContext {
  const out: ConditionContext = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    const type = e.ContextKeyType ?? 'string';
    out[e.ContextKeyName] = contextValue(type, values);
  }
  return out;
}

function contextValue(type: string, values: string[]): ContextValue {
  const isList = type.endsWith('List');
  const base = isList ? type.slice(0, -4) : type;
  const convert = (v: string): string | number | boolean | Date => {
    switch (base) {
      case 'numeric':
        return Number(v);
      case 'boolean':
        return v.toLowerCase() === 'true';
      case 'date':
        return Number.isNaN(Date.parse(v)) ? v : new Date(v);
      default:
        return v;
    }
  };
  if (!isList && values.length === 1) return convert(values[0]!);
  // Lists (and several values for a scalar type) are multivalued keys, held as strings like
  // aws:TagKeys; the condition operators convert each member as they compare it.
  return values;
}

// ---------------------------------------------------------------------------------------------
// Statement positions in the policy text

interface Span {
  start: { Line: number; Column: number };
  end: { Line: number; Column: number };
}

const spanCache = new Map<string, Span[]>();

/** The text spans of each element of the policy's top-level Statement (an object or an array). */
export function statementSpans(document: string): Span[] {
  let spans = spanCache.get(document);
  if (!spans) {
    spans = scanStatements(document);
    if (spanCache.size > 256) spanCache.clear();
    spanCache.set(document, spans);
  }
  return spans;
}

function scanStatements(text: string): Span[] {
  const scanner = new JsonScanner(text);
  try {
    scanner.skipWs();
    if (text[scanner.pos] !== '{') return [];
    scanner.pos++;
    for (;;) {
      scanner.skipWs();
      if (text[scanner.pos] === '}') return [];
      const key = scanner.string();
      scanner.skipWs();
      scanner.pos++; // ':'
      scanner.skipWs();
      if (key === 'Statement') return statementValueSpans(scanner);
      scanner.value();
      scanner.skipWs();
      if (text[scanner.pos] === ',') scanner.pos++;
    }
  } catch {
    return [];
  }
}

function statementValueSpans(scanner: JsonScanner): Span[] {
  const text = scanner.text;
  if (text[scanner.pos] === '{') return [scanner.spanOfValue()];
  if (text[scanner.pos] !== '[') return [];
  scanner.pos++;
  const spans: Span[] = [];
  for (;;) {
    scanner.skipWs();
    if (text[scanner.pos] === ']') return spans;
    spans.push(scanner.spanOfValue());
    scanner.skipWs();
    if (text[scanner.pos] === ',') scanner.pos++;
  }
}

/** Just enough JSON scanning to find where values start and end. */
class JsonScanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  string(): string {
    if (this.text[this.pos] !== '"') throw new Error('expected a string');
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  value(): void {
    const c = this.text[this.pos];
    if (c === '"') return void this.string();
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      this.pos++;
      for (;;) {
        this.skipWs();
        if (this.text[this.pos] === close) {
          this.pos++;
          return;
        }
        if (this.pos >= this.text.length) throw new Error('unterminated');
        this.value();
        this.skipWs();
        if (this.text[this.pos] === ':' || this.text[this.pos] === ',') this.pos++;
      }
    }
    while (this.pos < this.text.length && !/[\s,}\]]/.test(this.text[this.pos]!)) this.pos++;
  }

  spanOfValue(): Span {
    const start = this.pos;
    this.value();
    return { start: this.position(start), end: this.position(this.pos - 1) };
  }

  /** Line 1-based; column one past the character's 1-based column (AWS's convention, see above). */
  position(offset: number): { Line: number; Column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset; i++) {
      if (this.text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return { Line: line, Column: offset - lineStart + 2 };
  }
}
