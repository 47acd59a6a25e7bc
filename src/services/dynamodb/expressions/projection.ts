/**
 * Projection expressions: the attributes (or nested parts) a read returns. Projected list
 * elements keep their order and close up: projecting a[3], a[1] returns a as [a[1], a[3]].
 */
import { SyntaxFailure, TokenStream, checkExpressionText, syntaxError, tokenize } from './lexer.ts';
import { Resolver, checkPathOverlaps, parsePath } from './paths.ts';
import type { AttributeValue, ExpressionInput, Item, Parsed, Path, Projection } from './types.ts';
import { cloneValue } from './values.ts';

const KIND = 'ProjectionExpression';
const ISSUE_ORDER = ['reserved', 'undefined', 'nesting', 'overlap', 'conflict'];
const NO_KEYWORDS: ReadonlySet<string> = new Set();

export function parseProjectionExpression(expr: string, input: ExpressionInput): Parsed<Projection> {
  checkExpressionText(KIND, expr);
  const tokens = tokenize(expr);
  const stream = new TokenStream(tokens);
  const rawPaths = [];
  try {
    rawPaths.push(parsePath(stream, NO_KEYWORDS));
    while (stream.isSymbol(',')) {
      stream.next();
      rawPaths.push(parsePath(stream, NO_KEYWORDS));
    }
    if (stream.peek().type !== 'eof') stream.fail();
  } catch (error) {
    if (error instanceof SyntaxFailure) throw syntaxError(KIND, expr, tokens, error.index);
    throw error;
  }
  const resolver = new Resolver(input);
  const paths = rawPaths.map((raw) => resolver.path(raw));
  checkPathOverlaps(paths, resolver.issues);
  resolver.issues.throwFirst(KIND, ISSUE_ORDER);
  return { ast: { paths }, usedNames: resolver.usedNames, usedValues: resolver.usedValues };
}

/** The requested paths as a tree: at each level, the map keys and list indexes asked for. */
interface Selection {
  whole: boolean;
  keys: Map<string, Selection>;
  indexes: Map<number, Selection>;
}

function emptySelection(): Selection {
  return { whole: false, keys: new Map(), indexes: new Map() };
}

function buildSelection(paths: Path[]): Selection {
  const root = emptySelection();
  for (const path of paths) {
    let node = root;
    for (const step of path) {
      const children: Map<string | number, Selection> = step.kind === 'name' ? node.keys : node.indexes;
      const key = step.kind === 'name' ? step.name : step.index;
      let child = children.get(key);
      if (child === undefined) {
        child = emptySelection();
        children.set(key, child);
      }
      node = child;
    }
    node.whole = true;
  }
  return root;
}

/** The selected part of a value, or undefined when none of it exists. */
function select(value: AttributeValue, selection: Selection): AttributeValue | undefined {
  if (selection.whole) return cloneValue(value);
  if (selection.keys.size > 0 && value.M !== undefined) {
    const picked = selectKeys(value.M, selection);
    return Object.keys(picked).length > 0 ? { M: picked } : undefined;
  }
  if (selection.indexes.size > 0 && value.L !== undefined) {
    const list = value.L;
    const picked = [...selection.indexes.keys()]
      .sort((a, b) => a - b)
      .filter((index) => index < list.length)
      .map((index) => select(list[index]!, selection.indexes.get(index)!))
      .filter((v): v is AttributeValue => v !== undefined);
    return picked.length > 0 ? { L: picked } : undefined;
  }
  return undefined;
}

function selectKeys(map: Record<string, AttributeValue>, selection: Selection): Record<string, AttributeValue> {
  const picked: Record<string, AttributeValue> = {};
  for (const [key, child] of selection.keys) {
    if (!Object.hasOwn(map, key)) continue;
    const value = select(map[key]!, child);
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/** The item reduced to the projection's paths. */
export function project(p: Projection, item: Item): Item {
  return selectKeys(item, buildSelection(p.paths));
}
