/**
 * The rest-json protocol (Lambda): operations by method + path template, members bound to the URI,
 * query string and headers, the rest as a JSON body (or one `payload` member as the whole body).
 * Errors: `x-amzn-ErrorType: <Code>` and a JSON body of the error shape's members.
 */
import { AwsError } from '../core/errors.ts';
import type { RawResponse } from '../core/http.ts';
import type { ProtocolCodec } from './codec.ts';
import { findErrorShape } from './error-shapes.ts';
import { jsonErrorMembers, parseJsonBody, readJsonStructure, readJsonValue, writeJsonStructure, writeJsonValue } from './json-value.ts';
import {
  hasBodyMembers, hasHeader, matchRoute, payloadMember, rawPayload, readBoundMembers, uriLabels, writeBoundMembers,
} from './rest-bindings.ts';

function withDefaultContentType(headers: Record<string, string>, contentType: string): Record<string, string> {
  return hasHeader(headers, 'content-type') ? headers : { ...headers, 'Content-Type': contentType };
}

export function createRestJsonCodec(): ProtocolCodec {
  return {
    protocol: 'rest-json',

    resolveOperation(req, model) {
      const route = matchRoute(req, model);
      if (route.operation) return route.operation;
      throw new AwsError('UnknownOperationException', 'Unknown operation', { status: 404 });
    },

    parseInput(req, body, model, operation) {
      const shape = operation.input ? model.shapes[operation.input.shape] : undefined;
      if (!shape) return {};
      const input = readBoundMembers(req, model, shape, uriLabels(req, operation));
      const payload = payloadMember(model, shape);
      if (payload) {
        if (payload.shape.type === 'blob') {
          if (body.length > 0) input[payload.name] = body;
        } else if (payload.shape.type === 'string') {
          if (body.length > 0) input[payload.name] = body.toString('utf8');
        } else if (body.length > 0) {
          input[payload.name] = readJsonValue(model, payload.ref, parseJsonBody(body), payload.name);
        }
      } else if (hasBodyMembers(shape)) {
        Object.assign(input, readJsonStructure(model, shape, parseJsonBody(body), '', true));
      }
      return input;
    },

    serializeOutput(output, model, operation, ctx) {
      const shape = operation.output ? model.shapes[operation.output.shape] : undefined;
      const bound = writeBoundMembers(model, shape, output, operation.http.responseCode ?? 200);
      const headers: Record<string, string> = { 'x-amzn-RequestId': ctx.requestId, ...bound.headers };
      const payload = payloadMember(model, shape);
      let body: Buffer | string = '';
      if (payload) {
        const v = output[payload.name];
        if (payload.shape.type === 'blob' || payload.shape.type === 'string') {
          if (v !== undefined && v !== null) body = rawPayload(v);
          return { status: bound.status, headers: withDefaultContentType(headers, 'application/octet-stream'), body };
        }
        if (v !== undefined && v !== null) body = JSON.stringify(writeJsonValue(model, payload.ref, v));
      } else if (shape && hasBodyMembers(shape)) {
        body = JSON.stringify(writeJsonStructure(model, shape, output, true));
      }
      return { status: bound.status, headers: withDefaultContentType(headers, 'application/json'), body };
    },

    serializeError(error, model, _operation, ctx): RawResponse {
      const found = findErrorShape(model, error.code);
      const code = found?.name ?? error.code;
      const fields: Record<string, unknown> = { ...error.fields };
      // Lambda's error shapes model a Type member ("User" or "Service") that its errors always carry.
      if (found?.shape.members && 'Type' in found.shape.members && fields.Type === undefined) {
        fields.Type = error.fault === 'server' ? 'Service' : 'User';
      }
      const bodyFields = jsonErrorMembers(model, found?.shape, error.message, fields);
      const ordered = 'Type' in bodyFields ? { Type: bodyFields.Type, ...bodyFields } : bodyFields;
      return {
        status: error.status,
        headers: { 'x-amzn-RequestId': ctx.requestId, 'x-amzn-ErrorType': code, 'Content-Type': 'application/json', ...error.headers },
        body: JSON.stringify(ordered),
      };
    },
  };
}
