// The static website endpoint end to end: Host-addressed requests (<bucket>.s3-website.localhost,
// <bucket>.s3-website-<region>.amazonaws.com) served anonymously through the bucket policy and
// Block Public Access, index and error documents, folder redirects, routing rules,
// RedirectAllRequestsTo, per-object redirects, conditional GETs, and S3's HTML error pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as S3 from '@aws-sdk/client-s3';
import type { TestBonsai } from '../../helpers/bonsai.ts';
import { startS3Bonsai } from '../../helpers/s3.ts';
import { plainRequest, type PlainResponse } from './web-http.ts';

const SITE = 'w-site';
/** Public for s3:GetObject only: missing pages are 403, as on S3 without s3:ListBucket. */
const GET_ONLY = 'w-site-getonly';
const PRIVATE = 'w-site-private';
const PLAIN = 'w-site-plain';
const FORWARD = 'w-site-forward';
let bonsai: TestBonsai;
let s3: S3.S3Client;
let port: string;

function publicPolicy(bucket: string, withList: boolean): string {
  const statements: Array<Record<string, unknown>> = [
    { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
  ];
  if (withList) statements.push({ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

async function makePublic(bucket: string, withList: boolean): Promise<void> {
  await s3.send(
    new S3.PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false },
    }),
  );
  await s3.send(new S3.PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy(bucket, withList) }));
}

async function put(bucket: string, key: string, body: string, extra: Partial<S3.PutObjectCommandInput> = {}): Promise<void> {
  await s3.send(new S3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'text/html', ...extra }));
}

before(async () => {
  ({ bonsai, client: s3 } = await startS3Bonsai(SITE, GET_ONLY, PRIVATE, PLAIN, FORWARD));
  port = new URL(bonsai.endpoint).port;
  await makePublic(SITE, true);
  await makePublic(GET_ONLY, false);
  await s3.send(
    new S3.PutBucketWebsiteCommand({
      Bucket: SITE,
      WebsiteConfiguration: {
        IndexDocument: { Suffix: 'index.html' },
        ErrorDocument: { Key: 'error.html' },
        RoutingRules: [
          { Condition: { KeyPrefixEquals: 'old/' }, Redirect: { ReplaceKeyPrefixWith: 'new/', HttpRedirectCode: '302' } },
          { Condition: { KeyPrefixEquals: 'gone/', HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'archive.example.com', Protocol: 'https' } },
          { Condition: { KeyPrefixEquals: 'exact' }, Redirect: { ReplaceKeyWith: 'about.html' } },
        ],
      },
    }),
  );
  await put(SITE, 'index.html', '<h1>home</h1>');
  await put(SITE, 'about.html', '<h1>about</h1>');
  await put(SITE, 'docs/index.html', '<h1>docs</h1>');
  await put(SITE, 'error.html', '<h1>oops</h1>');
  await put(SITE, 'moved.html', 'old', { WebsiteRedirectLocation: '/about.html' });
  await s3.send(new S3.PutBucketWebsiteCommand({ Bucket: GET_ONLY, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'missing-error.html' } } }));
  await put(GET_ONLY, 'index.html', 'only');
  await s3.send(new S3.PutBucketWebsiteCommand({ Bucket: PRIVATE, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } }));
  await put(PRIVATE, 'index.html', 'secret');
  await s3.send(
    new S3.PutBucketWebsiteCommand({ Bucket: FORWARD, WebsiteConfiguration: { RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' } } }),
  );
});
after(() => bonsai.stop());

function site(bucket: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<PlainResponse> {
  return plainRequest(bonsai.endpoint, method, path, { Host: `${bucket}.s3-website.localhost:${port}`, ...headers });
}

/** S3's website error page, with this response's request id and host id. */
function errorPage(res: PlainResponse, status: string, items: string[], documentItems?: string[]): string {
  const requestId = res.headers['x-amz-request-id']!;
  const hostId = res.headers['x-amz-id-2']!;
  let html = `<html>\n<head><title>${status}</title></head>\n<body>\n<h1>${status}</h1>\n<ul>\n`;
  for (const item of [...items, `RequestId: ${requestId}`, `HostId: ${hostId}`]) html += `<li>${item}</li>\n`;
  html += '</ul>\n';
  if (documentItems) {
    html += '<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n';
    for (const item of documentItems) html += `<li>${item}</li>\n`;
    html += '</ul>\n';
  }
  return html + '<hr/>\n</body>\n</html>\n';
}

test('"/" serves the index document, "folder/" the folder\'s, as GetObject would', async () => {
  const home = await site(SITE, '/');
  assert.equal(home.status, 200);
  assert.equal(home.body.toString(), '<h1>home</h1>');
  assert.equal(home.headers['content-type'], 'text/html');
  assert.equal(home.headers['content-length'], '13');
  assert.match(home.headers.etag ?? '', /^"[0-9a-f]{32}"$/);
  const docs = await site(SITE, '/docs/');
  assert.equal(docs.body.toString(), '<h1>docs</h1>');
  const about = await plainRequest(bonsai.endpoint, 'GET', '/about.html', { Host: `${SITE}.s3-website-us-east-1.amazonaws.com` });
  assert.equal(about.status, 200);
  assert.equal(about.body.toString(), '<h1>about</h1>');
  const dotted = await plainRequest(bonsai.endpoint, 'GET', '/about.html', { Host: `${SITE}.s3-website.us-east-1.amazonaws.com` });
  assert.equal(dotted.body.toString(), '<h1>about</h1>');
});

test('HEAD answers the headers only; a matching If-None-Match answers 304', async () => {
  const head = await site(SITE, '/about.html', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '14');
  assert.equal(head.body.length, 0);
  const again = await site(SITE, '/about.html', 'GET', { 'If-None-Match': head.headers.etag! });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
});

test('a folder without its slash redirects to it (302)', async () => {
  const res = await site(SITE, '/docs');
  assert.equal(res.status, 302);
  assert.equal(res.headers.location, '/docs/');
});

test('a missing page with s3:ListBucket allowed: 404, answered with the error document', async () => {
  const res = await site(SITE, '/nope.html');
  assert.equal(res.status, 404);
  assert.equal(res.body.toString(), '<h1>oops</h1>');
  assert.equal(res.headers['content-type'], 'text/html');
});

test('without s3:ListBucket a missing page is 403; a missing error document is reported below it', async () => {
  const res = await site(GET_ONLY, '/nope.html');
  assert.equal(res.status, 403);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.body.toString(), errorPage(res, '403 Forbidden', ['Code: AccessDenied', 'Message: Access Denied'], ['Code: AccessDenied', 'Message: Access Denied']));
});

test('routing rules: a key prefix redirects first; an error code redirects after the lookup', async () => {
  const renamed = await site(SITE, '/old/page.html');
  assert.equal(renamed.status, 302);
  assert.equal(renamed.headers.location, `http://${SITE}.s3-website.localhost:${port}/new/page.html`);
  const gone = await site(SITE, '/gone/a%20b.html');
  assert.equal(gone.status, 301);
  assert.equal(gone.headers.location, 'https://archive.example.com/gone/a%20b.html');
  const exact = await site(SITE, '/exactly');
  assert.equal(exact.status, 301);
  assert.equal(exact.headers.location, `http://${SITE}.s3-website.localhost:${port}/about.html`);
});

test('an object\'s x-amz-website-redirect-location redirects (301)', async () => {
  const res = await site(SITE, '/moved.html');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, '/about.html');
  assert.equal(res.body.length, 0);
});

