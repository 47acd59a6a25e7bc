/** Dates as S3 writes and compares them: whole seconds (Last-Modified has no finer grain). */

/** Now on Bonsai's clock, truncated to the second, as ISO-8601 with milliseconds (".000Z"). */
export function lastModifiedNow(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
}

/** An ISO timestamp as an HTTP date (RFC 7231 IMF-fixdate). */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Milliseconds of an ISO timestamp, truncated to the second. */
export function epochSeconds(iso: string): number {
  return Math.floor(new Date(iso).getTime() / 1000);
}
