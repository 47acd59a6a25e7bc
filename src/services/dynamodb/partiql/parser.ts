/**
 * The PartiQL subset DynamoDB accepts ("PartiQL - a SQL-compatible query language for Amazon
 * DynamoDB"): SELECT, INSERT, UPDATE and DELETE on one table. `?` parameters are bound while
 * parsing, so the statement that comes out holds concrete AttributeValues, and its WHERE clause
 * is a tree of the condition-expression language (../expressions/types.ts) that the one
 * condition evaluator runs.
 */
import type { AttributeValue, Condition, Operand, Path, UpdateAction, UpdateValue } from '../expressions/index.ts';
import { validation } from '../errors.ts';

export type Returning = 'ALL OLD' | 'ALL NEW' | 'MODIFIED OLD' | 'MODIFIED NEW';

export type Statement =
  | { kind: 'select'; table: string; index?: string; projection?: Path[]; where?: Condition }
  | { kind: 'insert'; table: string; item: AttributeValue }
  | { kind: 'update'; table: string; actions: UpdateAction[]; where?: Condition; returning?: Returning }
  | { kind: 'delete'; table: string; where?: Condition; returning?: Returning };

/** "Statement wasn't well formed, can't be processed: …", DynamoDB's envelope for parse errors. */
export function malformed(detail: string): Error {
  return validation(`Statement wasn't well formed, can't be processed: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Tokens

type TokenType = 'word' | 'quoted' | 'string' | 'number' | 'param' | 'symbol' | 'eof';
interface Token {
  type: TokenType;
  text: string;
}

const SYMBOLS = ['<<', '>>', '<=', '>=', '<>', '!=', '=', '<', '>', '(', ')', '[', ']', '{', '}', ',', '.', ':', '*', '+', '-', ';'];
const KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'INSERT', 'INTO', 'VALUE', 'VALUES', 'UPDATE', 'SET', 'REMOVE', 'DELETE',
  'BETWEEN', 'IN', 'IS', 'MISSING', 'NULL', 'TRUE', 'FALSE', 'RETURNING',
]);

function quotedUntil(source: string, start: number, quote: string): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= source.length) throw malformed('Unexpected end of statement');
    if (source[i] === quote) {
      if (source[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += source[i];
    i++;
  }
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const { text, end } = quotedUntil(source, i, c);
      tokens.push({ type: c === "'" ? 'string' : 'quoted', text });
      i = end;
      continue;
    }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(source.slice(i));
    if (number) {
      tokens.push({ type: 'number', text: number[0] });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(source.slice(i));
    if (word) {
      tokens.push({ type: 'word', text: word[0] });
      i += word[0].length;
      continue;
    }
    if (c === '?') {
      tokens.push({ type: 'param', text: '?' });
      i++;
      continue;
    }
    const symbol = SYMBOLS.find((s) => source.startsWith(s, i));
    if (!symbol) throw malformed(`Unexpected token`);
    tokens.push({ type: 'symbol', text: symbol });
    i += symbol.length;
  }
  // A trailing semicolon ends the statement.
  if (tokens.at(-1)?.text === ';' && tokens.at(-1)?.type === 'symbol') tokens.pop();
  tokens.push({ type: 'eof', text: '' });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
  private position = 0;
  private parameterIndex = 0;

  constructor(private readonly tokens: Token[], private readonly parameters: AttributeValue[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.position++;
    return token;
  }

  isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'word' && token.text.toUpperCase() === word;
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  fail(): never {
    const token = this.peek();
    if (token.type === 'eof') throw malformed('Unexpected end of statement');
    if (token.type === 'word' && KEYWORDS.has(token.text.toUpperCase())) throw malformed('Unexpected keyword');
    throw malformed('Unexpected token');
  }

  keyword(word: string): void {
    if (!this.isKeyword(word)) this.fail();
    this.next();
  }

  symbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail();
    this.next();
  }

  end(): void {
    if (this.peek().type !== 'eof') this.fail();
    if (this.parameterIndex !== this.parameters.length) throw validation("Number of parameters in request and statement don't match.");
  }

  // Statements -------------------------------------------------------------------------------

  statement(): Statement {
    const first = this.peek();
    const word = first.type === 'word' ? first.text.toUpperCase() : '';
    let statement: Statement;
    switch (word) {
      case 'SELECT':
        statement = this.select();
        break;
      case 'INSERT':
        statement = this.insert();
        break;
      case 'UPDATE':
        statement = this.update();
        break;
      case 'DELETE':
        statement = this.delete();
        break;
      default:
        throw malformed('Expected data manipulation');
    }
    this.end();
    return statement;
  }

  private select(): Statement {
    this.keyword('SELECT');
    let projection: Path[] | undefined;
    if (this.isSymbol('*')) this.next();
    else {
      projection = [this.path()];
      while (this.isSymbol(',')) {
        this.next();
        projection.push(this.path());
      }
    }
    this.keyword('FROM');
    const table = this.name();
    let index: string | undefined;
    if (this.isSymbol('.')) {
      this.next();
      index = this.name();
    }
    const where = this.optionalWhere();
    return { kind: 'select', table, index, projection, where };
  }

  private insert(): Statement {
    this.keyword('INSERT');
    this.keyword('INTO');
    const table = this.name();
    this.keyword('VALUE');
    const item = this.value();
    if (item.M === undefined) throw malformed('Unexpected token');
    return { kind: 'insert', table, item };
  }

  private update(): Statement {
    this.keyword('UPDATE');
    const table = this.name();
    const actions: UpdateAction[] = [];
    while (this.isKeyword('SET') || this.isKeyword('REMOVE')) {
      const isSet = this.next().text.toUpperCase() === 'SET';
      do {
        if (actions.length && this.isSymbol(',')) this.next();
        actions.push(isSet ? this.setAction() : { kind: 'REMOVE', path: this.path() });
      } while (this.isSymbol(','));
    }
    if (!actions.length) this.fail();
    const where = this.optionalWhere();
    return { kind: 'update', table, actions, where, returning: this.optionalReturning() };
  }

  private delete(): Statement {
    this.keyword('DELETE');
    this.keyword('FROM');
    const table = this.name();
    const where = this.optionalWhere();
    return { kind: 'delete', table, where, returning: this.optionalReturning() };
  }

  private optionalWhere(): Condition | undefined {
    if (!this.isKeyword('WHERE')) return undefined;
    this.next();
    return this.or();
  }

  private optionalReturning(): Returning | undefined {
    if (!this.isKeyword('RETURNING')) return undefined;
    this.next();
    const which = this.next().text.toUpperCase();
    const when = this.next().text.toUpperCase();
    const returning = `${which} ${when}`;
    if (!['ALL OLD', 'ALL NEW', 'MODIFIED OLD', 'MODIFIED NEW'].includes(returning)) this.fail();
    this.symbol('*');
    return returning as Returning;
  }

  // SET actions ------------------------------------------------------------------------------

  /** `path = value`, `path = path ± value`, `list_append(…)`, `set_add(path, <<…>>)`, `set_delete(path, <<…>>)`. */
  private setAction(): UpdateAction {
    const target = this.path();
    this.symbol('=');
    const fn = this.peek().type === 'word' && this.peek(1).text === '(' ? this.peek().text.toLowerCase() : '';
    if (fn === 'set_add' || fn === 'set_delete') {
      this.next();
      this.symbol('(');
      this.path();
      this.symbol(',');
      const value = this.value();
      this.symbol(')');
      return { kind: fn === 'set_add' ? 'ADD' : 'DELETE', path: target, value };
    }
    const left = this.setOperand();
    if (this.isSymbol('+') || this.isSymbol('-')) {
      const op = this.next().text as '+' | '-';
      return { kind: 'SET', path: target, value: { kind: op, left, right: this.setOperand() } };
    }
    return { kind: 'SET', path: target, value: left };
  }

  private setOperand(): UpdateValue {
    const token = this.peek();
    if (token.type === 'word' && token.text.toLowerCase() === 'list_append' && this.peek(1).text === '(') {
      this.next();
      this.symbol('(');
      const first = this.setOperand();
      this.symbol(',');
      const second = this.setOperand();
      this.symbol(')');
      return { kind: 'list_append', first, second };
    }
    if (this.startsPath()) return { kind: 'path', path: this.path() };
    return { kind: 'value', placeholder: '?', value: this.value() };
  }

  // Conditions -------------------------------------------------------------------------------

  private or(): Condition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', condition: this.not() };
    }
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.or();
      this.symbol(')');
      return inner;
    }
    return this.predicate();
  }

  private predicate(): Condition {
    const token = this.peek();
    const fn = token.type === 'word' && this.peek(1).text === '(' ? token.text.toLowerCase() : '';
    if (fn === 'begins_with' || fn === 'contains' || fn === 'attribute_type') {
      this.next();
      this.symbol('(');
      const first = this.operand();
      this.symbol(',');
      const second = this.operand();
      this.symbol(')');
      return { kind: 'function', name: fn, args: [first, second] };
    }
    const left = this.operand();
    const next = this.peek();
    if (next.type === 'symbol' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(next.text)) {
      this.next();
      const op = next.text === '!=' ? '<>' : (next.text as '=' | '<>' | '<' | '<=' | '>' | '>=');
      return { kind: 'compare', op, left, right: this.operand() };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand();
      this.keyword('AND');
      return { kind: 'between', operand: left, low, high: this.operand() };
    }
    if (this.isKeyword('IN')) {
      this.next();
      const close = this.isSymbol('(') ? ')' : ']';
      this.symbol(close === ')' ? '(' : '[');
      const list = [this.operand()];
      while (this.isSymbol(',')) {
        this.next();
        list.push(this.operand());
      }
      this.symbol(close);
      return { kind: 'in', operand: left, list };
    }
    if (this.isKeyword('IS')) {
      this.next();
      const negated = this.isKeyword('NOT');
      if (negated) this.next();
      if (left.kind !== 'path') this.fail();
      if (this.isKeyword('MISSING')) {
        this.next();
        return { kind: 'function', name: negated ? 'attribute_exists' : 'attribute_not_exists', args: [left] };
      }
      this.keyword('NULL');
      const isNull: Condition = { kind: 'function', name: 'attribute_type', args: [left, { kind: 'value', placeholder: '?', value: { S: 'NULL' } }] };
      return negated ? { kind: 'not', condition: isNull } : isNull;
    }
    return this.fail();
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.type === 'word' && token.text.toLowerCase() === 'size' && this.peek(1).text === '(') {
      this.next();
      this.symbol('(');
      const inner = this.operand();
      this.symbol(')');
      return { kind: 'size', operand: inner };
    }
    if (this.startsPath()) return { kind: 'path', path: this.path() };
    return { kind: 'value', placeholder: '?', value: this.value() };
  }

  // Names, paths and values ------------------------------------------------------------------

  private startsPath(): boolean {
    const token = this.peek();
    if (token.type === 'quoted') return true;
    return token.type === 'word' && !['TRUE', 'FALSE', 'NULL', 'MISSING'].includes(token.text.toUpperCase());
  }

  /** A table or index name: "quoted" or a bare identifier. */
  private name(): string {
    const token = this.peek();
    if (token.type !== 'quoted' && token.type !== 'word') this.fail();
    if (token.type === 'word' && KEYWORDS.has(token.text.toUpperCase())) this.fail();
    this.next();
    return token.text;
  }

  path(): Path {
    const path: Path = [{ kind: 'name', name: this.name() }];
    for (;;) {
      if (this.isSymbol('.')) {
        this.next();
        path.push({ kind: 'name', name: this.name() });
      } else if (this.isSymbol('[')) {
        this.next();
        const token = this.next();
        if (token.type === 'number' && /^\d+$/.test(token.text)) path.push({ kind: 'index', index: Number(token.text) });
        else if (token.type === 'string') path.push({ kind: 'name', name: token.text });
        else this.fail();
        this.symbol(']');
      } else return path;
    }
  }

  value(): AttributeValue {
    const token = this.peek();
    if (token.type === 'param') {
      this.next();
      const bound = this.parameters[this.parameterIndex++];
      if (bound === undefined) throw validation("Number of parameters in request and statement don't match.");
      return bound;
    }
    if (token.type === 'string') {
      this.next();
      return { S: token.text };
    }
    if (token.type === 'number') {
      this.next();
      return { N: token.text };
    }
    if (this.isSymbol('-') && this.peek(1).type === 'number') {
      this.next();
      return { N: `-${this.next().text}` };
    }
    if (token.type === 'word') {
      const word = token.text.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE') {
        this.next();
        return { BOOL: word === 'TRUE' };
      }
      if (word === 'NULL') {
        this.next();
        return { NULL: true };
      }
    }
    if (this.isSymbol('{')) return this.map();
    if (this.isSymbol('[')) return { L: this.sequence('[', ']') };
    if (this.isSymbol('<<')) return this.set();
    return this.fail();
  }

  private map(): AttributeValue {
    this.symbol('{');
    const M: Record<string, AttributeValue> = {};
    if (!this.isSymbol('}')) {
      do {
        if (this.isSymbol(',')) this.next();
        const key = this.next();
        if (key.type !== 'string' && key.type !== 'quoted') this.fail();
        this.symbol(':');
        M[key.text] = this.value();
      } while (this.isSymbol(','));
    }
    this.symbol('}');
    return { M };
  }

  private sequence(open: string, close: string): AttributeValue[] {
    this.symbol(open);
    const values: AttributeValue[] = [];
    if (!this.isSymbol(close)) {
      values.push(this.value());
      while (this.isSymbol(',')) {
        this.next();
        values.push(this.value());
      }
    }
    this.symbol(close);
    return values;
  }

  /** A bag `<<…>>` of strings, numbers or binaries is a set of that type. */
  private set(): AttributeValue {
    const members = this.sequence('<<', '>>');
    if (members.every((m) => m.S !== undefined) && members.length) return { SS: members.map((m) => m.S!) };
    if (members.every((m) => m.N !== undefined) && members.length) return { NS: members.map((m) => m.N!) };
    if (members.every((m) => m.B !== undefined) && members.length) return { BS: members.map((m) => m.B!) };
    throw malformed('Unexpected token');
  }
}

/** Parses one statement, binding its `?` parameters in order. */
export function parseStatement(text: string, parameters: AttributeValue[] = []): Statement {
  return new Parser(tokenize(text), parameters).statement();
}