test('RedirectAllRequestsTo sends every request to the other host, path and query kept', async () => {
  const res = await site(FORWARD, '/a/b.html?x=1');
  assert.equal(res.status, 301);
  assert.equal(res.headers.location, 'https://www.example.com/a/b.html?x=1');
});

test('a bucket Block Public Access keeps private: 403 AccessDenied page', async () => {
  const res = await site(PRIVATE, '/');
  assert.equal(res.status, 403);
  assert.equal(res.body.toString(), errorPage(res, '403 Forbidden', ['Code: AccessDenied', 'Message: Access Denied']));
});

test('no bucket, no website configuration, a method other than GET/HEAD: S3\'s pages', async () => {
  const missing = await site('w-site-nowhere', '/');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.toString(), errorPage(missing, '404 Not Found', ['Code: NoSuchBucket', 'Message: The specified bucket does not exist', 'BucketName: w-site-nowhere']));
  const plain = await site(PLAIN, '/');
  assert.equal(plain.status, 404);
  assert.equal(
    plain.body.toString(),
    errorPage(plain, '404 Not Found', ['Code: NoSuchWebsiteConfiguration', 'Message: The specified bucket does not have a website configuration', `BucketName: ${PLAIN}`]),
  );
  const post = await plainRequest(bonsai.endpoint, 'PUT', '/index.html', { Host: `${SITE}.s3-website.localhost:${port}` }, 'x');
  assert.equal(post.status, 405);
  assert.equal(
    post.body.toString(),
    errorPage(post, '405 Method Not Allowed', ['Code: MethodNotAllowed', 'Message: The specified method is not allowed against this resource.', 'Method: PUT', 'ResourceType: OBJECT']),
  );
  const head = await site('w-site-nowhere', '/', 'HEAD');
  assert.equal(head.status, 404);
  assert.equal(head.body.length, 0);
});
