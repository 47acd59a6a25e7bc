/**
 * The tokens of DynamoDB's expression languages and its syntax-error wording. DynamoDB reports
 * the offending token and the text "near" it: from the start of the token before it to the end
 * of the token after it, e.g. `a = = b` → token "=", near "= = b"; at the end, token "<EOF>".
 */
import { validationError } from './errors.ts';
import type { AwsError } from '../../../core/errors.ts';

export type TokenType = 'identifier' | 'name' | 'value' | 'number' | 'symbol' | 'invalid' | 'eof';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

export type ExpressionKind =
  | 'ConditionExpression'
  | 'FilterExpression'
  | 'KeyConditionExpression'
  | 'UpdateExpression'
  | 'ProjectionExpression';

const WHITESPACE = /[ \t\r\n]/;
const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;
const TWO_CHAR_SYMBOLS = new Set(['<=', '>=', '<>']);
const ONE_CHAR_SYMBOLS = new Set(['=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-']);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readWhile = (from: number, pattern: RegExp) => {
    let j = from;
    while (j < source.length && pattern.test(source[j]!)) j++;
    return j;
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (WHITESPACE.test(ch)) {
      i++;
      continue;
    }
    let type: TokenType;
    let end: number;
    if (WORD_START.test(ch)) {
      type = 'identifier';
      end = readWhile(i + 1, WORD_PART);
    } else if (ch === '#' || ch === ':') {
      type = ch === '#' ? 'name' : 'value';
      end = readWhile(i + 1, WORD_PART);
    } else if (DIGIT.test(ch)) {
      type = 'number';
      end = readWhile(i + 1, DIGIT);
    } else if (TWO_CHAR_SYMBOLS.has(source.slice(i, i + 2))) {
      type = 'symbol';
      end = i + 2;
    } else if (ONE_CHAR_SYMBOLS.has(ch)) {
      type = 'symbol';
      end = i + 1;
    } else {
      type = 'invalid';
      end = i + (source.codePointAt(i)! > 0xffff ? 2 : 1);
    }
    tokens.push({ type, text: source.slice(i, end), start: i, end });
    i = end;
  }
  tokens.push({ type: 'eof', text: '<EOF>', start: source.length, end: source.length });
  return tokens;
}

/** "Invalid <kind>: Syntax error; token: "<t>", near: "<text>"" for the token at `index`. */
export function syntaxError(kind: ExpressionKind, source: string, tokens: Token[], index: number): AwsError {
  const token = tokens[index]!;
  const before = index > 0 ? tokens[index - 1] : undefined;
  const after = token.type === 'eof' ? undefined : tokens[index + 1];
  const nearStart = before ? before.start : token.start;
  const nearEnd = after && after.type !== 'eof' ? after.end : token.end;
  const near = source.slice(nearStart, nearEnd);
  return validationError(`Invalid ${kind}: Syntax error; token: "${token.text}", near: "${near}"`);
}

/** Thrown inside parsers; carries the index of the offending token so alternatives can be compared. */
export class SyntaxFailure extends Error {
  constructor(readonly index: number) {
    super('syntax error');
  }
}

/** A cursor over tokens with the few helpers every expression grammar needs. */
export class TokenStream {
  position = 0;
  constructor(readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.position++;
    return token;
  }

  fail(): never {
    throw new SyntaxFailure(this.position);
  }

  isSymbol(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'symbol' && token.text === text;
  }

  /** Keywords (AND, SET, BETWEEN…) are matched case-insensitively. */
  isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'identifier' && token.text.toUpperCase() === word;
  }

  expectSymbol(text: string): Token {
    if (!this.isSymbol(text)) this.fail();
    return this.next();
  }
}

/** Expressions are limited to 4 KB of UTF-8. */
export const MAX_EXPRESSION_BYTES = 4096;

/** The checks every expression gets before it is parsed: not empty, not over 4 KB. */
export function checkExpressionText(kind: ExpressionKind, source: string): void {
  if (source === '') throw validationError(`Invalid ${kind}: The expression can not be empty;`);
  const size = Buffer.byteLength(source, 'utf8');
  if (size > MAX_EXPRESSION_BYTES) {
    // Captured from DynamoDB: UpdateExpression omits the size; the others state it.
    const detail = kind === 'UpdateExpression' ? '' : ` expression size: ${size}`;
    throw validationError(`Invalid ${kind}: Expression size has exceeded the maximum allowed size;${detail}`);
  }
}
