/**
 * Reads the requests captured by scripts/capture-wire-fixtures.ts back as RawRequests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitTarget, type RawRequest } from '../../src/core/http.ts';

export const wireFixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'wire');

export interface WireFixture {
  client: string;
  name: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

export function loadWireFixture(client: string, name: string): WireFixture {
  return JSON.parse(readFileSync(join(wireFixturesDir, client, `${name}.json`), 'utf8')) as WireFixture;
}

/** Every fixture as [client, "svc.Operation"]. */
export function listWireFixtures(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const client of readdirSync(wireFixturesDir).sort()) {
    for (const file of readdirSync(join(wireFixturesDir, client)).sort()) if (file.endsWith('.json')) out.push([client, file.slice(0, -5)]);
  }
  return out;
}

export function fixtureRequest(f: WireFixture): RawRequest {
  const { path, query } = splitTarget(f.target);
  return { method: f.method, target: f.target, path, query, headers: f.headers, body: Buffer.from(f.bodyBase64, 'base64'), remoteAddress: '127.0.0.1', secure: false };
}
