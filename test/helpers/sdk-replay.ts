/**
 * Feeds a Bonsai RawResponse to a real SDK v3 client: a request handler that answers every
 * request with the given bytes, so the client's own deserialiser parses our output or error.
 */
import { Readable } from 'node:stream';
import { HttpResponse } from '@smithy/core/transport';
import type { RawResponse } from '../../src/core/http.ts';

export interface ReplayHandler {
  handle(): Promise<{ response: HttpResponse }>;
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
}

export function replay(response: RawResponse): ReplayHandler {
  return {
    async handle() {
      const bytes = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
      const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      return { response: new HttpResponse({ statusCode: response.status, headers, body: Readable.from(bytes.length ? [bytes] : []) }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
}

/** Options every replaying client shares. */
export function replayClientConfig(response: RawResponse) {
  return {
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:4566',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: replay(response),
  };
}
