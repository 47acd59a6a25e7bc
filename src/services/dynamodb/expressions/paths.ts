/**
 * Document paths (a.b[1].#c) and the placeholder bookkeeping every expression shares: parsing a
 * path's tokens, resolving #names and :values, reserved words, and the overlap rules for paths
 * that an update or projection names more than once.
 */
import { validationError } from './errors.ts';
import { type ExpressionKind, TokenStream } from './lexer.ts';
import { isReservedWord } from './reserved.ts';
import type { AttributeValue, ExpressionInput, Item, Path } from './types.ts';

/** A path as written: bare identifiers, #placeholders and list indexes. */
export type RawPathElement =
  | { kind: 'identifier'; text: string }
  | { kind: 'name'; placeholder: string }
  | { kind: 'index'; index: number };

export interface RawPath {
  kind: 'path';
  elements: RawPathElement[];
}

/** Documents may nest 32 levels deep. */
export const MAX_PATH_DEPTH = 32;

/**
 * Parses `first ( '.' element | '[' digits ']' )*`. `keywords` are the words of the grammar that
 * cannot start a path (AND, SET…); they are syntax errors there.
 */
export function parsePath(stream: TokenStream, keywords: ReadonlySet<string>): RawPath {
  const elements: RawPathElement[] = [parsePathName(stream, keywords)];
  for (;;) {
    if (stream.isSymbol('.')) {
      stream.next();
      elements.push(parsePathName(stream, new Set()));
    } else if (stream.isSymbol('[')) {
      stream.next();
      const digits = stream.peek();
      if (digits.type !== 'number') stream.fail();
      stream.next();
      stream.expectSymbol(']');
      elements.push({ kind: 'index', index: Number(digits.text) });
    } else {
      return { kind: 'path', elements };
    }
  }
}

function parsePathName(stream: TokenStream, keywords: ReadonlySet<string>): RawPathElement {
  const token = stream.peek();
  if (token.type === 'identifier' && !keywords.has(token.text.toUpperCase())) {
    stream.next();
    return { kind: 'identifier', text: token.text };
  }
  if (token.type === 'name') {
    stream.next();
    return { kind: 'name', placeholder: token.text };
  }
  return stream.fail();
}

/**
 * Semantic problems found after parsing. DynamoDB reports one problem per expression, choosing by
 * category (e.g. a reserved word before an undefined placeholder), and within a category the first
 * met; so problems are collected and the winner picked at the end.
 */
export class Issues {
  private readonly first = new Map<string, string>();

  add(category: string, message: string): void {
    if (!this.first.has(category)) this.first.set(category, message);
  }

  has(category: string): boolean {
    return this.first.has(category);
  }

  /** Throws "Invalid <kind>: <message>" for the first category of `order` that has a problem. */
  throwFirst(kind: ExpressionKind, order: readonly string[]): void {
    for (const category of order) {
      const message = this.first.get(category);
      if (message !== undefined) throw validationError(`Invalid ${kind}: ${message}`);
    }
  }
}

/** Resolves placeholders against the request and records which were used. */
export class Resolver {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  readonly issues = new Issues();

  constructor(readonly input: ExpressionInput) {}

  path(raw: RawPath): Path {
    const path: Path = raw.elements.map((element) => {
      if (element.kind === 'index') return { kind: 'index', index: element.index };
      if (element.kind === 'identifier') {
        if (isReservedWord(element.text)) {
          this.issues.add('reserved', `Attribute name is a reserved keyword; reserved keyword: ${element.text}`);
        }
        return { kind: 'name', name: element.text };
      }
      return { kind: 'name', name: this.name(element.placeholder) };
    });
    if (path.length > MAX_PATH_DEPTH) {
      this.issues.add('nesting', `The document path has too many nesting levels; nesting levels: ${path.length}`);
    }
    return path;
  }

  private name(placeholder: string): string {
    const names = this.input.names ?? {};
    if (!Object.hasOwn(names, placeholder)) {
      this.issues.add(
        'undefined',
        `An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`,
      );
      return placeholder;
    }
    this.usedNames.add(placeholder);
    return names[placeholder]!;
  }

  value(placeholder: string): AttributeValue {
    const values = this.input.values ?? {};
    if (!Object.hasOwn(values, placeholder)) {
      this.issues.add('undefined', `An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
      return { NULL: true };
    }
    this.usedValues.add(placeholder);
    return values[placeholder]!;
  }
}

/** DynamoDB's rendering of a path in messages: [a, b, [1]]. */
export function pathString(path: Path): string {
  return `[${path.map((e) => (e.kind === 'index' ? `[${e.index}]` : e.name)).join(', ')}]`;
}

/**
 * Two paths of one update or projection may not overlap (one a prefix of the other) or conflict
 * (one indexes a list where the other names a map key). Records the first such pair.
 */
export function checkPathOverlaps(paths: Path[], issues: Issues): void {
  for (let j = 1; j < paths.length; j++) {
    for (let i = 0; i < j; i++) {
      const relation = relate(paths[i]!, paths[j]!);
      if (relation === 'conflict') {
        issues.add(
          'conflict',
          `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathString(paths[i]!)}, path two: ${pathString(paths[j]!)}`,
        );
      } else if (relation === 'overlap') {
        issues.add(
          'overlap',
          `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathString(paths[i]!)}, path two: ${pathString(paths[j]!)}`,
        );
      }
    }
  }
}

function relate(a: Path, b: Path): 'overlap' | 'conflict' | 'distinct' {
  for (let k = 0; k < a.length && k < b.length; k++) {
    const x = a[k]!;
    const y = b[k]!;
    if (x.kind !== y.kind) return 'conflict';
    if (x.kind === 'name' ? x.name !== (y as { name: string }).name : x.index !== (y as { index: number }).index) return 'distinct';
  }
  return 'overlap';
}

export function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && relate(a, b) === 'overlap';
}

/** The value at a path, or undefined when any step is missing or of the wrong type. */
export function valueAtPath(item: Item | undefined, path: Path): AttributeValue | undefined {
  if (item === undefined || path.length === 0) return undefined;
  const head = path[0]!;
  if (head.kind !== 'name' || !Object.hasOwn(item, head.name)) return undefined;
  let current: AttributeValue | undefined = item[head.name];
  for (let k = 1; k < path.length && current !== undefined; k++) {
    const step = path[k]!;
    if (step.kind === 'name') current = current.M !== undefined && Object.hasOwn(current.M, step.name) ? current.M[step.name] : undefined;
    else current = current.L !== undefined ? current.L[step.index] : undefined;
  }
  return current;
}
