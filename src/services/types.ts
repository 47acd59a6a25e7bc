/**
 * How a service plugs into the pipeline. One definition per service, listed in registry.ts.
 * Everything a service knows about the wire comes from its model; this adds what the model
 * does not say: how clients address it, its handlers, and its small protocol quirks.
 */
import type { RequestContext } from '../core/context.ts';
import type { RawRequest, RawResponse } from '../core/http.ts';
import type { AuthFamily } from '../auth/sigv4/types.ts';
import type { Protocol } from '../protocols/model.ts';
import type { Migration } from '../store/types.ts';
import type { ServiceAuthz } from '../iam/authz/types.ts';

export type Handler = (input: any, ctx: RequestContext) => Promise<Record<string, unknown>> | Record<string, unknown>;

export interface ServiceDefinition {
  /** The model folder under src/generated/ and the name used in logs and /_bonsai/health. */
  name: string;
  /** The service name in SigV4 credential scopes (e.g. 'monitoring' for CloudWatch). */
  signingName: string;
  /** The protocol Bonsai speaks for it (the model's primary protocol unless noted). */
  protocol: Protocol;
  /** The model's apiVersion: unsigned query requests are routed by their Version parameter. */
  apiVersion: string;
  /** json protocols: the X-Amz-Target prefix. */
  targetPrefix?: string;
  /** rest protocols: a path prefix that identifies the service without a signature. */
  pathPrefix?: string;
  /** Global services (IAM) are served from us-east-1 whatever region the client signs for. */
  global?: boolean;
  /** Whose wording authentication failures use. */
  authFamily: AuthFamily;
  /** S3 lets anonymous requests through to authorization (bucket policies may allow them). */
  allowsAnonymous?: boolean;
  /** How far a signature's time may be from the server's; 15 minutes unless the service says otherwise (Lambda: 5). */
  maxSignatureSkewMs?: number;
  /** S3 signs the raw path; everything else signs a normalised path. */
  signsRawPath?: boolean;
  requestIdStyle?: 'uuid' | 's3';
  handlers: Record<string, Handler>;
  /** Which IAM actions, resources and condition keys each operation needs (default `<signingName>:<Operation>` on "*"). */
  authz?: ServiceAuthz;
  migrations?: Migration[];
  /** Known differences from AWS, rendered into docs/compatibility.md by scripts/compatibility.ts. */
  compatibility?: { notes?: string[]; operations?: Record<string, string> };
  /** The service's own codec when it needs protocol hooks (e.g. DynamoDB's qualified __type); default codecFor(protocol). */
  codec?: import('../protocols/codec.ts').ProtocolCodec;
  /**
   * True when the request's body must reach the handler as a stream rather than be buffered
   * (S3 PutObject/UploadPart: up to 5 GiB). Given the request with its routing (path-style) path.
   */
  streamsRequestBody?(req: RawRequest): boolean;
  /**
   * Requests that are not API operations (S3: CORS preflights, the static website endpoint,
   * browser POST uploads), looked at before the body is read and before authentication. Given
   * the request with its routing (path-style) path and its body still unread. Answers with a
   * response, or with headers to add to the API response of the request (success or error:
   * S3's CORS headers), or undefined to let the request through untouched.
   */
  serveOutsideApi?(req: RawRequest, env: OutsideApiEnv): Promise<OutsideApiOutcome>;
  /** A service-owned tweak applied to every response it sends (e.g. DynamoDB's x-amz-crc32). */
  finalizeResponse?(response: RawResponse): RawResponse;
}

/** What serveOutsideApi is given besides the request. */
export interface OutsideApiEnv {
  deps: import('../pipeline/pipeline.ts').PipelineDeps;
  requestId: string;
  service: ServiceDefinition;
}

export type OutsideApiOutcome = { response: RawResponse } | { responseHeaders: Record<string, string> } | undefined;

/** Typed helper: a service's handlers must be operations of its generated Handlers interface. */
export function defineService<H>(def: Omit<ServiceDefinition, 'handlers'> & { handlers: Partial<H> }): ServiceDefinition {
  return def as unknown as ServiceDefinition;
}
