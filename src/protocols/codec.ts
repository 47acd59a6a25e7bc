/**
 * The contract every wire-protocol codec fulfils. A codec is driven entirely by the service model:
 * it never branches on a service name. Service quirks (S3's bare <Error> envelope, DynamoDB's
 * x-amz-crc32 header) are hooks owned by the service definition and applied by the pipeline.
 */
import type { AwsError } from '../core/errors.ts';
import type { RawRequest, RawResponse, RequestBodyStream } from '../core/http.ts';
import type { OperationModel, Protocol, ServiceModel } from './model.ts';

export interface ResponseContext {
  requestId: string;
  /** Bonsai's idea of now; timestamps the codec invents (e.g. Date headers) use it. */
  now: Date;
}

export interface ProtocolCodec {
  readonly protocol: Protocol;

  /**
   * Picks the operation a request addresses within an already identified service: Action= for
   * query/ec2, X-Amz-Target for json, method + path template for rest-json/rest-xml.
   * Throws the protocol's own AwsError for unknown operations (e.g. query's InvalidAction).
   */
  resolveOperation(req: RawRequest, model: ServiceModel): OperationModel;

  /**
   * Reads the operation's input from the request. `body` is the payload after SigV4 has decoded
   * any aws-chunked framing. Throws the protocol's AwsError for malformed input. `bodyStream`,
   * when given, is the streamed body (then `body` is empty): a streaming blob payload member takes it.
   */
  parseInput(req: RawRequest, body: Buffer, model: ServiceModel, operation: OperationModel, bodyStream?: RequestBodyStream): Record<string, unknown>;

  serializeOutput(output: Record<string, unknown>, model: ServiceModel, operation: OperationModel, ctx: ResponseContext): RawResponse;

  /** Renders an error in the protocol's envelope. `operation` is undefined when routing failed. */
  serializeError(error: AwsError, model: ServiceModel, operation: OperationModel | undefined, ctx: ResponseContext): RawResponse;
}
