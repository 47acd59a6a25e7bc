import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceModel } from '../../../src/protocols/model.ts';
import {
  HEADER,
  describeErrorShape,
  findStaleFiles,
  generateService,
  loadPatchedModel,
  writeGenerated,
} from '../../../scripts/codegen.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A small query-protocol model exercising every shape type the generator maps. */
function tinyModel(protocol: 'query' | 'json' = 'query'): ServiceModel {
  return {
    metadata: { apiVersion: '2020-01-01', endpointPrefix: 'tiny', protocol, serviceId: 'Tiny' },
    operations: {
      CreateThing: {
        name: 'CreateThing',
        http: { method: 'POST', requestUri: '/' },
        input: { shape: 'CreateThingRequest' },
        output: { shape: 'CreateThingResponse' },
        errors: [{ shape: 'NoSuchThingException' }],
      },
      Ping: { name: 'Ping', http: { method: 'POST', requestUri: '/' } },
    },
    shapes: {
      CreateThingRequest: {
        type: 'structure',
        required: ['Name'],
        members: {
          Name: { shape: 'NameType' },
          Color: { shape: 'Color' },
          Tags: { shape: 'TagList' },
          Labels: { shape: 'LabelMap' },
          Payload: { shape: 'Blob' },
          When: { shape: 'Stamp' },
          Count: { shape: 'Int' },
          Enabled: { shape: 'Bool' },
          'x-odd': { shape: 'NameType' },
        },
      },
      CreateThingResponse: { type: 'structure', members: { Thing: { shape: 'Object' } } },
      Object: { type: 'structure', members: { Name: { shape: 'NameType' } } },
      NameType: { type: 'string', min: 1, max: 64 },
      Color: { type: 'string', enum: ['red', "it's"] },
      TagList: { type: 'list', member: { shape: 'Color' } },
      LabelMap: { type: 'map', key: { shape: 'NameType' }, value: { shape: 'Blob' } },
      Blob: { type: 'blob' },
      Stamp: { type: 'timestamp' },
      Int: { type: 'integer' },
      Bool: { type: 'boolean' },
      NoSuchThingException: {
        type: 'structure',
        members: { message: { shape: 'NameType' }, ThingName: { shape: 'NameType' } },
        error: { code: 'NoSuchThing', httpStatusCode: 404, senderFault: true },
        exception: true,
      },
      ServiceBroken: { type: 'structure', members: {}, error: { code: 'Broken' }, exception: true, fault: true },
    },
  };
}

function file(files: { path: string; content: string }[], name: string): string {
  const found = files.find((f) => f.path === `src/generated/tiny/${name}`);
  assert.ok(found, `no ${name} generated; got ${files.map((f) => f.path).join(', ')}`);
  return found.content;
}

test('types.ts: interfaces with exact member names, required members non-optional, enum unions', () => {
  const types = file(generateService('tiny', tinyModel()), 'types.ts');
  assert.ok(types.startsWith(HEADER));
  assert.ok(
    types.includes(
      'export interface CreateThingRequest {\n' +
        '  Name: string;\n' +
        '  Color?: Color;\n' +
        '  Tags?: Color[];\n' +
        '  Labels?: Record<string, Uint8Array | Buffer>;\n' +
        '  Payload?: Uint8Array | Buffer;\n' +
        '  When?: Date;\n' +
        '  Count?: number;\n' +
        '  Enabled?: boolean;\n' +
        '  "x-odd"?: string;\n' +
        '}\n',
    ),
    types,
  );
  assert.ok(types.includes("export type Color = 'red' | 'it\\'s';\n"));
  // `Object` would shadow the global; exceptions' members get <Name>Fields (the class takes the name).
  assert.ok(types.includes('export interface ObjectShape {\n  Name?: string;\n}\n'));
  assert.ok(types.includes('  Thing?: ObjectShape;\n'));
  assert.ok(types.includes('export interface NoSuchThingExceptionFields {\n  message?: string;\n  ThingName?: string;\n}\n'));
});

test('handlers.ts: one method per operation, Record<string, never> without input/output', () => {
  const handlers = file(generateService('tiny', tinyModel()), 'handlers.ts');
  assert.ok(handlers.includes("import type { RequestContext } from '../../core/context.ts';\n"));
  assert.ok(handlers.includes('export interface TinyHandlers {\n'));
  assert.ok(handlers.includes('  CreateThing(input: CreateThingRequest, ctx: RequestContext): Promise<CreateThingResponse>;\n'));
  assert.ok(handlers.includes('  Ping(input: Record<string, never>, ctx: RequestContext): Promise<Record<string, never>>;\n'));
});

test('errors.ts: wire code, status, fault and typed fields per error shape', () => {
  const errors = file(generateService('tiny', tinyModel()), 'errors.ts');
  assert.ok(
    errors.includes(
      'export class NoSuchThingException extends AwsError {\n' +
        "  static readonly code = 'NoSuchThing';\n" +
        '  static readonly status = 404;\n' +
        "  constructor(message: string, fields?: Partial<Omit<NoSuchThingExceptionFields, 'message'>>) {\n" +
        "    super('NoSuchThing', message, { status: 404, fault: 'client', fields });\n" +
        "    this.name = 'NoSuchThingException';\n",
    ),
    errors,
  );
  assert.ok(errors.includes("    super('Broken', message, { status: 500, fault: 'server' });\n"));
});

