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
      const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      return { response: new HttpResponse({ statusCode: response.status, headers, body: replayBody(response.body) }) };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
}

/** A streamed body is handed over as it is; bytes become a one-chunk stream. */
function replayBody(body: RawResponse['body']): Readable {
  if (body instanceof Readable) return body;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Readable.from(bytes.length ? [bytes] : []);
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
