/**
 * The json protocol, 1.0 (DynamoDB, Streams) and 1.1 (Logs, Secrets Manager, SSM): the operation
 * comes from `X-Amz-Target: <targetPrefix>.<Operation>`, input and output are JSON documents, and
 * errors are `{"__type": …, "message": …}` with an `x-amzn-ErrorType` header.
 */
import { AwsError } from '../core/errors.ts';
import type { RawResponse } from '../core/http.ts';
import type { ProtocolCodec } from './codec.ts';
import { findErrorShape, senderOrReceiver } from './error-shapes.ts';
import { jsonErrorMembers, parseJsonBody, readJsonStructure, writeJsonStructure } from './json-value.ts';
import type { ServiceModel } from './model.ts';

export interface JsonCodecHooks {
  /**
   * The `__type` written for an error code. Most services send the bare code; some qualify it
   * with a namespace (DynamoDB: `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` for
   * modeled errors, `com.amazon.coral.service#UnknownOperationException` for framework errors).
   * Namespaces are not in botocore's models, so the service supplies this hook.
   */
  errorType?: (code: string, modeled: boolean) => string;
}

export function jsonContentType(model: ServiceModel): string {
  return `application/x-amz-json-${model.metadata.jsonVersion ?? '1.0'}`;
}

function jsonResponse(status: number, model: ServiceModel, body: unknown, requestId: string, extra: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'x-amzn-RequestId': requestId, 'Content-Type': jsonContentType(model), ...extra },
    body: JSON.stringify(body),
  };
}

export function unknownOperation(): AwsError {
  return new AwsError('UnknownOperationException', '');
}

export function createJsonCodec(hooks: JsonCodecHooks = {}): ProtocolCodec {
  return {
    protocol: 'json',

    resolveOperation(req, model) {
      const target = req.headers['x-amz-target'] ?? '';
      const dot = target.lastIndexOf('.');
      const prefix = target.slice(0, dot);
      const name = target.slice(dot + 1);
      const operation = dot > 0 && prefix === model.metadata.targetPrefix ? model.operations[name] : undefined;
      if (!operation) throw unknownOperation();
      return operation;
    },

    parseInput(_req, body, model, operation) {
      const document = parseJsonBody(body);
      if (!operation.input) return {};
      return readJsonStructure(model, model.shapes[operation.input.shape]!, document, '');
    },

    serializeOutput(output, model, operation, ctx) {
      const shape = operation.output ? model.shapes[operation.output.shape] : undefined;
      return jsonResponse(200, model, shape ? writeJsonStructure(model, shape, output) : {}, ctx.requestId);
    },

    serializeError(error, model, _operation, ctx) {
      const found = findErrorShape(model, error.code);
      const code = found?.name ?? error.code;
      const type = hooks.errorType ? hooks.errorType(code, found !== undefined) : code;
      const headers: Record<string, string> = { 'x-amzn-ErrorType': code, ...error.headers };
      if (model.metadata.awsQueryCompatible) {
        // Query-compatible services (CloudWatch, SQS) also send the old query code for SDKs that map it.
        headers['x-amzn-query-error'] = `${found?.shape.error?.code ?? error.code};${senderOrReceiver(error)}`;
      }
      const body = { __type: type, ...jsonErrorMembers(model, found?.shape, error.message, error.fields) };
      return jsonResponse(error.status, model, body, ctx.requestId, headers);
    },
  };
}
