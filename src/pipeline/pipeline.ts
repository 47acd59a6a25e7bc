/**
 * The one request pipeline every AWS request takes, from any client:
 *
 *   identify service ─▶ authenticate (SigV4) ─▶ resolve operation ─▶ parse ─▶ validate
 *     ─▶ authorize (IAM) ─▶ invoke provider ─▶ serialize
 *   any throw ─▶ toAwsError() ─▶ the protocol's error envelope
 *
 * The service is identified first because an authentication failure must be answered in that
 * service's own envelope and wording. Authentication runs before parsing so that the payload
 * hash and chunk signatures are checked against the raw bytes; parsing runs before authorization
 * because resource ARNs and condition keys come from the input.
 */
import type { Logger } from 'pino';
import { AwsError, notImplemented, toAwsError } from '../core/errors.ts';
import type { RawRequest, RawResponse } from '../core/http.ts';
import type { Clock } from '../core/clock.ts';
import type { RequestContext } from '../core/context.ts';
import type { CredentialResolver, Principal } from '../core/principal.ts';
import { anonymousPrincipal } from '../core/principal.ts';
import { GLOBAL_REGION } from '../core/regions.ts';
import { newRequestId, newS3RequestId } from '../core/ids.ts';
import type { Store } from '../store/types.ts';
import { withReadMemo } from '../store/read-memo.ts';
import type { SecretBox } from '../core/secrets.ts';
import type { OperationModel, Protocol, ServiceModel } from '../protocols/model.ts';
import type { ProtocolCodec } from '../protocols/codec.ts';
import { codecFor } from '../protocols/index.ts';
import { loadServiceModel } from '../generated/load-model.ts';
import { validateInput } from '../validation/validate.ts';
import type { ServiceDefinition } from '../services/types.ts';
import { buildServiceIndex, identifyService, type ServiceIndex } from '../routing/identify-service.ts';
import type { Authorizer } from './authorizer.ts';
import { authenticate, type Authentication } from './authenticate.ts';

export interface PipelineDeps {
  services: readonly ServiceDefinition[];
  accountId: string;
  resolver: CredentialResolver;
  authorizer: Authorizer;
  authMode: 'enforce' | 'off';
  clock: Clock;
  store: Store;
  secrets: SecretBox;
  log: Logger;
  /** Wall clock for signature skew and presigned expiry (tests may pin it). */
  wallClockMs?: () => number;
  /** Told of every authenticated principal (IAM records access keys' last use). Must not throw. */
  onAuthenticated?(principal: Principal, service: ServiceDefinition, region: string): void;
}

/** Everything one request accumulates on its way through the stages. */
interface Exchange {
  readonly req: RawRequest;
  requestId: string;
  service: ServiceDefinition;
  protocol: Protocol;
  model: ServiceModel;
  codec: ProtocolCodec;
  routingReq: RawRequest;
  scopeRegion?: string;
  auth?: Authentication;
  operation?: OperationModel;
  input?: Record<string, unknown>;
  ctx?: RequestContext;
  output?: Record<string, unknown>;
}

type Stage = (ex: Exchange, deps: PipelineDeps) => Promise<void> | void;

/** The stages after service identification, in order. Read top to bottom. */
const STAGES: ReadonlyArray<readonly [string, Stage]> = [
  ['check body size', checkBodySizeStage],
  ['authenticate', authenticateStage],
  ['resolve operation', resolveOperationStage],
  ['parse', parseStage],
  ['validate', validateStage],
  ['authorize', authorizeStage],
  ['invoke', invokeStage],
];

export type RequestHandler = (req: RawRequest) => Promise<RawResponse>;

export function createPipeline(deps: PipelineDeps): RequestHandler {
  const index: ServiceIndex = buildServiceIndex(deps.services);
  return async function handle(req: RawRequest): Promise<RawResponse> {
    const route = identifyService(req, index);
    const ex: Exchange = {
      req,
      requestId: route.service.requestIdStyle === 's3' ? newS3RequestId() : newRequestId(),
      service: route.service,
      protocol: route.protocol,
      model: loadServiceModel(route.service.name),
      codec: route.protocol === route.service.protocol && route.service.codec ? route.service.codec : codecFor(route.protocol),
      routingReq: route.routingPath === req.path ? req : { ...req, path: route.routingPath },
      scopeRegion: route.scopeRegion,
    };
    const started = process.hrtime.bigint();
    let response: RawResponse;
    try {
      for (const [, stage] of STAGES) await stage(ex, deps);
      response = ex.codec.serializeOutput(ex.output ?? {}, ex.model, ex.operation!, { requestId: ex.requestId, now: deps.clock.now() });
    } catch (err) {
      response = renderError(ex, err, deps);
    }
    if (ex.service.finalizeResponse) response = ex.service.finalizeResponse(response);
    logRequest(ex, response, started, deps.log);
    return response;
  };
}

