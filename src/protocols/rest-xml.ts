/**
 * The rest-xml protocol (S3, S3 Control): operations by method + path template (most specific
 * wins, literal query keys included), members bound to URI labels, query string and headers
 * (`x-amz-meta-*` as a prefix map), the rest as an XML document or one `payload` member as the
 * whole body (a streaming blob is the request's body stream when it was streamed, a Buffer
 * otherwise; a Readable returned for a blob output payload is sent as it is). Errors use S3's bare <Error> envelope by
 * default; other rest-xml services (Route 53, CloudFront) wrap it in <ErrorResponse>.
 */
import * as crypto from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { AwsError } from '../core/errors.ts';
import { isReadableBody, type RawRequest, type RawResponse } from '../core/http.ts';
import type { ProtocolCodec, ResponseContext } from './codec.ts';
import { findErrorShape, senderOrReceiver } from './error-shapes.ts';
import type { OperationModel, ServiceModel, Shape, ShapeRef } from './model.ts';
import {
  hasBodyMembers, hasHeader, matchRoute, payloadMember, rawPayload, readBoundMembers, uriLabels, writeBoundMembers,
} from './rest-bindings.ts';
import { parseScalarText } from './scalars.ts';
import { extraErrorFields } from './query.ts';
import {
  structureAttributes, writeXmlMembers, writeXmlValue, XML_DECLARATION, xmlElement, xmlMemberName, xmlTextElement,
  type XmlShapeWriterOptions,
} from './xml-writer.ts';

export interface RestXmlCodecHooks {
  /** 'bare': S3's <Error>…</Error>; 'wrapped': <ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>. */
  errorEnvelope?: 'bare' | 'wrapped';
  /** Response headers naming the request. S3 sends x-amz-request-id and x-amz-id-2 (the default). */
  requestIdHeaders?: (ctx: ResponseContext) => Record<string, string>;
  /**
   * Response documents the model cannot describe, by operation name (S3's GetBucketLocation has
   * the bare <LocationConstraint> element as its root): the whole XML body for the output.
   */
  outputDocuments?: Record<string, (output: Record<string, unknown>) => string>;
}

/** S3's x-amz-id-2 / <HostId>: an opaque base64 token; derived from the request id so it is stable. */
export function hostIdFor(requestId: string): string {
  // Node's one-shot hash (20.12+) skips a Hash object per response; package.json allows 20.11.
  const text = `bonsai-host:${requestId}`;
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'base64') : crypto.createHash('sha256').update(text).digest('base64');
}

function s3RequestIdHeaders(ctx: ResponseContext): Record<string, string> {
  return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': hostIdFor(ctx.requestId) };
}

// ---- reading XML bodies -------------------------------------------------------------------------

type XmlNode = Record<string, unknown> | string;

/**
 * Entities are decoded here rather than by the parser: fast-xml-parser leaves numeric references
 * (&#13;) alone, and decoding in one pass keeps "&amp;#13;" as the literal text "&#13;".
 */
export function decodeXmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (whole, ref: string) => {
    switch (ref) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
    }
  });
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false, // S3 keys may start or end with spaces
  removeNSPrefix: true,
  processEntities: false,
  isArray: (_name: string, _jpath: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});

export function malformedXml(): AwsError {
  return new AwsError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** The document's root element (name and node). */
export function parseXmlDocument(body: Buffer): { name: string; node: XmlNode } {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(body.toString('utf8'), true) as Record<string, unknown>;
  } catch {
    throw malformedXml();
  }
  const name = Object.keys(doc).find((k) => k !== '?xml' && !k.startsWith('#'));
  if (!name) throw malformedXml();
  return { name, node: (doc[name] as XmlNode[])[0]! };
}

function textOf(node: XmlNode | undefined): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return decodeXmlEntities(node);
  const t = node['#text'];
  return typeof t === 'string' ? decodeXmlEntities(t) : '';
}

function children(node: XmlNode, name: string): XmlNode[] {
  if (typeof node === 'string') return [];
  const c = node[name];
  return Array.isArray(c) ? (c as XmlNode[]) : [];
}

function invalidXmlValue(memberPath: string): AwsError {
  void memberPath;
  return malformedXml();
}

export class XmlReader {
  constructor(private readonly model: ServiceModel) {}

  private shape(ref: ShapeRef): Shape {
    const s = this.model.shapes[ref.shape];
    if (!s) throw new Error(`model has no shape ${ref.shape}`);
    return s;
  }

