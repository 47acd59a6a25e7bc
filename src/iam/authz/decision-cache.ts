/**
 * Decisions remembered per principal, so that a caller repeating a request (same action, same
 * resource, same values of the condition keys its policies read) is not evaluated against its
 * hundred statements again.
 *
 * Why this is exact, not an approximation: with no resource policy and no session policies, the
 * evaluator's answer is a function of the caller (its ARN, type and account), the action, the
 * resource, the resource's account, the principal's identity policies and boundary, and the
 * values of the context keys those policies read (their conditions' keys and their policy
 * variables, `CompiledPolicy.contextKeys`). The key below encodes all of these but the policies,
 * which are fixed for the lifetime of the cache: it lives beside the principal's compiled
 * policies and is dropped with them (any IAM write, or their time-to-live). Keys the policies
 * never read (aws:CurrentTime, aws:UserAgent, … unless a condition names them) do not split the
 * cache; keys they do read are part of the key, so a condition on aws:CurrentTime simply misses
 * once a second.
 */
import type { AuthzRequest, Decision } from '../policy/evaluate.ts';
import { ContextView, type ContextValue } from '../policy/context.ts';

/** Distinct requests remembered per principal before the memo starts over. */
const MAX_DECISIONS = 1024;

type ByRest = Map<string, Decision>;
type ByResource = Map<string, ByRest>;
type ByAction = Map<string, ByResource>;

export class DecisionMemo {
  /**
   * Caller ARN → action → resource → the rest of the key (see restKey). Nested rather than one
   * concatenated key: the ARN and action strings are the same objects request after request, so
   * their hashes are computed once, and the long key is never built and hashed per request.
   */
  private readonly decisions = new Map<string, ByAction>();
  private count = 0;

  /** @param contextKeys the lower-case context keys the principal's policies read */
  constructor(private readonly contextKeys: readonly string[]) {}

  /** The decision for this request, from the memo or from `evaluate` (then remembered). */
  decide(req: AuthzRequest, evaluate: (req: AuthzRequest) => Decision): Decision {
    const rest = restKey(req, this.contextKeys);
    if (rest === undefined) return evaluate(req);
    const byRest = this.decisions.get(req.principal.arn)?.get(req.action)?.get(req.resource);
    const known = byRest?.get(rest);
    if (known !== undefined) return known;
    const decision = evaluate(req);
    // Shared by every later request with the same key: nobody may change it.
    Object.freeze(decision.matched);
    Object.freeze(decision);
    this.remember(req, rest, decision, byRest);
    return decision;
  }

  /** How many decisions are remembered. */
  get size(): number {
    return this.count;
  }

  private remember(req: AuthzRequest, rest: string, decision: Decision, found: ByRest | undefined): void {
    let byRest = found;
    if (this.count >= MAX_DECISIONS) {
      this.decisions.clear();
      this.count = 0;
      byRest = undefined;
    }
    if (byRest === undefined) {
      let byAction = this.decisions.get(req.principal.arn);
      if (!byAction) this.decisions.set(req.principal.arn, (byAction = new Map()));
      let byResource = byAction.get(req.action);
      if (!byResource) byAction.set(req.action, (byResource = new Map()));
      byRest = byResource.get(req.resource);
      if (!byRest) byResource.set(req.resource, (byRest = new Map()));
    }
    byRest.set(rest, decision);
    this.count++;
  }
}

/**
 * What the decision depends on besides the caller's ARN, the action, the resource and the
 * policies, as one string: the caller's type and account, the resource's account and the values
 * of the context keys the policies read. Every part is encoded so that no two different requests
 * give the same text (strings carry their length). Undefined when a value read by the policies
 * is not a context value (nothing to compare it by): such a request is evaluated every time.
 */
export function restKey(req: AuthzRequest, contextKeys: readonly string[]): string | undefined {
  const p = req.principal;
  let key = `${p.type}|${p.accountId}|${req.resourceAccount === undefined ? '-' : text(req.resourceAccount)}`;
  if (contextKeys.length === 0) return key;
  // The same lookup the evaluator makes: exact lower-case key first, else any spelling of it.
  const view = new ContextView(req.context);
  for (let i = 0; i < contextKeys.length; i++) {
    const encoded = encodeValue(view.get(contextKeys[i]!));
    if (encoded === undefined) return undefined;
    key += encoded;
  }
  return key;
}

function text(s: string): string {
  return `${s.length}:${s}`;
}

/** A prefix-free encoding of a context value: type letter, then the value. */
function encodeValue(value: ContextValue | null): string | undefined {
  if (value === undefined) return 'u';
  if (value === null) return 'z'; // not a ContextValue, but variables would read it as "null"
  switch (typeof value) {
    case 'string':
      return 's' + text(value);
    case 'number':
      return `n${value};`;
    case 'boolean':
      return value ? 't' : 'f';
  }
  if (value instanceof Date) return `d${value.getTime()};`;
  if (Array.isArray(value)) {
    let out = `a${value.length};`;
    for (const element of value as ContextValue[]) {
      const encoded = encodeValue(element);
      if (encoded === undefined) return undefined;
      out += encoded;
    }
    return out;
  }
  return undefined;
}
