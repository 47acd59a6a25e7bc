/**
 * The Describe* filter engine and pagination, as the EC2 API Reference describes them
 * ("Filter and describe your resources"): filters are ANDed, a filter's values are ORed, values
 * match case-sensitively with `*` (any run of characters) and `?` (one character) wildcards
 * (`\*`, `\?` and `\\` escape them), and every taggable resource also answers `tag:<key>`,
 * `tag-key` and `tag-value`. A filter name the resource does not support is refused with
 * InvalidParameterValue "The filter '<name>' is invalid".
 */
import type { Filter, Tag } from '../../generated/ec2/types.ts';
import { invalidFilter, invalidParameterValue } from './errors.ts';

/** What a filter compares against: one value, several (any may match), or nothing. */
export type FilterValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean | undefined | null>;

/** Filter name → how to read its value(s) from an item. */
export type FilterFields<T> = Record<string, (item: T) => FilterValue>;

/** Compiles a filter value with wildcards into an anchored regular expression. */
export function wildcardPattern(value: string): RegExp {
  let body = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length && '*?\\'.includes(value[i + 1]!)) {
      body += escapeRegExp(value[++i]!);
    } else if (c === '*') body += '.*';
    else if (c === '?') body += '.';
    else body += escapeRegExp(c);
  }
  return new RegExp(`^${body}$`, 's');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function valuesOf(v: FilterValue): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x) => x !== undefined && x !== null).map((x) => String(x));
}

function tagValues(tags: Tag[] | undefined, name: string): string[] | undefined {
  const list = tags ?? [];
  if (name === 'tag-key') return list.map((t) => t.Key ?? '');
  if (name === 'tag-value') return list.map((t) => t.Value ?? '');
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return list.filter((t) => t.Key === key).map((t) => t.Value ?? '');
  }
  return undefined;
}

/**
 * Items that pass every filter. `opts.tags` (default true) adds the tag filters, read from the
 * item's `Tags`.
 */
export function applyFilters<T>(items: readonly T[], filters: Filter[] | undefined, fields: FilterFields<T>, opts: { tags?: boolean } = {}): T[] {
  if (!filters || filters.length === 0) return [...items];
  const withTags = opts.tags !== false;
  const compiled = filters.map((filter) => {
    const name = filter.Name ?? '';
    const isTagFilter = withTags && (name === 'tag-key' || name === 'tag-value' || name.startsWith('tag:'));
    if (!isTagFilter && !Object.hasOwn(fields, name)) throw invalidFilter(name);
    const patterns = (filter.Values ?? []).map(wildcardPattern);
    const read = isTagFilter
      ? (item: T) => tagValues((item as { Tags?: Tag[] }).Tags, name) ?? []
      : (item: T) => valuesOf(fields[name]!(item));
    return { patterns, read };
  });
  return items.filter((item) => compiled.every(({ patterns, read }) => {
    const values = read(item);
    return patterns.some((p) => values.some((v) => p.test(v)));
  }));
}

/**
 * One page of results. NextToken is opaque to clients (the offset, base64-encoded); MaxResults
 * outside 5..1000 is refused as the Describe* reference pages say ("Valid range: 5-1000").
 */
export function paginate<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, limits = { min: 5, max: 1000 }): { page: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined && nextToken !== '') {
    const decoded = Buffer.from(nextToken, 'base64').toString('utf8');
    const m = /^offset:(\d+)$/.exec(decoded);
    if (!m) throw invalidParameterValue(`The token '${nextToken}' is invalid.`);
    start = Number(m[1]);
  }
  if (maxResults === undefined) return { page: items.slice(start) };
  if (maxResults < limits.min || maxResults > limits.max) {
    throw invalidParameterValue(`Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${limits.min} and ${limits.max}.`);
  }
  const end = start + maxResults;
  const page = items.slice(start, end);
  return end < items.length ? { page, nextToken: Buffer.from(`offset:${end}`, 'utf8').toString('base64') } : { page };
}