  readStructure(shape: Shape, node: XmlNode, skipBound: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
      if (skipBound && ref.location) continue;
      if (ref.xmlAttribute) {
        const attrName = (ref.locationName ?? memberName).split(':').pop()!;
        const v = typeof node === 'string' ? undefined : node[`@_${attrName}`];
        if (typeof v === 'string') out[memberName] = decodeXmlEntities(v);
        continue;
      }
      const nodes = children(node, xmlMemberName(this.model, memberName, ref));
      if (nodes.length === 0) continue;
      out[memberName] = this.readNodes(ref, nodes, memberName);
    }
    return out;
  }

  /** Reads a member from all elements carrying its name (several only for flattened lists/maps). */
  private readNodes(ref: ShapeRef, nodes: XmlNode[], path: string): unknown {
    const shape = this.shape(ref);
    const flattened = Boolean(ref.flattened ?? shape.flattened);
    switch (shape.type) {
      case 'list': {
        const items = flattened ? nodes : children(nodes[0]!, shape.member!.locationName ?? 'member');
        return items.map((item) => this.readValue(shape.member!, item, path));
      }
      case 'map': {
        const entries = flattened ? nodes : children(nodes[0]!, 'entry');
        const out: Record<string, unknown> = {};
        for (const entry of entries) {
          const k = textOf(children(entry, shape.key?.locationName ?? 'key')[0]);
          const v = children(entry, shape.value?.locationName ?? 'value')[0];
          out[k] = v === undefined ? null : this.readValue(shape.value!, v, path);
        }
        return out;
      }
      default:
        return this.readValue(ref, nodes[0]!, path);
    }
  }

  readValue(ref: ShapeRef, node: XmlNode, path: string): unknown {
    const shape = this.shape(ref);
    if (shape.type === 'structure') return this.readStructure(shape, node, false);
    if (shape.type === 'list' || shape.type === 'map') return this.readNodes(ref, [node], path);
    return parseScalarText(textOf(node), shape, ref, path, invalidXmlValue);
  }
}

// ---- writing ------------------------------------------------------------------------------------

/** The namespace of response documents: the ref's or shape's, the model's, else AWS's convention. */
function documentNamespace(model: ServiceModel, ref: ShapeRef | undefined, shape: Shape | undefined): string {
  const { xmlNamespace, endpointPrefix, apiVersion } = model.metadata;
  return ref?.xmlNamespace?.uri ?? shape?.xmlNamespace?.uri ?? xmlNamespace ?? `http://${endpointPrefix}.amazonaws.com/doc/${apiVersion}/`;
}

function writerOptions(model: ServiceModel): XmlShapeWriterOptions {
  return { model, timestampFormat: 'iso8601', alwaysMillis: true, listMemberName: 'member', skipBoundMembers: true };
}

/**
 * The body of an output without a payload member. The model seldom names the root element
 * (S3's ListBucketResult); a `locationName` on the output shape, which the vendored model patches
 * can add, wins over the `<Operation>Result` fallback. Clients ignore the root's name.
 */
function outputDocument(model: ServiceModel, operation: OperationModel, shape: Shape, output: Record<string, unknown>): string {
  const rootName = shape.locationName ?? `${operation.name}Result`;
  const attrs = { xmlns: documentNamespace(model, undefined, shape), ...structureAttributes(shape, output, undefined) };
  return `${XML_DECLARATION}\n${xmlElement(rootName, writeXmlMembers(shape, output, writerOptions(model)), attrs)}`;
}

function payloadDocument(model: ServiceModel, name: string, ref: ShapeRef, value: unknown): string {
  const shape = model.shapes[ref.shape]!;
  const rootName = ref.locationName ?? shape.locationName ?? name;
  const ns = documentNamespace(model, ref, shape);
  const xml = writeXmlValue(rootName, { ...ref, xmlNamespace: { uri: ns } }, value, writerOptions(model));
  return `${XML_DECLARATION}\n${xml}`;
}

function withDefaultContentType(headers: Record<string, string>, contentType: string): Record<string, string> {
  return hasHeader(headers, 'content-type') ? headers : { ...headers, 'Content-Type': contentType };
}

/** S3's idea of what a path addresses, for MethodNotAllowed's <ResourceType>. */
function resourceTypeOf(req: RawRequest): string {
  const segments = req.path.split('/').filter(Boolean).length;
  return segments === 0 ? 'SERVICE' : segments === 1 ? 'BUCKET' : 'OBJECT';
}

