/**
 * The verifier's shortcuts (one-shot hashing, HMAC over crypto.hash, "already canonical" checks,
 * caches) must give exactly what the straightforward code gives. Each is compared here with a
 * plain reference implementation (the code the shortcut replaced) on fixed awkward inputs and on
 * many generated ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import {
  canonicalHeaderValue,
  normalizedCanonicalUri,
  sha256Hex,
  signatureHex,
  signingKey,
  uriEncode,
} from '../../../src/auth/sigv4/canonical.ts';
import {
  formatAmzDate,
  formatAmzDateAs,
  parseAmzDate,
  parseAuthorizationHeader,
  parseCredential,
  parseSignedHeaders,
  type SignatureParts,
} from '../../../src/auth/sigv4/parse.ts';
import { verifySigV4 } from '../../../src/auth/sigv4/verify.ts';
import { failureOf, options, signWithSmithy } from './helpers.ts';

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

function randomText(r: () => number, pieces: readonly string[], maxPieces: number): string {
  let out = '';
  const n = Math.floor(r() * (maxPieces + 1));
  for (let i = 0; i < n; i++) out += pieces[Math.floor(r() * pieces.length)]!;
  return out;
}

// ---- reference implementations: the code before the shortcuts ----

function referenceHeaderValue(value: string): string {
  let out = '';
  let pendingSpace = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    out += value[i];
  }
  return out;
}

function referenceUriEncode(s: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    let out = '';
    for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0');
    return out;
  }
  return encoded.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function referenceNormalizedUri(path: string): string {
  if (path === '' || path === '/') return '/';
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(referenceUriEncode(segment));
  }
  const leading = path.startsWith('/') ? '/' : '';
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `${leading}${segments.join('/')}${trailing}`;
}

function referenceCredential(credential: string) {
  let text = credential;
  while (text.endsWith('/')) text = text.slice(0, -1);
  const parts = text.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator, scope: `${date}/${region}/${service}/${terminator}` };
}

function referenceAuthorization(header: string): SignatureParts {
  const text = header.trim();
  const space = text.indexOf(' ');
  const parts: SignatureParts = {
    presigned: false,
    algorithm: space < 0 ? text : text.slice(0, space),
    credential: undefined,
    signedHeaders: undefined,
    signature: undefined,
  };
  for (const piece of (space < 0 ? '' : text.slice(space + 1)).split(',')) {
    const component = piece.trim();
    if (!component) continue;
    const eq = component.indexOf('=');
    if (eq < 0) {
      parts.malformedComponent ??= `'${component}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`;
      continue;
    }
    const key = component.slice(0, eq).trim();
    const value = component.slice(eq + 1).trim();
    if (key === 'Credential') parts.credential = value;
    else if (key === 'SignedHeaders') parts.signedHeaders = value;
    else if (key === 'Signature') parts.signature = value;
  }
  return parts;
}

// ---- hashing ----

test('sha256Hex equals createHash for strings (as UTF-8) and bytes', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  for (const input of ['abc', 'é€😀', '\ud800 lone surrogate', 'x'.repeat(10_000), Buffer.from([0, 255, 128]), Buffer.alloc(0)]) {
    assert.equal(sha256Hex(input), createHash('sha256').update(input).digest('hex'));
  }
});

test('signingKey gives the derived key whichever key was asked for last', () => {
  const derive = (secret: string, date: string, region: string, service: string) => {
    const h = (k: string | Buffer, d: string) => createHmac('sha256', k).update(d).digest();
    return h(h(h(h('AWS4' + secret, date), region), service), 'aws4_request');
  };
  const asks: Array<[string, string, string, string]> = [
    ['secret-a', '20230101', 'us-east-1', 'sts'],
    ['secret-a', '20230101', 'us-east-1', 'sts'],
    ['secret-a', '20230101', 'us-east-1', 'iam'],
    ['secret-a', '20230101', 'eu-west-1', 'iam'],
    ['secret-a', '20230102', 'eu-west-1', 'iam'],
    ['secret-b', '20230102', 'eu-west-1', 'iam'],
    ['secret-a', '20230101', 'us-east-1', 'sts'],
  ];
  for (const ask of asks) assert.deepEqual(signingKey(...ask), derive(...ask), ask.join(' '));
  // The IAM example in AWS's SigV4 documentation.
  assert.equal(
    signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam').toString('hex'),
    'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
  );
});

// ---- canonical request pieces ----

test('canonicalHeaderValue: clean values come back as they are, others are trimmed and collapsed', () => {
  assert.equal(canonicalHeaderValue('aws-sdk-js/3 ua/2.1 os/linux'), 'aws-sdk-js/3 ua/2.1 os/linux');
  assert.equal(canonicalHeaderValue('  a   b  '), 'a b');
  assert.equal(canonicalHeaderValue('a\tb\r\nc'), 'a b c');
  assert.equal(canonicalHeaderValue(' '), '');
  assert.equal(canonicalHeaderValue(''), '');
  const r = rng(11);
  for (let i = 0; i < 5000; i++) {
    const value = randomText(r, [' ', '  ', '\t', '\n', '\r', 'a', 'b,c', 'é'], 8);
    assert.equal(canonicalHeaderValue(value), referenceHeaderValue(value), JSON.stringify(value));
  }
});

test('uriEncode: unreserved-only strings are returned as they are, others encoded as before', () => {
  assert.equal(uriEncode('AZaz09-_.~'), 'AZaz09-_.~');
  assert.equal(uriEncode("!'()*"), '%21%27%28%29%2A');
  assert.equal(uriEncode('a b/é'), 'a%20b%2F%C3%A9');
  const r = rng(13);
  for (let i = 0; i < 5000; i++) {
    const s = randomText(r, ['a', 'Z', '9', '-', '_', '.', '~', ' ', '%', '+', '*', '!', '/', 'é', '😀', '\ud800'], 8);
    assert.equal(uriEncode(s), referenceUriEncode(s), JSON.stringify(s));
  }
});

test('normalizedCanonicalUri: already-normal paths come back as they are, others normalised as before', () => {
  assert.equal(normalizedCanonicalUri('/2015-03-31/functions/my.fn/'), '/2015-03-31/functions/my.fn/');
  assert.equal(normalizedCanonicalUri('/a//b/./c/../d'), '/a/b/d');
  assert.equal(normalizedCanonicalUri('//a'), '/a');
  assert.equal(normalizedCanonicalUri('/%20'), '/%2520');
  const r = rng(17);
  for (let i = 0; i < 5000; i++) {
    const path = randomText(r, ['/', '/', '.', '..', 'a', 'b-c', '~', '%2F', ' ', '*'], 8);
    assert.equal(normalizedCanonicalUri(path), referenceNormalizedUri(path), JSON.stringify(path));
  }
});

// ---- parsing ----

test('parseCredential agrees with splitting on "/" (five parts, trailing slashes ignored)', () => {
  assert.deepEqual(parseCredential('AKID/20150830/us-east-1/iam/aws4_request'), {
    accessKeyId: 'AKID',
    date: '20150830',
    region: 'us-east-1',
    service: 'iam',
    terminator: 'aws4_request',
    scope: '20150830/us-east-1/iam/aws4_request',
  });
  assert.equal(parseCredential('AKID/20150830/us-east-1/iam/aws4_request/extra'), undefined);
  assert.deepEqual(parseCredential('a/b/c/d/e//'), referenceCredential('a/b/c/d/e//'));
  const r = rng(19);
  for (let i = 0; i < 5000; i++) {
    const credential = randomText(r, ['/', '/', 'a', 'bc', ' '], 12);
    assert.deepEqual(parseCredential(credential), referenceCredential(credential), JSON.stringify(credential));
  }
});

test('parseAuthorizationHeader agrees with splitting on "," (spacing, duplicates, missing "=")', () => {
  const fixed = [
    'AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    'AWS4-HMAC-SHA256 Credential=A,Credential=B ,  Signature = x ,,',
    'AWS4-HMAC-SHA256 Credential=A, oops, SignedHeaders=host',
    'AWS4-HMAC-SHA256',
    '  AWS4-HMAC-SHA256   Credential=A  ',
    'Bearer',
  ];
  for (const header of fixed) assert.deepEqual(parseAuthorizationHeader(header), referenceAuthorization(header), header);
  assert.equal(parseAuthorizationHeader(fixed[1]!).credential, 'B');
  const r = rng(23);
  for (let i = 0; i < 3000; i++) {
    const header = 'AWS4-HMAC-SHA256' + randomText(r, [' ', ',', '=', 'Credential', 'SignedHeaders', 'Signature', 'x', '\t'], 10);
    assert.deepEqual(parseAuthorizationHeader(header), referenceAuthorization(header), JSON.stringify(header));
  }
});

test('parseSignedHeaders splits on ";" and hands out copies of its cached lists', () => {
  const first = parseSignedHeaders('host;x-amz-date');
  assert.deepEqual(first, ['host', 'x-amz-date']);
  first.push('mutated');
  assert.deepEqual(parseSignedHeaders('host;x-amz-date'), ['host', 'x-amz-date']);
  assert.deepEqual(parseSignedHeaders(''), ['']);
  for (let i = 0; i < 600; i++) assert.deepEqual(parseSignedHeaders(`host;h${i}`), ['host', `h${i}`]);
});

test('formatAmzDateAs returns the sent text when it is the formatted date, else formatAmzDate', () => {
  const sent = '20150830T123600Z';
  assert.equal(formatAmzDateAs(parseAmzDate(sent)!, sent), sent);
  // Dates that Date.UTC rolls over or that format differently must not be taken as sent.
  for (const text of ['20150230T000000Z', '20151301T000000Z', '20150830T240000Z', '20150830T123660Z', '00150830T123600Z', '05000830T123600Z', '99999999T999999Z']) {
    const date = parseAmzDate(text)!;
    assert.equal(formatAmzDateAs(date, text), formatAmzDate(date), text);
  }
  assert.equal(formatAmzDateAs(parseAmzDate('20150230T000000Z')!, '20150230T000000Z'), '20150302T000000Z');
  const rfc1123 = new Date('Fri, 24 May 2013 00:00:00 GMT');
  assert.equal(formatAmzDateAs(rfc1123, 'Fri, 24 May 2013 00:00:00 GMT'), '20130524T000000Z');
});

// ---- the verifier end to end ----

test('a signature differing only above U+00FF is refused (no latin1 folding in the comparison)', async () => {
  const req = await signWithSmithy({
    service: 'sts',
    accessKeyId: 'AKIAFASTPATH000001',
    secret: 'fast-path-secret',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    signingDate: new Date('2023-01-01T00:00:00Z'),
    s3: false,
  });
  const keys = { AKIAFASTPATH000001: { secret: 'fast-path-secret' } };
  const ok = await verifySigV4(req, options(keys, '2023-01-01T00:00:00Z', false));
  assert.equal(ok.kind, 'signed');
  const signature = /Signature=([0-9a-f]{64})/.exec(req.headers['authorization']!)![1]!;
  // U+0100 + the first character's code: its low byte is that character, so latin1 would fold it back.
  const forged = String.fromCharCode(0x100 + signature.charCodeAt(0)) + signature.slice(1);
  const tampered = { ...req, headers: { ...req.headers, authorization: req.headers['authorization']!.replace(signature, forged) } };
  const failure = await failureOf(verifySigV4(tampered, options(keys, '2023-01-01T00:00:00Z', false)));
  assert.equal(failure.reason, 'signature-mismatch');
});

test('without x-amz-content-sha256 the signed payload hash is the body hash and the body passes', async () => {
  const req = await signWithSmithy({
    service: 'sts',
    accessKeyId: 'AKIAFASTPATH000001',
    secret: 'fast-path-secret',
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    signingDate: new Date('2023-01-01T00:00:00Z'),
    s3: false,
  });
  assert.equal(req.headers['x-amz-content-sha256'], undefined);
  const outcome = await verifySigV4(req, options({ AKIAFASTPATH000001: { secret: 'fast-path-secret' } }, '2023-01-01T00:00:00Z', false));
  assert.equal(outcome.kind, 'signed');
  if (outcome.kind !== 'signed') return;
  assert.equal(outcome.payloadMode, createHash('sha256').update('Action=GetCallerIdentity&Version=2011-06-15').digest('hex'));
  assert.equal(outcome.body.toString(), 'Action=GetCallerIdentity&Version=2011-06-15');
});
