/**
 * The request context: condition keys and their values for one authorization request.
 * Condition key names are case-insensitive ("IAM JSON policy elements: Condition"), so a lookup
 * that misses the lower-case spelling scans the request's keys' lower-case forms, computed lazily
 * once per evaluation (and memoised across evaluations) only if a policy asks for such a key.
 */

export type ContextScalar = string | number | boolean | Date;
export type ContextValue = ContextScalar | string[] | undefined;
export type RequestContext = Record<string, ContextValue>;

/**
 * Lower-cased condition key names, memoised: requests reuse the same few dozen key names, so
 * lower-casing each once saves a string allocation per key per evaluation. Bounded so that
 * request-supplied names (tag keys) cannot grow it without limit.
 */
const loweredNames = new Map<string, string>();
const LOWERED_NAMES_LIMIT = 4096;

export function lowerName(name: string): string {
  let lower = loweredNames.get(name);
  if (lower === undefined) {
    if (loweredNames.size >= LOWERED_NAMES_LIMIT) loweredNames.clear();
    lower = name.toLowerCase();
    loweredNames.set(name, lower);
  }
  return lower;
}

export class ContextView {
  /** The request's keys and their lower-case forms, read once and only if a lookup misses. */
  private keys: string[] | undefined;
  private lowered: string[] | undefined;

  constructor(private readonly context: RequestContext) {}

  /**
   * The value of a key, given in lower case. A key spelled differently in the request resolves to
   * the last request key (in insertion order) with that lower-case form, as a lower-cased map of
   * the context would.
   */
  get(lowerKey: string): ContextValue {
    const direct = this.context[lowerKey];
    if (direct !== undefined) return direct;
    let lowered = this.lowered;
    if (lowered === undefined) {
      this.keys = Object.keys(this.context);
      lowered = this.lowered = this.keys.map(lowerName);
    }
    for (let i = lowered.length - 1; i >= 0; i--) if (lowered[i] === lowerKey) return this.context[this.keys![i]!];
    return undefined;
  }

  /** A single value suitable for a policy variable, or undefined (missing or multivalued). */
  scalar(lowerKey: string): string | undefined {
    const value = this.get(lowerKey);
    if (value === undefined || Array.isArray(value)) return undefined;
    return scalarToString(value);
  }
}

/** How string operators and policy variables see non-string values. */
export function scalarToString(value: ContextScalar): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return String(value);
}