function checkBodySizeStage(ex: Exchange): void {
  const oversized = ex.req.oversizedBody;
  if (oversized) {
    throw new AwsError('RequestEntityTooLarge', `Request body of ${oversized.declaredBytes} bytes exceeds the maximum of ${oversized.limitBytes} bytes.`, {
      status: 413,
    });
  }
}

async function authenticateStage(ex: Exchange, deps: PipelineDeps): Promise<void> {
  ex.auth = await authenticate(ex.req, ex.service, ex.scopeRegion, deps);
  if (ex.auth.principal && deps.onAuthenticated) {
    deps.onAuthenticated(ex.auth.principal, ex.service, ex.service.global ? GLOBAL_REGION : ex.auth.region);
  }
}

function resolveOperationStage(ex: Exchange): void {
  ex.operation = ex.codec.resolveOperation(ex.routingReq, ex.model);
}

function parseStage(ex: Exchange): void {
  ex.input = ex.codec.parseInput(ex.routingReq, ex.auth!.body, ex.model, ex.operation!);
}

function validateStage(ex: Exchange): void {
  const error = validateInput(ex.model, ex.operation!, ex.input!, ex.protocol);
  if (error) throw error;
}

async function authorizeStage(ex: Exchange, deps: PipelineDeps): Promise<void> {
  ex.ctx = buildContext(ex, deps);
  await deps.authorizer.authorize({ ctx: ex.ctx, service: ex.service, operation: ex.operation!, input: ex.input! });
}

async function invokeStage(ex: Exchange): Promise<void> {
  const handler = ex.service.handlers[ex.operation!.name];
  if (!handler) throw notImplemented(ex.service.name, ex.operation!.name);
  ex.output = await handler(ex.input!, ex.ctx!);
}

function buildContext(ex: Exchange, deps: PipelineDeps): RequestContext {
  const auth = ex.auth!;
  const principal: Principal = auth.principal ?? anonymousPrincipal(deps.accountId);
  return {
    requestId: ex.requestId,
    accountId: principal.type === 'anonymous' ? deps.accountId : principal.accountId,
    region: ex.service.global ? GLOBAL_REGION : auth.region,
    signedRegion: auth.region,
    service: ex.service.name,
    operation: ex.operation!.name,
    principal,
    clock: deps.clock,
    store: withReadMemo(deps.store),
    secrets: deps.secrets,
    log: deps.log.child({ requestId: ex.requestId }),
    request: ex.req,
    sourceIp: ex.req.remoteAddress,
  };
}

function renderError(ex: Exchange, err: unknown, deps: PipelineDeps): RawResponse {
  const { error, unexpected } = toAwsError(err);
  if (unexpected) {
    deps.log.error({ err, requestId: ex.requestId, service: ex.service.name, operation: ex.operation?.name }, 'unexpected error while handling a request');
  }
  try {
    return ex.codec.serializeError(error, ex.model, ex.operation, { requestId: ex.requestId, now: deps.clock.now() });
  } catch (renderFailure) {
    // A codec that cannot render an error is a Bonsai bug; answer plainly rather than hang up.
    deps.log.error({ err: renderFailure, requestId: ex.requestId }, 'failed to render an error response');
    return { status: 500, headers: { 'content-type': 'text/plain' }, body: `InternalFailure (request ${ex.requestId})` };
  }
}

function logRequest(ex: Exchange, res: RawResponse, started: bigint, log: Logger): void {
  if (!log.isLevelEnabled('info')) return;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  log.info(
    {
      requestId: ex.requestId,
      service: ex.service.name,
      operation: ex.operation?.name,
      status: res.status,
      principal: ex.auth?.principal?.arn,
      ms: Math.round(ms * 100) / 100,
    },
    `${ex.service.name}:${ex.operation?.name ?? '?'} ${res.status}`,
  );
}

