/**
 * Loads botocore service models for tests: the vendored runtime copy in src/generated/<svc>/model.json
 * when the codegen has produced it, else the image's Python botocore data (newest API version).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { ServiceModel } from '../../src/protocols/model.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = new Map<string, ServiceModel>();
let botocoreDataDir: string | undefined;

function findBotocoreDataDir(): string {
  botocoreDataDir ??= join(
    execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim(),
    'data',
  );
  return botocoreDataDir;
}

function loadFromBotocore(svc: string): ServiceModel {
  const svcDir = join(findBotocoreDataDir(), svc);
  // API versions are ISO dates, so the lexically greatest folder is the newest.
  const newest = readdirSync(svcDir).filter((v) => existsSync(join(svcDir, v, 'service-2.json.gz'))).sort().at(-1);
  if (!newest) throw new Error(`no botocore model for ${svc} in ${svcDir}`);
  return JSON.parse(gunzipSync(readFileSync(join(svcDir, newest, 'service-2.json.gz'))).toString('utf8')) as ServiceModel;
}

export function testModel(svc: string): ServiceModel {
  let model = cache.get(svc);
  if (!model) {
    const generated = join(repoRoot, 'src', 'generated', svc, 'model.json');
    model = existsSync(generated) ? (JSON.parse(readFileSync(generated, 'utf8')) as ServiceModel) : loadFromBotocore(svc);
    cache.set(svc, model);
  }
  return model;
}
