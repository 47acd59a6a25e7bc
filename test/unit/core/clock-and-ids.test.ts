import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClock, parseDuration } from '../../../src/core/clock.ts';
import { newAccessKeyId, newAccountId, newIamUniqueId, newSecretAccessKey, newS3RequestId } from '../../../src/core/ids.ts';

test('durations', () => {
  assert.equal(parseDuration('30d'), 2_592_000_000);
  assert.equal(parseDuration('12h'), 43_200_000);
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.throws(() => parseDuration('30 days'), /not a duration: 30 days/);
  assert.throws(() => parseDuration('-1d'), /not a duration/);
});

test('the clock moves forward only and reports its offset', () => {
  const seen: number[] = [];
  const clock = createClock(1000, (o) => seen.push(o));
  const before = Date.now();
  assert.ok(clock.nowMs() >= before + 1000);
  clock.advance(86_400_000);
  assert.equal(clock.offsetMs(), 86_401_000);
  assert.deepEqual(seen, [86_401_000]);
  assert.throws(() => clock.advance(-1), /the clock only moves forward/);
});

test('identifiers have AWS formats', () => {
  for (let i = 0; i < 200; i++) {
    assert.match(newAccountId(), /^[1-9]\d{11}$/);
    assert.match(newAccessKeyId(), /^AKIA[A-Z2-7]{16}$/);
    assert.match(newAccessKeyId('ASIA'), /^ASIA[A-Z2-7]{16}$/);
    assert.match(newSecretAccessKey(), /^[A-Za-z0-9+/]{40}$/);
    assert.match(newIamUniqueId('AIDA'), /^AIDA[A-Z2-7]{17}$/);
    assert.match(newS3RequestId(), /^[0-9A-F]{16}$/);
  }
});
