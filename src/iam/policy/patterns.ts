/**
 * Wildcards and policy variables.
 *
 * - Actions match case-insensitively with `*` and `?` ("IAM JSON policy elements: Action").
 * - Resources match case-sensitively and ARN-aware ("IAM JSON policy elements: Resource"): a
 *   wildcard stays inside its colon-separated segment, except that a `*` ending a segment may
 *   expand beyond the colon; in the resource part (after the fifth colon) `*` matches anything.
 * - StringLike: `*` and `?` anywhere, case-sensitive.
 * - Policy variables (Version 2012-10-17 only): `${aws:username}`, `${aws:PrincipalTag/team}`,
 *   defaults `${aws:PrincipalTag/team, 'company-wide'}`, and the escapes `${*}`, `${?}`, `${$}`
 *   for literal characters ("IAM policy elements: Variables and tags").
 *
 * Patterns are carried in an "escaped" form: a backslash makes the next character literal. Text
 * from the policy keeps its wildcards; substituted variable values and `${*}`-style escapes are
 * literal. Compiled matchers are built once per distinct escaped pattern (static patterns at
 * compile time; substituted ones through a bounded cache).
 */
import type { ContextView } from './context.ts';

export type Matcher = (value: string) => boolean;

// ---------------------------------------------------------------------------------------------
// Templates (policy variables)

interface VariablePart {
  lowerKey: string;
  fallback?: string;
}

/** A policy string after variable parsing: literal pieces (escaped) interleaved with variables. */
export interface Template {
  /** The escaped pattern when the string has no variables, else undefined. */
  readonly fixed: string | undefined;
  readonly pieces: readonly (string | VariablePart)[];
}

const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_BODY = /^\s*([^\s,']+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Parses `${…}` variables; with the 2008-10-17 language they are plain text. */
export function parseTemplate(text: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !text.includes('${')) return { fixed: escapePolicyText(text), pieces: [] };
  const pieces: (string | VariablePart)[] = [];
  let last = 0;
  let hasVariable = false;
  for (const m of text.matchAll(VARIABLE)) {
    const before = escapePolicyText(text.slice(last, m.index));
    last = m.index! + m[0].length;
    const body = m[1]!;
    if (body === '*' || body === '?' || body === '$') {
      pieces.push(before + '\\' + body);
      continue;
    }
    const parsed = VARIABLE_BODY.exec(body);
    if (!parsed) {
      pieces.push(before + escapePolicyText(m[0]));
      continue;
    }
    pieces.push(before);
    pieces.push({ lowerKey: parsed[1]!.toLowerCase(), fallback: parsed[2] });
    hasVariable = true;
  }
  pieces.push(escapePolicyText(text.slice(last)));
  if (!hasVariable) return { fixed: (pieces as string[]).join(''), pieces: [] };
  return { fixed: undefined, pieces };
}

/**
 * The escaped pattern with variables substituted from the context, or undefined when a variable
 * has no single value and no default (such an element matches nothing).
 */
export function resolveTemplate(template: Template, context: ContextView): string | undefined {
  if (template.fixed !== undefined) return template.fixed;
  let out = '';
  for (const piece of template.pieces) {
    if (typeof piece === 'string') {
      out += piece;
      continue;
    }
    const value = context.scalar(piece.lowerKey) ?? piece.fallback;
    if (value === undefined) return undefined;
    out += escapeLiteral(value);
  }
  return out;
}

/** Policy text: wildcards stay wildcards, a literal backslash is escaped. */
function escapePolicyText(text: string): string {
  return text.includes('\\') ? text.replace(/\\/g, '\\\\') : text;
}

/** A substituted value: everything literal. */
function escapeLiteral(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c || c === 0x2a || c === 0x3f) return text.replace(/[\\*?]/g, '\\$&');
  }
  return text;
}

/** The literal string an escaped pattern stands for (for equality operators). */
export function unescapePattern(escaped: string): string {
  return escaped.includes('\\') ? escaped.replace(/\\(.)/g, '$1') : escaped;
}

// ---------------------------------------------------------------------------------------------
// Matchers

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function hasWildcard(escaped: string): boolean {
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
  }
  return false;
}

/** Fast paths for the shapes that dominate real policies: "*", exact, "prefix*". */
function simpleMatcher(escaped: string, caseInsensitive: boolean): Matcher | undefined {
  if (escaped === '*') return () => true;
  if (!hasWildcard(escaped)) {
    const literal = unescapePattern(escaped);
    return caseInsensitive ? (v) => v.length === literal.length && v.toLowerCase() === literal : (v) => v === literal;
  }
  return undefined;
}

/** StringLike / action globs: `*` any run of characters, `?` any one character. */
export function globMatcher(escaped: string, caseInsensitive = false): Matcher {
  const pattern = caseInsensitive ? escaped.toLowerCase() : escaped;
  const simple = simpleMatcher(pattern, caseInsensitive);
  if (simple) return simple;
  const head = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !hasWildcard(head)) {
    // "prefix*": the only wildcard is the final star.
    const prefix = unescapePattern(head);
    return caseInsensitive ? (v) => v.toLowerCase().startsWith(prefix) : prefixMatcher(prefix);
  }
  const re = new RegExp('^' + globToRegex(pattern, () => '.*', () => '.') + '$', caseInsensitive ? 'is' : 's');
  return (v) => re.test(v);
}

