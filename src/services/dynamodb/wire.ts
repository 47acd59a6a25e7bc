/**
 * DynamoDB's wire quirks, owned by the service rather than the json codec:
 * - `__type` is a fully qualified shape id: modeled errors live in
 *   `com.amazonaws.dynamodb.v20120810`, request validation in `com.amazon.coral.validate`, and the
 *   framework's own errors (authentication, authorization, serialization, unknown operations) in
 *   `com.amazon.coral.service`;
 * - the framework's AccessDeniedException and SerializationException spell the message member
 *   `Message` (the others use `message`), as captured from DynamoDB;
 * - every response carries `x-amz-crc32`, the CRC-32 of the body bytes in decimal, which SDKs
 *   verify (SDK v3 and boto3 retry on a mismatch).
 */
import { crc32 } from 'node:zlib';
import { responseBytes, type RawResponse } from '../../core/http.ts';
import type { ProtocolCodec } from '../../protocols/codec.ts';
import { createJsonCodec } from '../../protocols/json.ts';

const MODELED_NAMESPACE = 'com.amazonaws.dynamodb.v20120810';
const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';
const SERVICE_NAMESPACE = 'com.amazon.coral.service';

/** Framework errors whose body says `Message` rather than `message`. */
const CAPITALISED_MESSAGE = new Set(['AccessDeniedException', 'SerializationException']);

export function dynamodbErrorType(code: string, modeled: boolean): string {
  if (modeled) return `${MODELED_NAMESPACE}#${code}`;
  if (code === 'ValidationException') return `${VALIDATE_NAMESPACE}#${code}`;
  return `${SERVICE_NAMESPACE}#${code}`;
}

function capitaliseMessage(response: RawResponse): RawResponse {
  const text = responseBytes(response.body).toString('utf8');
  const body = JSON.parse(text) as Record<string, unknown>;
  if (!('message' in body)) return response;
  const { message, ...rest } = body;
  return { ...response, body: JSON.stringify({ ...rest, Message: message }) };
}

export function createDynamoDbCodec(): ProtocolCodec {
  const json = createJsonCodec({ errorType: dynamodbErrorType });
  return {
    ...json,
    serializeError(error, model, operation, ctx) {
      const response = json.serializeError(error, model, operation, ctx);
      return CAPITALISED_MESSAGE.has(error.code) ? capitaliseMessage(response) : response;
    },
  };
}

/** Adds `x-amz-crc32` (decimal CRC-32 of the exact body bytes) to every DynamoDB response. */
export function addCrc32(response: RawResponse): RawResponse {
  const bytes = responseBytes(response.body);
  return { ...response, headers: { ...response.headers, 'x-amz-crc32': String(crc32(bytes)) } };
}