test('error codes: awsQueryError code for query protocols, shape name for json', () => {
  assert.deepEqual(describeErrorShape(tinyModel('query'), 'NoSuchThingException'), {
    shapeName: 'NoSuchThingException', code: 'NoSuchThing', status: 404, fault: 'client',
  });
  assert.equal(describeErrorShape(tinyModel('json'), 'NoSuchThingException').code, 'NoSuchThingException');
  const serverByFlag = tinyModel('json');
  serverByFlag.shapes.NoSuchThingException!.error = { httpStatusCode: 503, senderFault: false };
  assert.deepEqual(describeErrorShape(serverByFlag, 'NoSuchThingException'), {
    shapeName: 'NoSuchThingException', code: 'NoSuchThingException', status: 503, fault: 'server',
  });
});

test('large outputs are split: numbered model parts and type files that import each other', () => {
  const files = generateService('tiny', tinyModel(), 400);
  const paths = files.map((f) => f.path.replace('src/generated/tiny/', ''));
  assert.ok(!paths.includes('model.json'));
  assert.ok(paths.includes('model-1.json') && paths.includes('model-2.json'), paths.join(','));
  const parts = paths.filter((p) => /^model-\d+\.json$/.test(p)).map((p) => JSON.parse(file(files, p)) as Partial<ServiceModel>);
  assert.deepEqual(parts[0]!.operations, tinyModel().operations);
  const merged = Object.assign({}, ...parts.map((p) => p.shapes));
  assert.deepEqual(merged, tinyModel().shapes);

  const typeParts = paths.filter((p) => /^types-\d+\.ts$/.test(p));
  assert.ok(typeParts.length > 1);
  assert.equal(file(files, 'types.ts'), HEADER + '\n' + typeParts.map((p) => `export * from './${p}';\n`).join(''));
  const withCreate = typeParts.map((p) => file(files, p)).find((c) => c.includes('export interface CreateThingRequest'))!;
  assert.match(withCreate, /import type \{[^}]*\bColor\b[^}]*\} from '\.\/types-\d+\.ts';/);
});

test('a patch that no longer applies stops the codegen with the file named', () => {
  const root = mkdtempSync(join(tmpdir(), 'bonsai-codegen-'));
  try {
    mkdirSync(join(root, 'models', 'sts'), { recursive: true });
    mkdirSync(join(root, 'models', 'patches'), { recursive: true });
    copyFileSync(join(repoRoot, 'models', 'sts', 'service-2.json'), join(root, 'models', 'sts', 'service-2.json'));
    writeFileSync(join(root, 'models', 'patches', 'sts.json'), JSON.stringify([{ op: 'test', path: '/metadata/protocol', value: 'json' }]));
    assert.throws(() => loadPatchedModel(root, 'sts'), /models\/patches\/sts\.json does not apply/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the committed src/generated is what the codegen produces', () => {
  assert.deepEqual(findStaleFiles(repoRoot), { changed: [], extra: [] });
});

test('--check mode detects a stale and an extra file in a temp copy, and regeneration fixes them', () => {
  const root = mkdtempSync(join(tmpdir(), 'bonsai-codegen-'));
  try {
    for (const svc of ['iam', 'sts']) {
      mkdirSync(join(root, 'models', svc), { recursive: true });
      copyFileSync(join(repoRoot, 'models', svc, 'service-2.json'), join(root, 'models', svc, 'service-2.json'));
    }
    mkdirSync(join(root, 'models', 'patches'), { recursive: true });
    copyFileSync(join(repoRoot, 'models', 'patches', 'iam.json'), join(root, 'models', 'patches', 'iam.json'));

    const first = writeGenerated(root);
    assert.equal(first.changed.length, 10); // 5 files per service
    assert.deepEqual(findStaleFiles(root), { changed: [], extra: [] });

    const errorsFile = join(root, 'src', 'generated', 'iam', 'errors.ts');
    writeFileSync(errorsFile, readFileSync(errorsFile, 'utf8') + '// hand edit\n');
    writeFileSync(join(root, 'src', 'generated', 'sts', 'leftover.ts'), 'export {};\n');
    assert.deepEqual(findStaleFiles(root), { changed: ['src/generated/iam/errors.ts'], extra: ['src/generated/sts/leftover.ts'] });

    const cli = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'codegen.ts'), '--check', '--root', root], { encoding: 'utf8' });
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /changed: src\/generated\/iam\/errors\.ts/);
    assert.match(cli.stderr, /extra: {3}src\/generated\/sts\/leftover\.ts/);

    writeGenerated(root);
    assert.deepEqual(findStaleFiles(root), { changed: [], extra: [] });
    const ok = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'codegen.ts'), '--check', '--root', root], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
