/**
 * Agreement with @smithy/signature-v4 (the AWS SDK for JavaScript v3 signer), used here only as
 * an independent signer: randomised requests with awkward paths, queries and headers, signed
 * with headers or presigned, for S3 and for a service that double-encodes paths, must all
 * verify; one changed byte of path, query, header or body must always fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { uriEncode } from '../../../src/auth/sigv4/canonical.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import type { RawRequest } from '../../../src/core/http.ts';
import { failureOf, NodeSha256, options, rawRequest } from './helpers.ts';

/** A small deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATH_PIECES = ['a', 'Zz9', ' ', 'é', '日本', '+', '=', '~', '!', '*', "'", '(', ')', '$', '@', ':', ',', ';', '%', '&', '-', '_', '.', '😀'];
const KEY_PIECES = ['a', 'b', 'Key', 'x-id', 'max_keys', 'n.m', '~t', ' ', '+', '='];
const VALUE_PIECES = ['', 'v', ' ', '+', '=', '&', '/', 'é', '✓', '%', '~', '*', '(x)', '😀', 'AKID/20150830'];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomText(r: () => number, pieces: readonly string[], max: number): string {
  let out = '';
  const n = 1 + Math.floor(r() * max);
  for (let i = 0; i < n; i++) out += pick(r, pieces);
  return out;
}

interface Case {
  s3: boolean;
  presign: boolean;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: string;
  applyChecksum: boolean;
  sessionToken?: string;
}

function randomCase(seed: number): Case {
  const r = rng(seed);
  const s3 = r() < 0.5;
  const presign = r() < 0.4;
  const segments: string[] = [];
  const nSeg = Math.floor(r() * 4);
  for (let i = 0; i < nSeg; i++) {
    const roll = r();
    if (!s3 && roll < 0.08) segments.push('..');
    else if (!s3 && roll < 0.16) segments.push('.');
    else if (roll < 0.22) segments.push('');
    else segments.push(randomText(r, PATH_PIECES, 4));
  }
  const path = '/' + segments.map((s) => uriEncode(s)).join('/') + (r() < 0.2 ? '/' : '');
  const query: Record<string, string | string[]> = {};
  const nQuery = Math.floor(r() * 4);
  for (let i = 0; i < nQuery; i++) {
    const key = randomText(r, KEY_PIECES, 3);
    query[key] = r() < 0.3 ? [randomText(r, VALUE_PIECES, 3), randomText(r, VALUE_PIECES, 3)] : randomText(r, VALUE_PIECES, 3);
  }
  const headers: Record<string, string> = { host: '127.0.0.1:4566' };
  if (r() < 0.7) headers['x-amz-meta-note'] = '  spaced   out\tvalue  ';
  if (r() < 0.5) headers['content-type'] = 'application/x-amz-json-1.0';
  if (r() < 0.5) headers['x-amz-target'] = 'DynamoDB_20120810.ListTables';
  const method = presign ? pick(r, ['GET', 'PUT']) : pick(r, ['GET', 'POST', 'PUT', 'DELETE']);
  const body = presign || method === 'GET' ? '' : randomText(r, VALUE_PIECES, 20);
  return {
    s3,
    presign,
    method,
    path,
    query,
    headers,
    body,
    applyChecksum: s3 || r() < 0.5,
    sessionToken: r() < 0.3 ? 'FwoGZXIvYXdzE' + Math.floor(r() * 1e9) : undefined,
  };
}

const ACCESS_KEY = 'AKIAAGREEMENT00001';
const SECRET = 'agreement/Secret+Key/0123456789abcdefghij';
const SIGNING_DATE = new Date('2024-03-05T10:20:30Z');

function serializeQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === null) continue;
    for (const value of Array.isArray(v) ? v : [v]) parts.push(`${uriEncode(k)}=${uriEncode(value)}`);
  }
  // Wire order must not matter: reverse what the signer produced.
  return parts.reverse().join('&');
}

async function signCase(c: Case): Promise<RawRequest> {
  const signer = new SignatureV4({
    service: c.s3 ? 's3' : 'dynamodb',
    region: 'eu-west-3',
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET, sessionToken: c.sessionToken },
    sha256: NodeSha256,
    uriEscapePath: !c.s3,
    applyChecksum: c.applyChecksum,
  });
  const headers = { ...c.headers };
  if (c.s3 && c.presign) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const request = {
    method: c.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: c.path,
    query: structuredClone(c.query),
    headers,
    body: c.body === '' ? undefined : c.body,
  };
  const signed = c.presign
    ? await signer.presign(request, { signingDate: SIGNING_DATE, expiresIn: 3600 })
    : await signer.sign(request, { signingDate: SIGNING_DATE });
  const query = serializeQuery(signed.query as Record<string, string | string[] | null>);
  return rawRequest({
    method: signed.method,
    target: query ? `${signed.path}?${query}` : signed.path,
    headers: signed.headers as Record<string, string>,
    body: c.body,
  });
}

function opts(c: Case) {
  return options({ [ACCESS_KEY]: { secret: SECRET, sessionToken: c.sessionToken } }, '2024-03-05T10:25:00Z', c.s3);
}

const CASES = 300;

test(`${CASES} randomised requests signed by @smithy/signature-v4 all verify`, async () => {
  let presigned = 0;
  let s3 = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const c = randomCase(seed);
    const req = await signCase(c);
    let out;
    try {
      out = await verifySigV4(req, opts(c));
    } catch (err) {
      assert.fail(`seed ${seed} (${JSON.stringify(c)}) target ${req.target}: ${String(err)}`);
    }
    assert.equal(out.kind, 'signed', `seed ${seed}`);
    if (out.kind === 'signed') {
      assert.equal(out.presigned, c.presign);
      assert.equal(out.service, c.s3 ? 's3' : 'dynamodb');
      assert.equal(out.region, 'eu-west-3');
      assert.equal(out.body.toString(), c.body);
    }
    if (c.presign) presigned++;
    if (c.s3) s3++;
  }
  // The generator really covers both modes and both path rules.
  assert.ok(presigned > 60 && presigned < 240, `presigned ${presigned}`);
  assert.ok(s3 > 90 && s3 < 210, `s3 ${s3}`);
});

function flipChar(s: string, at: number): string {
  const c = s[at]!;
  const replacement = c === 'a' ? 'b' : 'a';
  return s.slice(0, at) + replacement + s.slice(at + 1);
}

test('one changed character in the path, the query or a signed header always fails with signature-mismatch', async () => {
  for (let seed = 1; seed <= 120; seed++) {
    const c = randomCase(seed);
    const req = await signCase(c);
    const r = rng(seed * 7919);

    // Path: change a character that is not part of a %XX escape nor a '/'.
    const pathPositions = [...req.path].map((ch, i) => [ch, i] as const).filter(([ch, i]) => /[A-Za-z0-9]/.test(ch) && !/%[0-9A-F]?$/.test(req.path.slice(Math.max(0, i - 2), i)));
    if (pathPositions.length > 0) {
      const at = pick(r, pathPositions)[1];
      const path = flipChar(req.path, at);
      const tampered = { ...req, path, target: req.query ? `${path}?${req.query}` : path };
      const f = await failureOf(verifySigV4(tampered, opts(c)));
      assert.equal(f.reason, 'signature-mismatch', `seed ${seed} path ${req.path} → ${path}`);
    }

    // Query: append a parameter nobody signed.
    {
      const query = req.query ? `${req.query}&zz-extra=1` : 'zz-extra=1';
      const f = await failureOf(verifySigV4({ ...req, query, target: `${req.path}?${query}` }, opts(c)));
      assert.equal(f.reason, 'signature-mismatch', `seed ${seed} query`);
    }

    // A signed header: host's port.
    {
      const f = await failureOf(verifySigV4({ ...req, headers: { ...req.headers, host: '127.0.0.1:4567' } }, opts(c)));
      assert.equal(f.reason, 'signature-mismatch', `seed ${seed} host`);
    }

    // The body: covered by the signature unless S3 declared a hash (then S3 compares the hash).
    if (req.body.length > 0) {
      const body = Buffer.from(req.body);
      body[0] = body[0] === 0x61 ? 0x62 : 0x61;
      const f = await failureOf(verifySigV4({ ...req, body }, opts(c)));
      const declared = req.headers['x-amz-content-sha256'];
      assert.equal(f.reason, declared && declared.length === 64 ? 'payload-hash-mismatch' : 'signature-mismatch', `seed ${seed} body`);
    }
  }
});

test('presigned query values are compared decoded: %7E and ~ are the same character', async () => {
  const c: Case = { s3: false, presign: true, method: 'GET', path: '/', query: { k: 'a~b' }, headers: { host: '127.0.0.1:4566' }, body: '', applyChecksum: true };
  const req = await signCase(c);
  const query = req.query.replace('a~b', 'a%7Eb');
  assert.notEqual(query, req.query);
  const out = await verifySigV4({ ...req, query, target: `${req.path}?${query}` }, opts(c));
  assert.equal(out.kind, 'signed');
});
