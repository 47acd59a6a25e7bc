/**
 * A minimal FIFO async mutex. better-sqlite3 runs every statement synchronously on one connection,
 * so an async transaction that awaits between statements would otherwise let other callers'
 * statements run inside it (and see or commit its uncommitted writes).
 */
export class AsyncMutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs `fn` once every earlier caller has finished; callers run one at a time, in call order. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or not.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
