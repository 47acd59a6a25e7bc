import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../../../src/core/errors.ts';
import { matchRoutingRule, redirectAllFor, redirectFor } from '../../../../src/services/s3/web/routing-rules.ts';
import { websiteBucketOfHost, websiteKeyOfPath, withIndexDocument } from '../../../../src/services/s3/web/website.ts';
import { websiteErrorHtml } from '../../../../src/services/s3/web/website-pages.ts';
import { hostIdFor } from '../../../../src/protocols/rest-xml.ts';
import type { WebsiteConfiguration } from '../../../../src/generated/s3/types.ts';

const ADDRESS = { protocol: 'http', host: 'site.s3-website.localhost:4566' };

test('website hosts: both regional spellings and localhost; API hosts are not', () => {
  assert.equal(websiteBucketOfHost('my.site.s3-website-eu-west-1.amazonaws.com'), 'my.site');
  assert.equal(websiteBucketOfHost('blog.s3-website.us-east-2.amazonaws.com'), 'blog');
  assert.equal(websiteBucketOfHost('Blog.S3-Website.localhost:4566'), 'blog');
  assert.equal(websiteBucketOfHost('blog.s3.amazonaws.com'), undefined);
  assert.equal(websiteBucketOfHost('blog.s3-us-west-2.amazonaws.com'), undefined);
  assert.equal(websiteBucketOfHost('127.0.0.1:4566'), undefined);
  assert.equal(websiteBucketOfHost(undefined), undefined);
});

test('keys: the path decoded, the index document for "" and "…/"', () => {
  assert.equal(websiteKeyOfPath('/a%20b/c.html'), 'a b/c.html');
  assert.equal(websiteKeyOfPath('/%zz'), '%zz');
  assert.equal(withIndexDocument('', 'index.html'), 'index.html');
  assert.equal(withIndexDocument('docs/', 'index.html'), 'docs/index.html');
  assert.equal(withIndexDocument('docs', 'index.html'), 'docs');
});

const CONFIG: WebsiteConfiguration = {
  IndexDocument: { Suffix: 'index.html' },
  RoutingRules: [
    { Condition: { KeyPrefixEquals: 'docs/' }, Redirect: { ReplaceKeyPrefixWith: 'documents/' } },
    { Condition: { HttpErrorCodeReturnedEquals: '404' }, Redirect: { HostName: 'other.example.com', Protocol: 'https', HttpRedirectCode: '307' } },
    { Condition: { KeyPrefixEquals: 'img/', HttpErrorCodeReturnedEquals: '403' }, Redirect: { ReplaceKeyWith: 'denied.html' } },
  ],
};

test('routing rules: conditions without an error code apply before the lookup, others after', () => {
  assert.equal(matchRoutingRule(CONFIG, 'docs/a.html'), CONFIG.RoutingRules![0]);
  assert.equal(matchRoutingRule(CONFIG, 'img/a.png'), undefined);
  assert.equal(matchRoutingRule(CONFIG, 'img/a.png', 404), CONFIG.RoutingRules![1]);
  assert.equal(matchRoutingRule(CONFIG, 'img/a.png', 403), CONFIG.RoutingRules![2]);
  assert.equal(matchRoutingRule(CONFIG, 'x.png', 403), undefined);
  assert.equal(matchRoutingRule({}, 'x'), undefined);
});

test('redirects: prefix and whole-key replacement, protocol, host and code', () => {
  assert.deepEqual(redirectFor(CONFIG.RoutingRules![0]!, 'docs/a b.html', ADDRESS), { status: 301, location: 'http://site.s3-website.localhost:4566/documents/a%20b.html' });
  assert.deepEqual(redirectFor(CONFIG.RoutingRules![1]!, 'img/a.png', ADDRESS), { status: 307, location: 'https://other.example.com/img/a.png' });
  assert.deepEqual(redirectFor(CONFIG.RoutingRules![2]!, 'img/a.png', ADDRESS), { status: 301, location: 'http://site.s3-website.localhost:4566/denied.html' });
  assert.deepEqual(redirectAllFor({ RedirectAllRequestsTo: { HostName: 'example.com' } }, '/a?b=1', ADDRESS), { status: 301, location: 'http://example.com/a?b=1' });
  assert.equal(redirectAllFor(CONFIG, '/', ADDRESS), undefined);
});

test('the error page lists code, message, fields, ids; HTML in values is escaped', () => {
  const error = new AwsError('NoSuchKey', 'The specified key does not exist.', { status: 404, fields: { Key: '<x>&' } });
  const documentError = new AwsError('AccessDenied', 'Access Denied', { status: 403 });
  assert.equal(
    websiteErrorHtml(error, 'REQ1', documentError),
    '<html>\n<head><title>404 Not Found</title></head>\n<body>\n<h1>404 Not Found</h1>\n<ul>\n' +
      '<li>Code: NoSuchKey</li>\n<li>Message: The specified key does not exist.</li>\n<li>Key: &lt;x&gt;&amp;</li>\n' +
      `<li>RequestId: REQ1</li>\n<li>HostId: ${hostIdFor('REQ1')}</li>\n</ul>\n` +
      '<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n' +
      '<li>Code: AccessDenied</li>\n<li>Message: Access Denied</li>\n</ul>\n<hr/>\n</body>\n</html>\n',
  );
});
