/**
 * Loads a service's patched AWS model (written by scripts/codegen.ts) once, on first use.
 * Large models are stored as model-1.json, model-2.json, ... (a repo tool skips files over 1 MiB):
 * part 1 holds everything but the shapes, later parts hold shapes, and they merge back here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceModel, Shape } from '../protocols/model.ts';
import { generatedDir } from './paths.ts';

const cache = new Map<string, ServiceModel>();

export function loadServiceModel(name: string): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    model = readModel(join(generatedDir(), name));
    cache.set(name, model);
  }
  return model;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

function readModel(dir: string): ServiceModel {
  const whole = join(dir, 'model.json');
  if (existsSync(whole)) return readJson<ServiceModel>(whole);
  const first = join(dir, 'model-1.json');
  if (!existsSync(first)) throw new Error(`no generated model in ${dir}; run \`npm run codegen\``);
  const model = readJson<ServiceModel>(first);
  for (let part = 2; existsSync(join(dir, `model-${part}.json`)); part++) {
    Object.assign(model.shapes, readJson<{ shapes: Record<string, Shape> }>(join(dir, `model-${part}.json`)).shapes);
  }
  return model;
}
