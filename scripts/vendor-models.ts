/**
 * Copies AWS's service models (botocore's service-2.json, Apache-2.0) for the services Bonsai
 * serves from the image's Python botocore into models/<svc>/service-2.json, documentation
 * stripped. Run with `npx tsx scripts/vendor-models.ts` after upgrading botocore, then run the
 * codegen (`npm run codegen`) and review the diff.
 *
 * The output is deterministic: key order is botocore's, indentation is one space (so a model
 * upgrade shows up as a readable diff), and SOURCE.md keeps its date unless the version changes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Every service Bonsai serves, by botocore's folder name. */
export const VENDORED_SERVICES = [
  'iam', 'sts', 's3', 's3control', 'dynamodb', 'dynamodbstreams', 'ec2', 'rds',
  'lambda', 'cloudwatch', 'logs', 'sns', 'secretsmanager', 'ssm',
] as const;

/** Keys that only carry prose for humans; the runtime and the codegen never read them. */
const DOCUMENTATION_KEYS = new Set(['documentation', 'documentationUrl', 'examples']);

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function botocorePackageDir(): string {
  return execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' }).trim();
}

function botocoreVersion(): string {
  return execFileSync('python3', ['-c', 'import botocore;print(botocore.__version__)'], { encoding: 'utf8' }).trim();
}

/** API versions are ISO dates, so the lexically greatest folder holding a model is the newest. */
function newestModelFile(dataDir: string, service: string): { apiVersion: string; file: string } {
  const serviceDir = join(dataDir, service);
  const versions = readdirSync(serviceDir)
    .filter((v) => existsSync(join(serviceDir, v, 'service-2.json.gz')))
    .sort();
  const apiVersion = versions.at(-1);
  if (!apiVersion) throw new Error(`botocore has no service-2.json.gz for ${service} under ${serviceDir}`);
  return { apiVersion, file: join(serviceDir, apiVersion, 'service-2.json.gz') };
}

/** Maps whose keys are names chosen by the model (a member could be called "documentation"). */
const NAME_MAPS = new Set(['shapes', 'operations', 'members']);

/** Removes documentation keys at every depth, keeping everything else (deprecated, sensitive, box, ...). */
export function stripDocumentation(value: unknown, isNameMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => stripDocumentation(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (!isNameMap && DOCUMENTATION_KEYS.has(key)) continue;
    out[key] = stripDocumentation(child, !isNameMap && NAME_MAPS.has(key));
  }
  return out;
}

/** botocore's wheel metadata folder, which holds its LICENSE.txt and NOTICE. */
function distInfoDir(packageDir: string, version: string): string {
  const sitePackages = dirname(packageDir);
  const exact = join(sitePackages, `botocore-${version}.dist-info`);
  if (existsSync(exact)) return exact;
  const any = readdirSync(sitePackages).find((n) => n.startsWith('botocore-') && n.endsWith('.dist-info'));
  if (!any) throw new Error(`no botocore-*.dist-info next to ${packageDir}`);
  return join(sitePackages, any);
}

/** Keeps the recorded date when the version did not change, so re-running is a no-op. */
function vendoredDate(sourceFile: string, version: string): string {
  if (existsSync(sourceFile)) {
    const previous = readFileSync(sourceFile, 'utf8');
    const date = /^Vendored on: (\d{4}-\d{2}-\d{2})$/m.exec(previous)?.[1];
    if (date && previous.includes(`botocore ${version}\n`)) return date;
  }
  return new Date().toISOString().slice(0, 10);
}

function sourceNote(version: string, date: string, apiVersions: Record<string, string>): string {
  const rows = Object.entries(apiVersions).map(([svc, v]) => `| ${svc} | ${v} |`).join('\n');
  return `# Source of these models

Copied from AWS's botocore ${version}
Vendored on: ${date}

Each \`<service>/service-2.json\` is botocore's \`botocore/data/<service>/<api-version>/service-2.json.gz\`
for the newest API version, decompressed, with every \`documentation\`, \`documentationUrl\` and
\`examples\` key removed; nothing else is changed. The files are licensed under the Apache License 2.0
(see LICENSE.txt and NOTICE beside this file, copied from botocore's distribution).

Corrections Bonsai needs on top of AWS's models live in \`patches/\` (see patches/README.md); the
codegen (scripts/codegen.ts) applies them. Regenerate with \`npx tsx scripts/vendor-models.ts\`.

| service | API version |
|---|---|
${rows}
`;
}

function main(): void {
  const packageDir = botocorePackageDir();
  const version = botocoreVersion();
  const dataDir = join(packageDir, 'data');
  const modelsDir = join(repoRoot, 'models');
  const apiVersions: Record<string, string> = {};

  for (const service of VENDORED_SERVICES) {
    const { apiVersion, file } = newestModelFile(dataDir, service);
    const model = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as unknown;
    mkdirSync(join(modelsDir, service), { recursive: true });
    writeFileSync(join(modelsDir, service, 'service-2.json'), JSON.stringify(stripDocumentation(model), null, 1) + '\n');
    apiVersions[service] = apiVersion;
    console.log(`models/${service}/service-2.json  (${apiVersion})`);
  }

  const distInfo = distInfoDir(packageDir, version);
  copyFileSync(join(distInfo, 'LICENSE.txt'), join(modelsDir, 'LICENSE.txt'));
  copyFileSync(join(distInfo, 'NOTICE'), join(modelsDir, 'NOTICE'));

  const sourceFile = join(modelsDir, 'SOURCE.md');
  writeFileSync(sourceFile, sourceNote(version, vendoredDate(sourceFile, version), apiVersions));
  console.log(`vendored ${VENDORED_SERVICES.length} models from botocore ${version}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
