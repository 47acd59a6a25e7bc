/**
 * The authorize stage for real: every request is evaluated with AWS's documented policy logic.
 *
 * For each target an operation names (src/services/<service>/authz.ts, default
 * `<prefix>:<Operation>` on "*"), the caller's identity policies, permissions boundary and session
 * policies, plus the resource's own policy when it has one, go to the evaluator with the global
 * condition keys and the operation's own. Principals' policies are compiled once and cached until
 * the next IAM write, together with the decisions made from them (decision-cache.ts), so that a
 * principal repeating a request costs a key lookup rather than a scan of its statements.
 */
import type { Logger } from 'pino';
import type { Principal } from '../../core/principal.ts';
import type { Authorizer, AuthorizationRequest } from '../../pipeline/authorizer.ts';
import type { ServiceDefinition } from '../../services/types.ts';
import { compilePolicyDocument, type CompiledPolicy } from '../policy/compile.ts';
import { evaluate, type AuthzRequest, type PolicySet } from '../policy/evaluate.ts';
import { accessDeniedMessage } from '../policy/messages.ts';
import type { PrincipalInfo } from '../policy/compile.ts';
import type { ContextValue } from '../policy/context.ts';
import type { AuthzTarget, OperationAuthz } from './types.ts';
import { accessDeniedError } from './denial.ts';
import { globalContext } from './global-context.ts';
import { DecisionMemo } from './decision-cache.ts';

/** What the authorizer needs from IAM's store (src/services/iam/credentials.ts provides it). */
export interface PrincipalPolicySource {
  load(principal: Principal): Promise<{ identity: Array<{ source: string; document: string }>; boundary?: { source: string; document: string }; tags: Record<string, string> }>;
  /** Registers a listener called after every IAM write; returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
}

interface CompiledPrincipal {
  identity: CompiledPolicy[];
  boundary?: CompiledPolicy;
  tags: Record<string, string>;
  /** Decisions made from these policies; absent for root and anonymous, which have none. */
  decisions?: DecisionMemo;
}

/** Root and anonymous callers: no identity policies, nothing to remember. */
const NO_POLICIES: Promise<CompiledPrincipal> = Promise.resolve({ identity: [], tags: {} });

export interface IamAuthorizer extends Authorizer {
  /** Evaluates one target for a principal: the same decision path requests take (for Simulate*). */
  decide(request: AuthorizationRequest, target: AuthzTarget): Promise<{ allowed: boolean; message: string; decision: ReturnType<typeof evaluate> }>;
  close(): void;
}

export interface IamAuthorizerDeps {
  policies: PrincipalPolicySource;
  log: Logger;
  /**
   * How long compiled policies are reused without an IAM write in this process: bounds how stale
   * another process's changes can be when several share one PostgreSQL store.
   */
  cacheTtlMs?: number;
}