export function methodNotAllowed(req: RawRequest): AwsError {
  return new AwsError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    status: 405,
    fields: { Method: req.method, ResourceType: resourceTypeOf(req) },
  });
}

/** A payload member marked `streaming` (S3's PutObject/UploadPart/GetObject `Body`). */
function isStreamingMember(payload: { ref: ShapeRef; shape: Shape }): boolean {
  return Boolean(payload.ref.streaming ?? payload.shape.streaming);
}

export function createRestXmlCodec(hooks: RestXmlCodecHooks = {}): ProtocolCodec {
  const envelope = hooks.errorEnvelope ?? 'bare';
  const requestIdHeaders = hooks.requestIdHeaders ?? s3RequestIdHeaders;

  return {
    protocol: 'rest-xml',

    resolveOperation(req, model) {
      const route = matchRoute(req, model);
      if (route.operation) return route.operation;
      throw methodNotAllowed(req);
    },

    parseInput(req, body, model, operation, bodyStream) {
      const shape = operation.input ? model.shapes[operation.input.shape] : undefined;
      if (!shape) return {};
      const input = readBoundMembers(req, model, shape, uriLabels(req, operation));
      const payload = payloadMember(model, shape);
      const reader = new XmlReader(model);
      if (payload) {
        if (payload.shape.type === 'blob') input[payload.name] = bodyStream && isStreamingMember(payload) ? bodyStream : body;
        else if (payload.shape.type === 'string') {
          if (body.length > 0) input[payload.name] = body.toString('utf8');
        } else if (body.length > 0) {
          input[payload.name] = reader.readValue(payload.ref, parseXmlDocument(body).node, payload.name);
        }
      } else if (hasBodyMembers(shape) && body.length > 0) {
        Object.assign(input, reader.readStructure(shape, parseXmlDocument(body).node, true));
      }
      return input;
    },

    serializeOutput(output, model, operation, ctx) {
      const shape = operation.output ? model.shapes[operation.output.shape] : undefined;
      const bound = writeBoundMembers(model, shape, output, operation.http.responseCode ?? 200);
      const headers = { ...requestIdHeaders(ctx), ...bound.headers };
      const ownDocument = hooks.outputDocuments?.[operation.name];
      if (ownDocument) return { status: bound.status, headers: withDefaultContentType(headers, 'application/xml'), body: ownDocument(output) };
      const payload = payloadMember(model, shape);
      if (payload) {
        const v = output[payload.name];
        if (payload.shape.type === 'blob' && isReadableBody(v)) {
          // Streamed as it is; Content-Length is the ContentLength member's header, bound above.
          return { status: bound.status, headers, body: v };
        }
        if (payload.shape.type === 'blob' || payload.shape.type === 'string') {
          return { status: bound.status, headers, body: v === undefined || v === null ? '' : rawPayload(v) };
        }
        if (v === undefined || v === null) return { status: bound.status, headers, body: '' };
        return { status: bound.status, headers: withDefaultContentType(headers, 'application/xml'), body: payloadDocument(model, payload.name, payload.ref, v) };
      }
      if (shape && hasBodyMembers(shape)) {
        return { status: bound.status, headers: withDefaultContentType(headers, 'application/xml'), body: outputDocument(model, operation, shape, output) };
      }
      return { status: bound.status, headers, body: '' };
    },

    serializeError(error, model, operation, ctx): RawResponse {
      const headers = { ...requestIdHeaders(ctx), 'Content-Type': 'application/xml', ...error.headers };
      // HEAD responses carry no body; clients read the status (and S3 SDKs map 404 to NotFound).
      if (operation?.http.method === 'HEAD') return { status: error.status, headers, body: '' };
      const code = findErrorShape(model, error.code)?.name ?? error.code;
      const core = xmlTextElement('Code', code) + xmlTextElement('Message', error.message) + extraErrorFields(error.fields);
      const body =
        envelope === 'bare'
          ? xmlElement('Error', core + xmlTextElement('RequestId', ctx.requestId) + xmlTextElement('HostId', hostIdFor(ctx.requestId)))
          : xmlElement('ErrorResponse', xmlElement('Error', xmlTextElement('Type', senderOrReceiver(error)) + core) + xmlTextElement('RequestId', ctx.requestId), {
              xmlns: documentNamespace(model, undefined, undefined),
            });
      return { status: error.status, headers, body: `${XML_DECLARATION}\n${body}` };
    },
  };
}