/** Resource element patterns, ARN-aware (see the module comment). */
export function resourceMatcher(escaped: string): Matcher {
  const simple = simpleMatcher(escaped, false);
  if (simple) return simple;
  // A final `*` always expands to the end (it ends its segment), so "prefix*" is a prefix test.
  const head = escaped.slice(0, -1);
  if (escaped.endsWith('*') && !hasWildcard(head)) {
    return prefixMatcher(unescapePattern(head));
  }
  if (!escaped.startsWith('arn:')) {
    return new RegexMatcher('^' + globToRegex(escaped, () => '.*', () => '.') + '$').match;
  }
  let colons = 0;
  const source = globToRegex(
    escaped,
    (next) => (colons >= 5 || next === ':' || next === undefined ? '.*' : '[^:]*'),
    () => (colons >= 5 ? '.' : '[^:]'),
    () => colons++,
  );
  return new RegexMatcher('^' + source + '$').match;
}

/**
 * `value.startsWith(prefix)`, comparing UTF-16 code units from the end of the prefix backwards:
 * patterns of one policy share their head ("arn:aws:s3:::bucket/…", "s3:"), so a mismatch
 * usually shows in the last characters. Measured several times faster than String#startsWith on
 * the evaluator's hot path.
 */
export function prefixMatcher(prefix: string): Matcher {
  const n = prefix.length;
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) codes[i] = prefix.charCodeAt(i);
  return (v) => {
    if (v.length < n) return false;
    for (let i = n - 1; i >= 0; i--) if (v.charCodeAt(i) !== codes[i]) return false;
    return true;
  };
}

class RegexMatcher {
  private readonly re: RegExp;
  constructor(source: string) {
    this.re = new RegExp(source, 's');
  }
  match = (value: string): boolean => this.re.test(value);
}

/**
 * Translates an escaped glob into regex source. `star(next)` and `question()` give the regex for
 * a wildcard (next = the following literal character, for segment-aware rules); `onColon` is
 * told about literal colons so callers can track ARN segments.
 */
function globToRegex(
  escaped: string,
  star: (next: string | undefined) => string,
  question: () => string,
  onColon?: () => void,
): string {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    let c = escaped[i]!;
    if (c === '\\' && i + 1 < escaped.length) {
      c = escaped[++i]!;
      out += c.replace(REGEX_SPECIAL, '\\$&');
      if (c === ':') onColon?.();
      continue;
    }
    if (c === '*') {
      // Collapse runs of stars; they mean the same and would only slow the regex down.
      while (escaped[i + 1] === '*') i++;
      out += star(escaped[i + 1]);
    } else if (c === '?') out += question();
    else {
      out += c.replace(REGEX_SPECIAL, '\\$&');
      if (c === ':') onColon?.();
    }
  }
  return out;
}

/**
 * ArnEquals / ArnLike: each of the six colon-delimited components is matched separately, with
 * `*` and `?` inside a component ("IAM JSON policy elements: Condition operators").
 */
export function arnMatcher(escaped: string): Matcher {
  if (escaped === '*') return () => true;
  const parts = splitArnEscaped(escaped);
  if (!parts) return () => false;
  const matchers = parts.map((p) => globMatcher(p));
  return (value) => {
    const valueParts = splitArn(value);
    if (!valueParts) return false;
    for (let i = 0; i < 6; i++) if (!matchers[i]!(valueParts[i]!)) return false;
    return true;
  };
}

/** Splits an ARN at its first five colons; undefined when it has fewer. */
export function splitArn(value: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = value.indexOf(':', start);
    if (colon === -1) return undefined;
    parts.push(value.slice(start, colon));
    start = colon + 1;
  }
  parts.push(value.slice(start));
  return parts;
}

function splitArnEscaped(escaped: string): string[] | undefined {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i]!;
    if (c === '\\' && i + 1 < escaped.length) {
      current += c + escaped[++i];
    } else if (c === ':' && parts.length < 5) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.length === 6 ? parts : undefined;
}

/**
 * Caches matchers for patterns built at evaluation time (resources with variables). Bounded so a
 * stream of distinct user names cannot grow it without limit.
 */
export class MatcherCache {
  private readonly map = new Map<string, Matcher>();
  constructor(
    private readonly build: (escaped: string) => Matcher,
    private readonly limit = 2048,
  ) {}

  get(escaped: string): Matcher {
    let m = this.map.get(escaped);
    if (!m) {
      if (this.map.size >= this.limit) this.map.clear();
      m = this.build(escaped);
      this.map.set(escaped, m);
    }
    return m;
  }
}

export const resourceMatchers = new MatcherCache(resourceMatcher);
export const globMatchers = new MatcherCache((p) => globMatcher(p));
export const arnMatchers = new MatcherCache(arnMatcher);

/** A resource or StringLike/ArnLike element: a static matcher, or a template resolved per request. */
export interface TemplateMatcher {
  test(value: string, context: ContextView): boolean;
}

export function templateMatcher(template: Template, cache: MatcherCache): TemplateMatcher {
  if (template.fixed !== undefined) {
    // The matcher ignores the context argument, so it serves as the test itself.
    return { test: cache.get(template.fixed) };
  }
  // Requests from one principal resolve the same variables to the same values over and over:
  // remember the last values and their matcher so the common case skips building the pattern.
  const variables = template.pieces.filter((p): p is VariablePart => typeof p !== 'string');
  const lastValues: (string | undefined)[] = new Array(variables.length).fill(undefined);
  let lastMatcher: Matcher | undefined;
  return {
    test(value, context) {
      let same = lastMatcher !== undefined;
      for (let i = 0; i < variables.length; i++) {
        const v = variables[i]!;
        const resolved = context.scalar(v.lowerKey) ?? v.fallback;
        if (resolved === undefined) {
          lastMatcher = undefined; // lastValues may be half-updated now
          return false;
        }
        if (resolved !== lastValues[i]) {
          same = false;
          lastValues[i] = resolved;
        }
      }
      if (!same) lastMatcher = cache.get(resolveTemplate(template, context)!);
      return lastMatcher!(value);
    },
  };
}
