/**
 * The one request pipeline every AWS request takes, from any client:
 *
 *   identify service ─▶ [service's serveOutsideApi] ─▶ read body ─▶ authenticate (SigV4)
 *     ─▶ resolve operation ─▶ parse ─▶ validate ─▶ authorize (IAM) ─▶ invoke provider ─▶ serialize
 *   any throw ─▶ toAwsError() ─▶ the protocol's error envelope
 *
 * The service is identified first because an authentication failure must be answered in that
 * service's own envelope and wording. Authentication runs before parsing so that the payload
 * hash and chunk signatures are checked against the raw bytes; parsing runs before authorization
 * because resource ARNs and condition keys come from the input.
 *
 * serveOutsideApi lets a service answer requests that are not operations of its model (S3's CORS
 * preflights, website endpoint and browser POST uploads) or add headers to the answer.
 *
 * Bodies arrive unread from the edge (RawRequest.bodyStream). 'read body' buffers them under a
 * limit, except where the service streams the operation (S3 PutObject/UploadPart): those reach
 * the handler as a stream that authentication has wrapped to decode and verify as it is read.
 */
import type { Logger } from 'pino';
import { AwsError, notImplemented, toAwsError } from '../core/errors.ts';
import type { RawRequest, RawResponse, RequestBodyStream } from '../core/http.ts';
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
import { readBodyUnderLimit, DEFAULT_MAX_BODY_BYTES } from './read-body.ts';

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
  /** The absolute data directory path, handed to handlers as ctx.dataDir. */
  dataDir: string;
  /** Buffered request bodies larger than this are refused with 413 (default 64 MiB); streamed ones are not limited. */
  maxBodyBytes?: number;
  /** Wall clock for signature skew and presigned expiry (tests may pin it). */
  wallClockMs?: () => number;
  /** Told of every authenticated principal (IAM records access keys' last use). Must not throw. */
  onAuthenticated?(principal: Principal, service: ServiceDefinition, region: string): void;
}

/** Everything one request accumulates on its way through the stages. */
interface Exchange {
  /** Replaced (never mutated) once the body has been read. */
  req: RawRequest;
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
  /** Set by the service's serveOutsideApi: the whole answer (no later stage runs), or headers to add to it. */
  response?: RawResponse;
  responseHeaders?: Record<string, string>;
}

type Stage = (ex: Exchange, deps: PipelineDeps) => Promise<void> | void;

/** The stages after service identification, in order. Read top to bottom. */
const STAGES: ReadonlyArray<readonly [string, Stage]> = [
  ['serve outside the API', serveOutsideApiStage],
  ['read body', readBodyStage],
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
  const limit = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async function handle(incoming: RawRequest): Promise<RawResponse> {
    // Unsigned query requests may name their service only in the form body (Version=…).
    const req = bodyNeededForRouting(incoming) ? await withBufferedBody(incoming, limit) : incoming;
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
      for (const [, stage] of STAGES) {
        // Most stages finish synchronously; awaiting only a promise saves a microtask hop each.
        const pending = stage(ex, deps);
        if (pending) await pending;
        if (ex.response) break;
      }
      response = ex.response ?? ex.codec.serializeOutput(ex.output ?? {}, ex.model, ex.operation!, { requestId: ex.requestId, now: deps.clock.now() });
    } catch (err) {
      response = renderError(ex, err, deps);
    }
    if (ex.responseHeaders) response = { ...response, headers: { ...response.headers, ...ex.responseHeaders } };
    if (ex.service.finalizeResponse) response = ex.service.finalizeResponse(response);
    logRequest(ex, response, started, deps.log);
    return response;
  };
}

/**
 * The service's look at requests that are not API operations (S3's CORS preflights, website
 * endpoint, browser POST uploads), before the body is read: a POST upload streams its file.
 */
async function serveOutsideApiStage(ex: Exchange, deps: PipelineDeps): Promise<void> {
  const outcome = await ex.service.serveOutsideApi?.(ex.routingReq, { deps, requestId: ex.requestId, service: ex.service });
  if (!outcome) return;
  if ('response' in outcome) ex.response = outcome.response;
  else ex.responseHeaders = outcome.responseHeaders;
}

/**
 * Buffers the body into req.body unless the service takes this request's body as a stream;
 * a body over the limit is refused (413) in the service's envelope.
 */
