/**
 * AWS model patterns are Java regular expressions, matched against the whole value (Java's
 * `matches()`). This turns one into a JavaScript RegExp, translating the Java-only syntax the
 * models use, and gives up (returns undefined) rather than throwing when it cannot: a pattern we
 * cannot compile is not checked, which is safer than rejecting valid input.
 */

/** Java's POSIX classes (US-ASCII only, as Java defines them without UNICODE_CHARACTER_CLASS). */
const POSIX_CLASSES: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

/** Characters that may follow a backslash in a JavaScript unicode-mode regex outside a class. */
const ESCAPABLE_OUTSIDE_CLASS = new Set('^$\\.*+?()[]{}|/');
/** ... and inside a character class, where `-` may be escaped too. */
const ESCAPABLE_INSIDE_CLASS = new Set('^$\\.*+?()[]{}|/-');

interface Translation {
  source: string;
  flags: string;
}

/**
 * Rewrites Java-only constructs: POSIX \p{Alpha} classes, \A \Z \z anchors, \Q...\E quoting,
 * possessive quantifiers (*+ ++ ?+ }+), atomic groups (?>...), a leading (?i), and identity escapes
 * JavaScript's unicode mode rejects (\- outside a class, \_ , \@ ...). Returns undefined for
 * constructs with no JavaScript equivalent (class intersection &&, nested class unions).
 */
export function translateJavaPattern(pattern: string): Translation | undefined {
  let flags = '';
  let src = pattern;
  const inline = /^\(\?([a-z]+)\)/.exec(src);
  if (inline) {
    if (!/^[i]+$/.test(inline[1]!)) return undefined;
    flags += 'i';
    src = src.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const next = src[i + 1];
      if (next === undefined) return undefined;
      if ((next === 'p' || next === 'P') && src[i + 2] === '{') {
        const end = src.indexOf('}', i + 3);
        if (end < 0) return undefined;
        const name = src.slice(i + 3, end);
        const posix = POSIX_CLASSES[name] ?? POSIX_CLASSES[name.replace(/^Is/, '')];
        if (posix !== undefined) {
          const negated = next === 'P';
          if (inClass) {
            if (negated) return undefined;
            out += posix;
          } else {
            out += `[${negated ? '^' : ''}${posix}]`;
          }
        } else {
          // Unicode categories and scripts (\p{L}, \p{IsLatin}) exist in JS as \p{L}, \p{Script=Latin}.
          const isScript = /^Is[A-Z][a-z]+$/.test(name) && name.length > 3;
          out += `\\${next}{${isScript ? `Script=${name.slice(2)}` : name.replace(/^Is/, '')}}`;
        }
        i = end;
        continue;
      }
      if (next === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const literal = src.slice(i + 2, end < 0 ? undefined : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (!inClass && next === 'A') { out += '^'; i++; continue; }
      if (!inClass && (next === 'Z' || next === 'z')) { out += '$'; i++; continue; }
      if (/[A-Za-z0-9]/.test(next)) {
        out += c + next;
      } else {
        const escapable = inClass ? ESCAPABLE_INSIDE_CLASS : ESCAPABLE_OUTSIDE_CLASS;
        out += escapable.has(next) ? c + next : next;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === '&' && src[i + 1] === '&') return undefined;
      if (c === '[') return undefined; // Java's nested class union has no JavaScript equivalent here.
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in Java.
      if (src[i + 1] === '^') { out += '^'; i++; }
      if (src[i + 1] === ']') { out += '\\]'; i++; }
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && src[i + 1] === '+') {
      out += c; // possessive quantifier: same matches for a full-string test, minus the backtracking control
      i++;
      continue;
    }
    if (c === '(' && src.startsWith('(?>', i)) { out += '(?:'; i += 2; continue; }
    out += c;
  }
  if (inClass) return undefined;
  return { source: out, flags };
}

const cache = new Map<string, RegExp | null>();

/**
 * The compiled full-match RegExp for a model pattern, or undefined when it cannot be compiled
 * faithfully. Compiled once per distinct pattern.
 */
export function compileModelPattern(pattern: string): RegExp | undefined {
  let compiled = cache.get(pattern);
  if (compiled === undefined) {
    compiled = compileUncached(pattern);
    cache.set(pattern, compiled);
  }
  return compiled ?? undefined;
}

function compileUncached(pattern: string): RegExp | null {
  const translated = translateJavaPattern(pattern);
  if (!translated) return null;
  const body = `^(?:${translated.source})$`;
  try {
    // Unicode mode is needed for \p{...} and makes \uXXXX pairs behave like Java's code points.
    return new RegExp(body, translated.flags + 'u');
  } catch {
    // Some legal Java patterns only compile in JavaScript's legacy mode (e.g. a lone '{').
    if (/\\[pP]\{/.test(translated.source)) return null;
    try {
      return new RegExp(body, translated.flags);
    } catch {
      return null;
    }
  }
}
