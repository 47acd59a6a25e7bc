/**
 * The XML writer the query, ec2 and rest-xml codecs share: escaping per XML 1.0 and model-driven
 * element building that follows the model's member order (clients do not care about order, but AWS's
 * bytes do, and golden tests compare bytes).
 */
import type { ServiceModel, Shape, ShapeRef } from './model.ts';
import { formatScalarText, type TimestampFormat } from './scalars.ts';

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, '\n': '&#10;', '\t': '&#9;' };
const TEXT_SPECIAL = /[&<>"\r]/;

/**
 * Escapes character data. '\r' must be a character reference: XML parsers turn a literal CR
 * (and CRLF) into LF, so without it "a\r\nb" would come back as "a\nb". Quotes are escaped as AWS
 * does (S3's <ETag>&quot;…&quot;</ETag>).
 */
export function escapeXmlText(text: string): string {
  // Most text needs no escaping; testing first spares replace() its callback machinery.
  return TEXT_SPECIAL.test(text) ? text.replace(/[&<>"\r]/g, (c) => TEXT_ESCAPES[c]!) : text;
}

export function escapeXmlAttribute(text: string): string {
  return text.replace(/[&<>"\r\n\t]/g, (c) => ATTR_ESCAPES[c]!);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** `<name attr="…">content</name>`; content is already-serialised XML. */
export function xmlElement(name: string, content: string, attributes?: Record<string, string>): string {
  let attrs = '';
  if (attributes) for (const k in attributes) attrs += ` ${k}="${escapeXmlAttribute(attributes[k]!)}"`;
  return `<${name}${attrs}>${content}</${name}>`;
}

export function xmlTextElement(name: string, text: string): string {
  return xmlElement(name, escapeXmlText(text));
}

export interface XmlShapeWriterOptions {
  model: ServiceModel;
  /** The protocol's default timestamp format (iso8601 for every XML protocol). */
  timestampFormat: TimestampFormat;
  /** EC2 prints milliseconds on every timestamp; query services only when there are some. */
  alwaysMillis: boolean;
  /** Element name of list members when the model names none: "member" (query, rest-xml), "item" (ec2). */
  listMemberName: string;
  /** Members bound elsewhere (rest-xml headers, status codes) are left out of the body. */
  skipBoundMembers: boolean;
}

function shapeOf(model: ServiceModel, ref: ShapeRef): Shape {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model has no shape ${ref.shape}`);
  return shape;
}

function isFlattened(ref: ShapeRef, shape: Shape): boolean {
  return Boolean(ref.flattened ?? shape.flattened);
}

function namespaceAttributes(ns: { prefix?: string; uri: string } | undefined): Record<string, string> {
  if (!ns) return {};
  return ns.prefix ? { [`xmlns:${ns.prefix}`]: ns.uri } : { xmlns: ns.uri };
}

/**
 * The element name a structure member is written under. A flattened list named by its member's
 * locationName uses that name for every repeated element (botocore and the SDKs read it that way).
 */
export function xmlMemberName(model: ServiceModel, memberName: string, ref: ShapeRef): string {
  const shape = shapeOf(model, ref);
  if (shape.type === 'list' && isFlattened(ref, shape) && shape.member?.locationName) return shape.member.locationName;
  return ref.locationName ?? memberName;
}

/** A structure member as the writer needs it, worked out once per shape (see membersOf). */
interface MemberPlan {
  memberName: string;
  ref: ShapeRef;
  elementName: string;
}

interface StructurePlan {
  /** Element members in model order. */
  elements: MemberPlan[];
  /** xmlAttribute members. */
  attributes: MemberPlan[];
}

/**
 * Structures' member plans, by model and shape object: a response of 1,000 EC2 instances writes
 * the same few shapes thousands of times, and walking `Object.entries` and resolving element
 * names each time cost as much as writing the XML.
 */
const structurePlans = new WeakMap<ServiceModel, WeakMap<Shape, StructurePlan>>();

function planOf(model: ServiceModel, shape: Shape): StructurePlan {
  let plans = structurePlans.get(model);
  if (!plans) structurePlans.set(model, (plans = new WeakMap()));
  let plan = plans.get(shape);
  if (!plan) {
    plan = { elements: [], attributes: [] };
    for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
      if (ref.xmlAttribute) plan.attributes.push({ memberName, ref, elementName: ref.locationName ?? memberName });
      else plan.elements.push({ memberName, ref, elementName: xmlMemberName(model, memberName, ref) });
    }
    plans.set(shape, plan);
  }
  return plan;
}

/** Serialises the members of a structure value in model order, without an enclosing element. */
export function writeXmlMembers(shape: Shape, value: Record<string, unknown>, opts: XmlShapeWriterOptions): string {
  let out = '';
  for (const { memberName, ref, elementName } of planOf(opts.model, shape).elements) {
    const v = value[memberName];
    if (v === undefined || v === null) continue;
    if (opts.skipBoundMembers && ref.location) continue;
    out += writeXmlValue(elementName, ref, v, opts);
  }
  return out;
}

/** Attributes (xmlAttribute members and namespace declarations) of a structure element. */
export function structureAttributes(shape: Shape, value: Record<string, unknown>, ref: ShapeRef | undefined): Record<string, string> {
  const attrs: Record<string, string> = { ...namespaceAttributes(ref?.xmlNamespace ?? shape.xmlNamespace) };
  for (const [memberName, memberRef] of Object.entries(shape.members ?? {})) {
    const v = value[memberName];
    if (!memberRef.xmlAttribute || v === undefined || v === null) continue;
    attrs[memberRef.locationName ?? memberName] = String(v);
  }
  return attrs;
}

/** structureAttributes for the writer itself: undefined, not a new empty object, when there are none. */
function elementAttributes(model: ServiceModel, shape: Shape, value: Record<string, unknown>, ref: ShapeRef | undefined): Record<string, string> | undefined {
  const ns = ref?.xmlNamespace ?? shape.xmlNamespace;
  if (!ns && planOf(model, shape).attributes.length === 0) return undefined;
  return structureAttributes(shape, value, ref);
}

/** Serialises one value under element `name` (lists and maps may produce several elements). */
export function writeXmlValue(name: string, ref: ShapeRef, value: unknown, opts: XmlShapeWriterOptions): string {
  const shape = shapeOf(opts.model, ref);
  switch (shape.type) {
    case 'structure': {
      const v = value as Record<string, unknown>;
      return xmlElement(name, writeXmlMembers(shape, v, opts), elementAttributes(opts.model, shape, v, ref));
    }
    case 'list':
      return writeXmlList(name, ref, shape, value as unknown[], opts);
    case 'map':
      return writeXmlMap(name, ref, shape, value, opts);
    default: {
      const text = escapeXmlText(formatScalarText(value, shape, ref.timestampFormat ?? shape.timestampFormat ?? opts.timestampFormat, opts.alwaysMillis));
      return ref.xmlNamespace ? xmlElement(name, text, namespaceAttributes(ref.xmlNamespace)) : `<${name}>${text}</${name}>`;
    }
  }
}

function writeXmlList(name: string, ref: ShapeRef, shape: Shape, items: unknown[], opts: XmlShapeWriterOptions): string {
  const memberRef = shape.member!;
  const flattened = isFlattened(ref, shape);
  const memberName = flattened ? name : (memberRef.locationName ?? opts.listMemberName);
  let content = '';
  for (const item of items) content += writeXmlValue(memberName, memberRef, item, opts);
  if (flattened) return content;
  return xmlElement(name, content, ref.xmlNamespace ? namespaceAttributes(ref.xmlNamespace) : undefined);
}

function writeXmlMap(name: string, ref: ShapeRef, shape: Shape, value: unknown, opts: XmlShapeWriterOptions): string {
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
  const keyName = shape.key?.locationName ?? 'key';
  const valueName = shape.value?.locationName ?? 'value';
  const entryXml = ([k, v]: [unknown, unknown]) =>
    writeXmlValue(keyName, shape.key!, k, opts) + (v === undefined || v === null ? '' : writeXmlValue(valueName, shape.value!, v, opts));
  if (isFlattened(ref, shape)) return entries.map((e) => xmlElement(name, entryXml(e))).join('');
  return xmlElement(name, entries.map((e) => xmlElement('entry', entryXml(e))).join(''));
}
