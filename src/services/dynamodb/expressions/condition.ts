/**
 * Condition and filter expressions: parsing (with DynamoDB's syntax and semantic errors) and
 * evaluation against an item. Precedence, loosest first: OR, AND, NOT, then comparisons,
 * BETWEEN, IN and functions; parentheses group.
 */
import { validationError } from './errors.ts';
import {
  type ExpressionKind,
  SyntaxFailure,
  TokenStream,
  checkExpressionText,
  syntaxError,
  tokenize,
} from './lexer.ts';
import { type RawPath, Resolver, parsePath, pathString, samePath, valueAtPath } from './paths.ts';
import type {
  AttributeType,
  AttributeValue,
  Comparator,
  Condition,
  ConditionFunction,
  ExpressionInput,
  Item,
  Operand,
  Parsed,
} from './types.ts';
import {
  attributeValuesEqual,
  bytesContain,
  bytesStartWith,

  compareValues,
  typeOf,
  utf8Length,
} from './values.ts';
import { compareNumbers } from './numbers.ts';

// ---------------------------------------------------------------------------------------------
// Syntax: tokens → raw tree (placeholders unresolved)

const KEYWORDS: ReadonlySet<string> = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN']);
const COMPARATORS: ReadonlySet<string> = new Set(['=', '<>', '<', '<=', '>', '>=']);

export type RawOperand = RawPath | { kind: 'value'; placeholder: string } | RawCall;
export interface RawCall {
  kind: 'call';
  name: string;
  args: RawOperand[];
}
export type RawCondition =
  | { kind: 'and' | 'or'; left: RawCondition; right: RawCondition }
  | { kind: 'not'; condition: RawCondition }
  | { kind: 'compare'; op: Comparator; left: RawOperand; right: RawOperand }
  | { kind: 'between'; operand: RawOperand; low: RawOperand; high: RawOperand }
  | { kind: 'in'; operand: RawOperand; list: RawOperand[] }
  | { kind: 'callCondition'; call: RawCall };

class ConditionParser {
  /** Set when a parenthesis directly wraps another: "The expression has redundant parentheses;". */
  redundantParens = false;
  private readonly wrapped = new WeakSet<object>();

  constructor(readonly stream: TokenStream) {}

  parse(): RawCondition {
    const condition = this.or();
    if (this.stream.peek().type !== 'eof') this.stream.fail();
    return condition;
  }

