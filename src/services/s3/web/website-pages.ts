/**
 * The HTML S3's website endpoint answers errors with (S3 User Guide, "Configuring a custom error
 * document": "Amazon S3 returns a predefined HTML"): the status as title and heading, then the
 * error's Code, Message, extra fields, RequestId and HostId as a list; when the bucket's custom
 * error document could not be served either, a second list says why.
 */
import type { AwsError } from '../../../core/errors.ts';
import type { RawResponse } from '../../../core/http.ts';
import { hostIdFor } from '../../../protocols/rest-xml.ts';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  416: 'Requested Range Not Satisfiable',
  500: 'Internal Server Error',
};

export const HTML_CONTENT_TYPE = 'text/html; charset=utf-8';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function item(name: string, value: unknown): string {
  return `<li>${name}: ${escapeHtml(String(value))}</li>\n`;
}

/** Code, Message and the error's extra fields (Key, BucketName, …), one <li> each. */
function errorItems(error: AwsError): string {
  let out = item('Code', error.code) + item('Message', error.message);
  for (const [name, value] of Object.entries(error.fields ?? {})) {
    if (value !== undefined && value !== null) out += item(name, value);
  }
  return out;
}

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? 'Error'}`;
}

/** The page for `error`; `documentError` is why the custom error document could not be served. */
export function websiteErrorHtml(error: AwsError, requestId: string, documentError?: AwsError): string {
  const title = statusLine(error.status);
  let html = `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n`;
  html += errorItems(error) + item('RequestId', requestId) + item('HostId', hostIdFor(requestId));
  html += '</ul>\n';
  if (documentError) {
    html += '<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>\n';
    html += errorItems(documentError);
    html += '</ul>\n';
  }
  html += '<hr/>\n</body>\n</html>\n';
  return html;
}

export function requestIdHeaders(requestId: string): Record<string, string> {
  return { 'x-amz-request-id': requestId, 'x-amz-id-2': hostIdFor(requestId) };
}

/** The error page as a response (headers only for HEAD), with the error's own headers. */
export function websiteErrorResponse(error: AwsError, requestId: string, method: string, documentError?: AwsError): RawResponse {
  const body = websiteErrorHtml(error, requestId, documentError);
  const headers = { ...requestIdHeaders(requestId), ...error.headers, 'Content-Type': HTML_CONTENT_TYPE };
  if (method === 'HEAD') return { status: error.status, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) }, body: '' };
  return { status: error.status, headers, body };
}
