/**
 * EC2's Filter semantics for the catalogs (EC2 API Reference, "List and filter your resources"):
 * values of one filter are ORed, filters are ANDed, values may use `*` (any run of characters)
 * and `?` (one character), and matching is case-sensitive. Booleans and numbers match their
 * string forms ("true", "2048").
 *
 * The EC2 provider has its own filter engine for stored resources; this small one keeps the
 * catalogs independent of it.
 */
import { AwsError } from '../../../core/errors.ts';
import type { Filter } from '../../../generated/ec2/types.ts';

/** A filter name → the values an item offers for it (any one matching is enough). */
export type FilterFields<T> = Record<string, (item: T) => readonly unknown[] | unknown>;

/** `ubuntu/*-22.04-*` → a whole-string regular expression. */
export function wildcardPattern(value: string): RegExp {
  let body = '';
  for (const ch of value) {
    if (ch === '*') body += '[\\s\\S]*';
    else if (ch === '?') body += '[\\s\\S]';
    else body += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${body}$`);
}

function asStrings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== undefined && v !== null).map((v) => String(v));
}

/** EC2's answer to a filter name the operation does not know. */
export function invalidFilter(name: string): AwsError {
  return new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`, { status: 400 });
}

/**
 * Compiles `filters` once against the operation's field table; throws InvalidParameterValue for
 * an unknown filter name. `tag:<key>` filters are handled by `tagsOf` when given.
 */
export function compileFilters<T>(
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf?: (item: T) => readonly { Key?: string; Value?: string }[] | undefined,
): (item: T) => boolean {
  const checks: ((item: T) => boolean)[] = [];
  for (const filter of filters ?? []) {
    const name = filter.Name ?? '';
    const patterns = (filter.Values ?? []).map(wildcardPattern);
    const read = fieldReader(name, fields, tagsOf);
    checks.push((item) => {
      const offered = read(item);
      return offered.some((value) => patterns.some((p) => p.test(value)));
    });
  }
  return (item) => checks.every((check) => check(item));
}

function fieldReader<T>(
  name: string,
  fields: FilterFields<T>,
  tagsOf?: (item: T) => readonly { Key?: string; Value?: string }[] | undefined,
): (item: T) => string[] {
  const field = fields[name];
  if (field) return (item) => asStrings(field(item));
  if (tagsOf && name.startsWith('tag:')) {
    const key = name.slice(4);
    return (item) => (tagsOf(item) ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? '');
  }
  if (tagsOf && name === 'tag-key') return (item) => (tagsOf(item) ?? []).map((t) => t.Key ?? '');
  if (tagsOf && name === 'tag-value') return (item) => (tagsOf(item) ?? []).map((t) => t.Value ?? '');
  throw invalidFilter(name);
}