  private or(): RawCondition {
    let left = this.and();
    while (this.stream.isKeyword('OR')) {
      this.stream.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): RawCondition {
    let left = this.not();
    while (this.stream.isKeyword('AND')) {
      this.stream.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): RawCondition {
    if (this.stream.isKeyword('NOT')) {
      this.stream.next();
      return { kind: 'not', condition: this.not() };
    }
    return this.primary();
  }

  /** "(" starts either a grouped condition or a parenthesised operand: try both, keep the one that got further. */
  private primary(): RawCondition {
    if (!this.stream.isSymbol('(')) return this.comparison();
    const start = this.stream.position;
    const redundantBefore = this.redundantParens;
    try {
      this.stream.next();
      const inner = this.or();
      this.stream.expectSymbol(')');
      return this.markWrapped(inner);
    } catch (groupError) {
      if (!(groupError instanceof SyntaxFailure)) throw groupError;
      this.stream.position = start;
      this.redundantParens = redundantBefore;
      try {
        return this.comparison();
      } catch (operandError) {
        if (!(operandError instanceof SyntaxFailure)) throw operandError;
        throw operandError.index >= groupError.index ? operandError : groupError;
      }
    }
  }

  private markWrapped<T extends object>(node: T): T {
    if (this.wrapped.has(node)) this.redundantParens = true;
    this.wrapped.add(node);
    return node;
  }

  private comparison(): RawCondition {
    const left = this.operand();
    const token = this.stream.peek();
    if (token.type === 'symbol' && COMPARATORS.has(token.text)) {
      this.stream.next();
      return { kind: 'compare', op: token.text as Comparator, left, right: this.operand() };
    }
    if (this.stream.isKeyword('BETWEEN')) {
      this.stream.next();
      const low = this.operand();
      if (!this.stream.isKeyword('AND')) this.stream.fail();
      this.stream.next();
      return { kind: 'between', operand: left, low, high: this.operand() };
    }
    if (this.stream.isKeyword('IN')) {
      this.stream.next();
      this.stream.expectSymbol('(');
      const list = this.operandList();
      this.stream.expectSymbol(')');
      return { kind: 'in', operand: left, list };
    }
    if (left.kind === 'call') return { kind: 'callCondition', call: left };
    return this.stream.fail();
  }

  private operandList(): RawOperand[] {
    const list = [this.operand()];
    while (this.stream.isSymbol(',')) {
      this.stream.next();
      list.push(this.operand());
    }
    return list;
  }

  operand(): RawOperand {
    const token = this.stream.peek();
    if (this.stream.isSymbol('(')) {
      this.stream.next();
      const inner = this.operand();
      this.stream.expectSymbol(')');
      return this.markWrapped(inner);
    }
    if (token.type === 'value') {
      this.stream.next();
      return { kind: 'value', placeholder: token.text };
    }
    if (token.type === 'identifier' && !KEYWORDS.has(token.text.toUpperCase()) && this.stream.isSymbol('(', 1)) {
      this.stream.next();
      this.stream.next();
      const args = this.operandList();
      this.stream.expectSymbol(')');
      return { kind: 'call', name: token.text, args };
    }
    return parsePath(this.stream, KEYWORDS);
  }
}

/** Parses the text into a raw tree, throwing DynamoDB's syntax error. */
export function parseRawCondition(kind: ExpressionKind, source: string): { tree: RawCondition; redundantParens: boolean } {
  checkExpressionText(kind, source);
  const tokens = tokenize(source);
  const parser = new ConditionParser(new TokenStream(tokens));
  try {
    const tree = parser.parse();
    return { tree, redundantParens: parser.redundantParens };
  } catch (error) {
    if (error instanceof SyntaxFailure) throw syntaxError(kind, source, tokens, error.index);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Semantics: resolve placeholders, check functions and operands

/** Functions of condition expressions and their operand counts. */
const FUNCTION_ARITY: Record<ConditionFunction | 'size', number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
const UPDATE_FUNCTIONS: ReadonlySet<string> = new Set(['if_not_exists', 'list_append']);
const VALID_TYPE_NAMES: ReadonlySet<string> = new Set(['S', 'N', 'B', 'NULL', 'SS', 'BOOL', 'L', 'BS', 'NS', 'M']);
const MAX_IN_OPERANDS = 100;

/** DynamoDB's precedence among semantic problems of a condition. */
const ISSUE_ORDER = ['parens', 'unknownFunction', 'misusedFunction', 'reserved', 'undefined', 'nesting', 'operandCount', 'distinct', 'function'];

class ConditionResolver {
  constructor(readonly r: Resolver) {}

  condition(raw: RawCondition): Condition {
    switch (raw.kind) {
      case 'and':
      case 'or':
        return { kind: raw.kind, left: this.condition(raw.left), right: this.condition(raw.right) };
      case 'not':
        return { kind: 'not', condition: this.condition(raw.condition) };
      case 'compare': {
        const left = this.operand(raw.left);
        const right = this.operand(raw.right);
        this.checkDistinct(raw.op, left, right);
        return { kind: 'compare', op: raw.op, left, right };
      }
      case 'between': {
        const between = { kind: 'between' as const, operand: this.operand(raw.operand), low: this.operand(raw.low), high: this.operand(raw.high) };
        this.checkBetweenBounds(between.low, between.high);
        return between;
      }
      case 'in': {
        const operand = this.operand(raw.operand);
        const list = raw.list.map((o) => this.operand(o));
        if (list.length > MAX_IN_OPERANDS) {
          this.r.issues.add('function', `The IN operator is provided with too many operands; number of operands: ${list.length}`);
        }
        return { kind: 'in', operand, list };
      }
      case 'callCondition':
        return this.callCondition(raw.call);
    }
  }

  /** An operand of a comparison, BETWEEN or IN: a path, a value, or size(). */
  operand(raw: RawOperand): Operand {
    if (raw.kind === 'path') return { kind: 'path', path: this.r.path(raw) };
    if (raw.kind === 'value') return { kind: 'value', placeholder: raw.placeholder, value: this.r.value(raw.placeholder) };
    if (this.knownFunction(raw.name) && raw.name !== 'size') {
      this.r.issues.add('misusedFunction', `The function is not allowed to be used this way in an expression; function: ${raw.name}`);
    }
    const args = raw.args.map((a) => this.argument(a));
    this.checkArity(raw.name, args);
    const first = args[0]!;
    const type = staticType(first);
    if (raw.name === 'size' && (type === 'N' || type === 'BOOL' || type === 'NULL')) {
      this.r.issues.add('function', `Incorrect operand type for operator or function; operator or function: size, operand type: ${type}`);
    }
    return { kind: 'size', operand: first };
  }

  /** A function's argument: only size() may be nested inside another function. */
  private argument(raw: RawOperand): Operand {
    if (raw.kind === 'call' && raw.name !== 'size' && this.knownFunction(raw.name)) {
      this.r.issues.add('misusedFunction', `The function is not allowed to be used this way in an expression; function: ${raw.name}`);
    }
    return this.operand(raw);
  }

  /** Records unknown and update-only function names; true for the functions of conditions. */
  private knownFunction(name: string): boolean {
    if (Object.hasOwn(FUNCTION_ARITY, name)) return true;
    if (UPDATE_FUNCTIONS.has(name)) {
      this.r.issues.add('unknownFunction', `The function is not allowed in a condition expression; function: ${name}`);
    } else {
      this.r.issues.add('unknownFunction', `Invalid function name; function: ${name}`);
    }
    return false;
  }

  private checkArity(name: string, args: Operand[]): boolean {
    const arity = FUNCTION_ARITY[name as ConditionFunction];
    if (arity !== undefined && arity !== args.length) {
      this.r.issues.add(
        'operandCount',
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
      return false;
    }
    return true;
  }

  private callCondition(call: RawCall): Condition {
    const known = this.knownFunction(call.name);
    if (call.name === 'size') {
      this.r.issues.add('misusedFunction', 'The function is not allowed to be used this way in an expression; function: size');
    }
    const args = call.args.map((a) => this.argument(a));
    const name = call.name as ConditionFunction;
    if (known && call.name !== 'size' && this.checkArity(name, args)) this.checkFunctionOperands(name, args);
    return { kind: 'function', name, args };
  }

  private checkFunctionOperands(name: ConditionFunction, args: Operand[]): void {
    if (args.length === 2) this.checkDistinct(name, args[0]!, args[1]!);
    const issue = (message: string) => this.r.issues.add('function', message);
    const typeIssue = (type: string) =>
      issue(`Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`);
    switch (name) {
      case 'attribute_exists':
      case 'attribute_not_exists':
        if (args[0]!.kind !== 'path') issue(`Operator or function requires a document path; operator or function: ${name}`);
        return;
      case 'begins_with':
        for (const arg of args) {
          const type = staticType(arg);
          if (type !== undefined && type !== 'S' && type !== 'B') return typeIssue(type);
        }
        return;
      case 'attribute_type': {
        const typeName = args[1]!;
        const type = staticType(typeName);
        if (type !== 'S') return typeIssue(type ?? '{NS,SS,L,BS,N,M,B,BOOL,NULL,S}');
        const text = (typeName as { value: AttributeValue }).value.S!;
        if (!VALID_TYPE_NAMES.has(text)) issue(`Invalid attribute type name found; type: ${text}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
        return;
      }
      case 'contains':
        return;
    }
  }

  /** "a = a", "begins_with(a, a)": the first operand must differ from the others. */
  private checkDistinct(operator: string, first: Operand, second: Operand): void {
    if (first.kind === 'path' && second.kind === 'path' && samePath(first.path, second.path)) {
      this.r.issues.add(
        'distinct',
        `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${pathString(first.path)}`,
      );
    }
  }

  private checkBetweenBounds(low: Operand, high: Operand): void {
    if (low.kind !== 'value' || high.kind !== 'value') return;
    const lowType = typeOf(low.value);
    const highType = typeOf(high.value);
    if (lowType === undefined || highType === undefined) return;
    const bounds = `lower bound operand: AttributeValue: {${lowType}:${show(low.value)}}, upper bound operand: AttributeValue: {${highType}:${show(high.value)}}`;
    if (lowType !== highType) {
      this.r.issues.add('function', `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
    } else if ((compareValues(low.value, high.value) ?? 0) > 0) {
      this.r.issues.add('function', `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
    }
  }
}

/** How DynamoDB prints a scalar inside "AttributeValue: {S:a}". */
function show(value: AttributeValue): string {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return value.N;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  return JSON.stringify(Object.values(value)[0]);
}

/** The type an operand is known to have before any item is seen: a value's, or N for size(). */
function staticType(operand: Operand): AttributeType | undefined {
  if (operand.kind === 'value') return typeOf(operand.value);
  if (operand.kind === 'size') return 'N';
  return undefined;
}

/** Parses and checks a condition; shared by condition, filter and key condition expressions. */
export function parseConditionAs(kind: ExpressionKind, expr: string, input: ExpressionInput): Parsed<Condition> {
  const { tree, redundantParens } = parseRawCondition(kind, expr);
  const resolver = new Resolver(input);
  if (redundantParens) resolver.issues.add('parens', 'The expression has redundant parentheses;');
  const ast = new ConditionResolver(resolver).condition(tree);
  resolver.issues.throwFirst(kind, ISSUE_ORDER);
  return { ast, usedNames: resolver.usedNames, usedValues: resolver.usedValues };
}

export function parseConditionExpression(
  expr: string,
  input: ExpressionInput,
  kind: 'ConditionExpression' | 'FilterExpression',
): Parsed<Condition> {
  return parseConditionAs(kind, expr, input);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

function evaluateOperand(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path':
      return valueAtPath(item, operand.path);
    case 'size': {
      const value = evaluateOperand(operand.operand, item);
      const size = value === undefined ? undefined : sizeOf(value);
      return size === undefined ? undefined : { N: String(size) };
    }
  }
}

/** size(): characters of a string as UTF-8 bytes, bytes of a binary, members of a set, list or map. */
export function sizeOf(value: AttributeValue): number | undefined {
  if (value.S !== undefined) return utf8Length(value.S);
  if (value.B !== undefined) return value.B.length;
  const collection = value.SS ?? value.NS ?? value.BS ?? value.L;
  if (collection !== undefined) return collection.length;
  if (value.M !== undefined) return Object.keys(value.M).length;
  return undefined;
}

function compare(op: Comparator, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (op === '=') return a !== undefined && b !== undefined && attributeValuesEqual(a, b);
  if (op === '<>') return !(a !== undefined && b !== undefined && attributeValuesEqual(a, b));
  if (a === undefined || b === undefined) return false;
  const order = compareValues(a, b);
  if (order === undefined) return false;
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

function contains(haystack: AttributeValue, needle: AttributeValue): boolean {
  if (haystack.S !== undefined) return needle.S !== undefined && haystack.S.includes(needle.S);
  if (haystack.B !== undefined) return needle.B !== undefined && bytesContain(haystack.B, needle.B);
  if (haystack.SS !== undefined) return needle.S !== undefined && haystack.SS.includes(needle.S);
  if (haystack.NS !== undefined) return needle.N !== undefined && haystack.NS.some((n) => compareNumbers(n, needle.N!) === 0);
  if (haystack.BS !== undefined) return needle.B !== undefined && haystack.BS.some((b) => attributeValuesEqual({ B: b }, needle));
  if (haystack.L !== undefined) return haystack.L.some((element) => attributeValuesEqual(element, needle));
  return false;
}

function evaluateFunction(name: ConditionFunction, args: Operand[], item: Item | undefined): boolean {
  const values = args.map((a) => evaluateOperand(a, item));
  const [first, second] = values;
  switch (name) {
    case 'attribute_exists':
      return first !== undefined;
    case 'attribute_not_exists':
      return first === undefined;
    case 'attribute_type':
      return first !== undefined && second?.S !== undefined && typeOf(first) === second.S;
    case 'begins_with':
      if (first === undefined || second === undefined) return false;
      if (first.S !== undefined && second.S !== undefined) return first.S.startsWith(second.S);
      if (first.B !== undefined && second.B !== undefined) return bytesStartWith(first.B, second.B);
      return false;
    case 'contains':
      return first !== undefined && second !== undefined && contains(first, second);
  }
}

/** Whether the item (undefined when there is none) satisfies the condition. */
export function evaluateCondition(cond: Condition, item: Item | undefined): boolean {
  switch (cond.kind) {
    case 'and':
      return evaluateCondition(cond.left, item) && evaluateCondition(cond.right, item);
    case 'or':
      return evaluateCondition(cond.left, item) || evaluateCondition(cond.right, item);
    case 'not':
      return !evaluateCondition(cond.condition, item);
    case 'compare':
      return compare(cond.op, evaluateOperand(cond.left, item), evaluateOperand(cond.right, item));
    case 'between': {
      const value = evaluateOperand(cond.operand, item);
      return compare('>=', value, evaluateOperand(cond.low, item)) && compare('<=', value, evaluateOperand(cond.high, item));
    }
    case 'in': {
      const value = evaluateOperand(cond.operand, item);
      return cond.list.some((candidate) => compare('=', value, evaluateOperand(candidate, item)));
    }
    case 'function':
      return evaluateFunction(cond.name, cond.args, item);
  }
}

