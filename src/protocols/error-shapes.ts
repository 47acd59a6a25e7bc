/**
 * How an AwsError relates to the model's error shapes. Providers may throw with either the shape
 * name (NoSuchEntityException) or the wire code (NoSuchEntity); the codecs find the shape either
 * way, then write the code their protocol expects.
 */
import type { AwsError } from '../core/errors.ts';
import type { ServiceModel, Shape } from './model.ts';

export interface ErrorShape {
  name: string;
  shape: Shape;
}

/** The modeled error shape for a code: by shape name first, else by its awsQueryError code. */
export function findErrorShape(model: ServiceModel, code: string): ErrorShape | undefined {
  const direct = model.shapes[code];
  if (direct?.exception) return { name: code, shape: direct };
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.exception && shape.error?.code === code) return { name, shape };
  }
  return undefined;
}

/** The code query-style envelopes carry: the shape's awsQueryError code when it has one. */
export function queryErrorCode(model: ServiceModel, error: AwsError): string {
  return findErrorShape(model, error.code)?.shape.error?.code ?? error.code;
}

/** The code JSON and REST envelopes carry: the shape name (the awsQueryError code is a query alias). */
export function shapeErrorCode(model: ServiceModel, error: AwsError): string {
  return findErrorShape(model, error.code)?.name ?? error.code;
}

/** Query-family <Type>: who is at fault. */
export function senderOrReceiver(error: AwsError): 'Sender' | 'Receiver' {
  return error.fault === 'server' ? 'Receiver' : 'Sender';
}

/** Responses name the request in a header; XML bodies repeat it. */
export function requestIdHeader(requestId: string): Record<string, string> {
  return { 'x-amzn-RequestId': requestId };
}
