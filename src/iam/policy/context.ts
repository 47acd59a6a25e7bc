/**
 * The request context: condition keys and their values for one authorization request.
 * Condition key names are case-insensitive ("IAM JSON policy elements: Condition"), so lookups go
 * through a lower-cased view built lazily, once per evaluation, only if a policy asks for a key.
 */

export type ContextScalar = string | number | boolean | Date;
export type ContextValue = ContextScalar | string[] | undefined;
export type RequestContext = Record<string, ContextValue>;

export class ContextView {
  private lowered: Map<string, ContextValue> | undefined;

  constructor(private readonly context: RequestContext) {}

  /** The value of a key, given in lower case. */
  get(lowerKey: string): ContextValue {
    const direct = this.context[lowerKey];
    if (direct !== undefined) return direct;
    if (!this.lowered) {
      this.lowered = new Map();
      for (const key of Object.keys(this.context)) this.lowered.set(key.toLowerCase(), this.context[key]);
    }
    return this.lowered.get(lowerKey);
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
