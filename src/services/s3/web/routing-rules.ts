/**
 * A website configuration's redirects (S3 User Guide, "Configuring redirects": routing rules
 * and RedirectAllRequestsTo). Pure functions over the configuration, so they are tested alone.
 *
 * A rule whose Condition has no HttpErrorCodeReturnedEquals applies before the object is looked
 * up; one with it applies only once that error is the answer. KeyPrefixEquals compares with the
 * key as requested (before the index document is appended). The redirect keeps the request's
 * protocol and host unless it names others, and replaces the whole key (ReplaceKeyWith) or the
 * matched prefix (ReplaceKeyPrefixWith); its status is HttpRedirectCode, else 301.
 */
import type { RoutingRule, WebsiteConfiguration } from '../../../generated/s3/types.ts';

export interface WebsiteRedirect {
  status: number;
  location: string;
}

export interface RequestAddress {
  /** 'http' (Bonsai serves plain HTTP) unless the request came over TLS. */
  protocol: string;
  /** The Host header as sent. */
  host: string;
}

function conditionHolds(rule: RoutingRule, key: string, errorStatus: number | undefined): boolean {
  const condition = rule.Condition ?? {};
  if (condition.KeyPrefixEquals !== undefined && !key.startsWith(condition.KeyPrefixEquals)) return false;
  if (condition.HttpErrorCodeReturnedEquals === undefined) return errorStatus === undefined;
  return errorStatus !== undefined && condition.HttpErrorCodeReturnedEquals === String(errorStatus);
}

/** The first routing rule that applies to `key` (before lookup when errorStatus is undefined). */
export function matchRoutingRule(config: WebsiteConfiguration, key: string, errorStatus?: number): RoutingRule | undefined {
  return (config.RoutingRules ?? []).find((rule) => conditionHolds(rule, key, errorStatus));
}

/** Percent-encodes a key for a Location header, keeping its slashes. */
function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function redirectFor(rule: RoutingRule, key: string, address: RequestAddress): WebsiteRedirect {
  const redirect = rule.Redirect;
  let target = key;
  if (redirect.ReplaceKeyWith !== undefined) target = redirect.ReplaceKeyWith;
  else if (redirect.ReplaceKeyPrefixWith !== undefined) {
    const prefix = rule.Condition?.KeyPrefixEquals ?? '';
    target = redirect.ReplaceKeyPrefixWith + key.slice(prefix.length);
  }
  const protocol = redirect.Protocol ?? address.protocol;
  const host = redirect.HostName ?? address.host;
  const status = redirect.HttpRedirectCode !== undefined ? Number(redirect.HttpRedirectCode) : 301;
  return { status, location: `${protocol}://${host}/${encodeKeyPath(target)}` };
}

/** RedirectAllRequestsTo: the same path (and query) on the named host. */
export function redirectAllFor(config: WebsiteConfiguration, rawTarget: string, address: RequestAddress): WebsiteRedirect | undefined {
  const to = config.RedirectAllRequestsTo;
  if (!to) return undefined;
  return { status: 301, location: `${to.Protocol ?? address.protocol}://${to.HostName}${rawTarget}` };
}
