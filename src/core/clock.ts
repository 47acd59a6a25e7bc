/**
 * Bonsai's controllable clock. Expiries, lifecycle rules, TTL, billing and alarms read time from
 * here so tests can move time instead of sleeping. The offset from the wall clock is persisted by
 * its owner (see src/core/data-dir.ts) so a restart keeps the account's notion of "now".
 *
 * SigV4 skew and presigned-URL expiry deliberately use the wall clock instead: clients sign with
 * their own real clock, and moving Bonsai's clock must not make every signature look skewed.
 */
export interface Clock {
  now(): Date;
  nowMs(): number;
  /** Milliseconds Bonsai's clock runs ahead of the wall clock. */
  offsetMs(): number;
  advance(ms: number): void;
  setOffset(ms: number): void;
}

export function createClock(initialOffsetMs = 0, onChange?: (offsetMs: number) => void): Clock {
  let offset = initialOffsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    nowMs: () => Date.now() + offset,
    offsetMs: () => offset,
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
      offset += ms;
      onChange?.(offset);
    },
    setOffset(ms) {
      offset = ms;
      onChange?.(offset);
    },
  };
}

/** Parses durations such as "30d", "12h", "15m", "90s", "500ms" into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new RangeError(`not a duration: ${text} (expected e.g. 30d, 12h, 15m, 90s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'ms'];
  return Math.round(Number(m[1]) * unit);
}