export function createIamAuthorizer(deps: IamAuthorizerDeps): IamAuthorizer {
  const cache = new Map<string, { compiled: Promise<CompiledPrincipal>; loadedAtMs: number }>();
  const ttlMs = deps.cacheTtlMs ?? 5_000;
  const unsubscribe = deps.policies.onChange(() => cache.clear());

  function compiledFor(principal: Principal): Promise<CompiledPrincipal> {
    if (principal.type === 'root' || principal.type === 'anonymous') return NO_POLICIES;
    // Role sessions share the role's policies, federated users their creator's, users their own.
    // Session policies are per session and compiled separately.
    const key = principal.session?.roleArn ?? principal.session?.sourceUserArn ?? principal.arn;
    const now = Date.now();
    const entry = cache.get(key);
    if (entry && now - entry.loadedAtMs < ttlMs) return entry.compiled;
    const compiled = deps.policies.load(principal).then((loaded) => {
      const identity = loaded.identity.map((p) => compilePolicyDocument(p.document, 'identity', { id: p.source }));
      const boundary = loaded.boundary && compilePolicyDocument(loaded.boundary.document, 'boundary', { id: loaded.boundary.source });
      const contextKeys = new Set([...identity, ...(boundary ? [boundary] : [])].flatMap((p) => p.contextKeys));
      return { identity, boundary, tags: loaded.tags, decisions: new DecisionMemo([...contextKeys]) };
    });
    compiled.catch(() => cache.delete(key));
    cache.set(key, { compiled, loadedAtMs: now });
    return compiled;
  }

  async function decide(request: AuthorizationRequest, target: AuthzTarget) {
    const { ctx, service } = request;
    const compiled = await compiledFor(ctx.principal);
    const resourceDoc = target.resourcePolicy ? await target.resourcePolicy() : undefined;
    const set: PolicySet = {
      identity: compiled.identity,
      boundary: compiled.boundary,
      session: sessionPolicies(ctx.principal),
      resource: resourceDoc && compiledResourcePolicy(resourceDoc.document, resourceDoc.kind),
      resourcePolicyRequired: target.resourcePolicyRequired,
    };
    const evaluation: AuthzRequest = {
      principal: principalInfo(ctx.principal),
      action: target.action,
      resource: target.resource,
      resourceAccount: target.resourceAccount,
      context: withTargetContext(globalContext(ctx, service.global === true, compiled.tags), target.context),
    };
    // The memo is exact only when the identity policies and boundary are the whole policy set:
    // a resource policy comes with the target, and session policies differ between sessions
    // that may share an ARN.
    const memo = set.resource === undefined && set.session === undefined ? compiled.decisions : undefined;
    const decision = memo ? memo.decide(evaluation, (req) => evaluate(req, set)) : evaluate(evaluation, set);
    if (decision.effect === 'Allow') return { allowed: true, message: '', decision };
    const shown = target.displayResource === undefined ? evaluation : { ...evaluation, resource: target.displayResource };
    const denial = target.plainDenial ? { ...decision, deniedBy: undefined } : decision;
    const message = accessDeniedMessage(shown, denial);
    if (!target.denialMessage) return { allowed: false, message, decision };
    return { allowed: false, message: target.denialMessage({ message, crossAccount: decision.crossAccount, anonymous: ctx.principal.type === 'anonymous' }), decision };
  }

  return {
    async authorize(request) {
      const authz = operationAuthz(request.service, request.operation.name);
      if (authz === 'none') return;
      const targets = await authz({ input: request.input, ctx: request.ctx });
      for (const target of targets) {
        const { allowed, message } = await decide(request, target);
        if (!allowed) {
          request.ctx.log.debug({ action: target.action, resource: target.resource, principal: request.ctx.principal.arn }, 'access denied');
          // EC2's encoded message shows the caller's unique id and the request's own condition keys.
          throw accessDeniedError(request.service.authFamily, message, { principalId: request.ctx.principal.userId, context: target.context });
        }
      }
    },
    decide,
    close: unsubscribe,
  };
}

/** The service's entry for an operation, or the default `<prefix>:<Operation>` on "*". */
export function operationAuthz(service: ServiceDefinition, operation: string): OperationAuthz {
  const table = service.authz;
  const entry = table?.operations[operation];
  if (entry) return entry;
  const prefix = table?.prefix ?? service.signingName;
  return () => [{ action: `${prefix}:${operation}`, resource: '*' }];
}

/**
 * The operation's condition keys written over the global ones (same keys, order and values as
 * `{ ...global, ...target }`), into the freshly built global context rather than a third object.
 */
function withTargetContext(global: Record<string, ContextValue>, target: Record<string, ContextValue> | undefined): Record<string, ContextValue> {
  if (target === undefined) return global;
  for (const key of Object.keys(target)) {
    // A "__proto__" key would set the prototype with plain assignment; spreading defines it.
    if (key === '__proto__') Object.defineProperty(global, key, { value: target[key], enumerable: true, writable: true, configurable: true });
    else global[key] = target[key];
  }
  return global;
}

/**
 * Resource policies (bucket, queue, trust policies) compiled once per distinct document and kind:
 * the same few documents come back on every request for their resource. Bounded; a compile error
 * is not cached, so it is thrown again for every request, as before.
 */
const resourcePolicies = new Map<string, Map<string, CompiledPolicy>>();
const RESOURCE_POLICY_CACHE_LIMIT = 512;
function compiledResourcePolicy(document: string, kind: 'resource' | 'trust'): CompiledPolicy {
  let byDocument = resourcePolicies.get(kind);
  if (!byDocument) resourcePolicies.set(kind, (byDocument = new Map()));
  let compiled = byDocument.get(document);
  if (!compiled) {
    compiled = compilePolicyDocument(document, kind);
    if (byDocument.size >= RESOURCE_POLICY_CACHE_LIMIT) byDocument.clear();
    byDocument.set(document, compiled);
  }
  return compiled;
}

/** Session policies compiled per request: they are small and belong to one session. */
const sessionCache = new WeakMap<object, CompiledPolicy[]>();
function sessionPolicies(principal: Principal): CompiledPolicy[] | undefined {
  const session = principal.session;
  if (!session?.policies) return undefined;
  let compiled = sessionCache.get(session);
  if (!compiled) {
    compiled = session.policies.map((doc, i) => compilePolicyDocument(doc, 'session', { id: `session/${i}` }));
    sessionCache.set(session, compiled);
  }
  return compiled;
}

function principalInfo(p: Principal): PrincipalInfo {
  return {
    type: p.type,
    arn: p.type === 'anonymous' ? '*' : p.arn,
    accountId: p.accountId,
    roleArn: p.session?.roleArn,
    userArn: p.session?.sourceUserArn,
  };
}
