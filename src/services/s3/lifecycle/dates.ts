/**
 * Lifecycle and restore time arithmetic, as S3 documents it ("Lifecycle rules: based on an
 * object's age"): "Amazon S3 calculates the time by adding the number of days specified in the
 * rule to the object creation time and rounding the resulting time to the next day midnight UTC.
 * For example, if an object was created on 1/15/2014 at 10:30 AM UTC and you specify 3 days in a
 * transition rule, then the transition date of the object would be calculated as 1/19/2014
 * 00:00 UTC." A restored copy's expiry date is rounded the same way.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
export const HOUR_MS = 60 * 60 * 1000;
export const MINUTE_MS = 60 * 1000;

/** The first midnight UTC strictly after `ms`. */
export function nextMidnightUtc(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

/** When an action due `days` days after `fromIso` happens: the next midnight UTC after from + days. */
export function dueAfterDays(fromIso: string, days: number): number {
  return nextMidnightUtc(new Date(fromIso).getTime() + days * DAY_MS);
}

/** A rule's Date (stored as ISO-8601, validated to be a midnight UTC) in milliseconds. */
export function dateMs(iso: string): number {
  return new Date(iso).getTime();
}
