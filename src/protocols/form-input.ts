/**
 * Decodes the flat name/value pairs of the query and ec2 protocols (`Tags.member.1.Key=…`) into a
 * nested input object, walking the model rather than the keys: what the model does not describe
 * is ignored, as AWS does. The two protocols differ only in naming, supplied as a FormNaming.
 */
import { AwsError } from '../core/errors.ts';
import type { ServiceModel, Shape, ShapeRef } from './model.ts';
import { parseScalarText } from './scalars.ts';

export interface FormNaming {
  /** The key segment of a structure member. */
  memberKey(memberName: string, ref: ShapeRef): string;
  /** The prefix list items are numbered under (`<prefix>.N`), given the list member's own key. */
  listItemsPrefix(prefix: string, ref: ShapeRef, shape: Shape): string;
  /** Whether `Name=` with an empty value means an empty list (query does this; ec2 sends nothing). */
  emptyListMarker: boolean;
}

export type FormParams = Map<string, string>;

/** Collects the pairs into a map; a repeated name keeps its last value. */
export function toFormParams(pairs: Array<[string, string]>): FormParams {
  return new Map(pairs);
}

function invalidValue(memberPath: string, text: string, type: string): AwsError {
  return new AwsError('InvalidParameterValue', `Value (${text}) for parameter ${memberPath} is invalid. Expected: '${type}'.`);
}

function hasPrefix(params: FormParams, prefix: string): boolean {
  const withDot = `${prefix}.`;
  for (const key of params.keys()) if (key.startsWith(withDot)) return true;
  return false;
}

/** The item numbers present under `prefix.` (1-based, sorted); gaps are tolerated. */
function itemIndexes(params: FormParams, prefix: string): number[] {
  const withDot = `${prefix}.`;
  const found = new Set<number>();
  for (const key of params.keys()) {
    if (!key.startsWith(withDot)) continue;
    const rest = key.slice(withDot.length);
    const seg = rest.split('.', 1)[0]!;
    if (/^\d+$/.test(seg)) found.add(Number(seg));
  }
  return [...found].sort((a, b) => a - b);
}

export class FormDecoder {
  constructor(
    private readonly model: ServiceModel,
    private readonly naming: FormNaming,
  ) {}

  private shape(ref: ShapeRef): Shape {
    const s = this.model.shapes[ref.shape];
    if (!s) throw new Error(`model has no shape ${ref.shape}`);
    return s;
  }

  /** Decodes a structure whose members live under `prefix` ('' for the top level). */
  decodeStructure(params: FormParams, shape: Shape, prefix: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [memberName, ref] of Object.entries(shape.members ?? {})) {
      const seg = this.naming.memberKey(memberName, ref);
      const key = prefix ? `${prefix}.${seg}` : seg;
      const v = this.decodeValue(params, ref, key);
      if (v !== undefined) out[memberName] = v;
    }
    return out;
  }

  private decodeValue(params: FormParams, ref: ShapeRef, key: string): unknown {
    const shape = this.shape(ref);
    switch (shape.type) {
      case 'structure':
        return hasPrefix(params, key) ? this.decodeStructure(params, shape, key) : undefined;
      case 'list':
        return this.decodeList(params, ref, shape, key);
      case 'map':
        return this.decodeMap(params, ref, shape, key);
      default: {
        const text = params.get(key);
        return text === undefined ? undefined : parseScalarText(text, shape, ref, key, invalidValue);
      }
    }
  }

  private decodeList(params: FormParams, ref: ShapeRef, shape: Shape, key: string): unknown[] | undefined {
    const itemsPrefix = this.naming.listItemsPrefix(key, ref, shape);
    const indexes = itemIndexes(params, itemsPrefix);
    if (indexes.length === 0) {
      return this.naming.emptyListMarker && params.get(key) === '' ? [] : undefined;
    }
    return indexes.map((i) => this.decodeValue(params, shape.member!, `${itemsPrefix}.${i}`));
  }

  private decodeMap(params: FormParams, ref: ShapeRef, shape: Shape, key: string): Record<string, unknown> | undefined {
    const flattened = Boolean(ref.flattened ?? shape.flattened);
    const entriesPrefix = flattened ? key : `${key}.entry`;
    const keyName = shape.key?.locationName ?? 'key';
    const valueName = shape.value?.locationName ?? 'value';
    const indexes = itemIndexes(params, entriesPrefix);
    if (indexes.length === 0) return this.naming.emptyListMarker && params.get(key) === '' ? {} : undefined;
    const out: Record<string, unknown> = {};
    for (const i of indexes) {
      const k = params.get(`${entriesPrefix}.${i}.${keyName}`);
      if (k === undefined) continue;
      out[k] = this.decodeValue(params, shape.value!, `${entriesPrefix}.${i}.${valueName}`);
    }
    return out;
  }
}