async function readBodyStage(ex: Exchange, deps: PipelineDeps): Promise<void> {
  if (ex.req.bodyStream && !ex.service.streamsRequestBody?.(ex.routingReq)) {
    const req = await withBufferedBody(ex.req, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    ex.routingReq = ex.routingReq === ex.req ? req : { ...req, path: ex.routingReq.path };
    ex.req = req;
  }
  const oversized = ex.req.oversizedBody;
  if (oversized) throw bodyTooLarge(oversized.declaredBytes, oversized.limitBytes);
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

async function parseStage(ex: Exchange, deps: PipelineDeps): Promise<void> {
  const auth = ex.auth!;
  if (auth.bodyStream && !takesStreamingPayload(ex.model, ex.operation!)) {
    // Streamed by the service's rule, but this operation reads its body whole (CopyObject's is empty).
    auth.body = await bufferDecodedStream(auth.bodyStream, deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    auth.trailers = auth.bodyStream.trailers;
    auth.bodyStream = undefined;
  }
  ex.input = ex.codec.parseInput(ex.routingReq, auth.body, ex.model, ex.operation!, auth.bodyStream);
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

/** Buffers the request's unread body (if any) under the limit; marks it oversized past it. */
async function withBufferedBody(req: RawRequest, limit: number): Promise<RawRequest> {
  if (!req.bodyStream) return req;
  const read = await readBodyUnderLimit(req.bodyStream, req.headers, limit);
  const { bodyStream: _read, ...rest } = req;
  if (read.kind === 'oversized') return { ...rest, body: Buffer.alloc(0), oversizedBody: { declaredBytes: read.declaredBytes, limitBytes: limit } };
  return { ...rest, body: read.body };
}

/** Form-encoded POSTs: identify-service reads Version= from the body when nothing else names the service. */
function bodyNeededForRouting(req: RawRequest): boolean {
  return req.bodyStream !== undefined && req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** Whether the operation's input payload is a streaming blob (S3 PutObject/UploadPart `Body`). */
function takesStreamingPayload(model: ServiceModel, operation: OperationModel): boolean {
  const input = operation.input ? model.shapes[operation.input.shape] : undefined;
  const name = input?.payload;
  const ref = name ? input.members?.[name] : undefined;
  if (!ref) return false;
  const shape = model.shapes[ref.shape];
  return shape?.type === 'blob' && Boolean(ref.streaming ?? shape.streaming);
}

/** Reads a decoded body stream whole, under the buffered limit; its errors are the request's. */
async function bufferDecodedStream(stream: RequestBodyStream, limit: number): Promise<Buffer> {
  const read = await readBodyUnderLimit(stream, {}, limit);
  if (read.kind === 'oversized') throw bodyTooLarge(read.declaredBytes, limit);
  return read.body;
}

function bodyTooLarge(declaredBytes: number, limitBytes: number): AwsError {
  return new AwsError('RequestEntityTooLarge', `Request body of ${declaredBytes} bytes exceeds the maximum of ${limitBytes} bytes.`, { status: 413 });
}

function buildContext(ex: Exchange, deps: PipelineDeps): RequestContext {
  const auth = ex.auth!;
  const principal: Principal = auth.principal ?? anonymousPrincipal(deps.accountId);
  return new PipelineContext(ex, auth, principal, deps);
}

/**
 * A request's context. A class rather than an object literal so that the logger can be made on
 * first use (few handlers log, and a pino child per request is measurable) through a prototype
 * getter; a getter in an object literal made every context slower to use.
 */
class PipelineContext implements RequestContext {
  readonly requestId: string;
  readonly accountId: string;
  readonly region: string;
  readonly signedRegion: string;
  readonly service: string;
  readonly operation: string;
  readonly clock: Clock;
  readonly store: Store;
  readonly secrets: SecretBox;
  readonly request: RawRequest;
  readonly sourceIp: string;
  readonly dataDir: string;
  readonly requestBody: RequestBodyStream | undefined;
  private childLog: Logger | undefined;

  constructor(ex: Exchange, auth: Authentication, readonly principal: Principal, private readonly deps: PipelineDeps) {
    this.requestId = ex.requestId;
    this.accountId = principal.type === 'anonymous' ? deps.accountId : principal.accountId;
    this.region = ex.service.global ? GLOBAL_REGION : auth.region;
    this.signedRegion = auth.region;
    this.service = ex.service.name;
    this.operation = ex.operation!.name;
    this.clock = deps.clock;
    this.store = withReadMemo(deps.store);
    this.secrets = deps.secrets;
    this.request = ex.req;
    this.sourceIp = ex.req.remoteAddress;
    this.dataDir = deps.dataDir;
    this.requestBody = auth.bodyStream;
    this.childLog = undefined;
  }

  get log(): Logger {
    return (this.childLog ??= this.deps.log.child({ requestId: this.requestId }));
  }
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

