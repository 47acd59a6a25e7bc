// What every load-client process does last: print its one JSON result line, then exit. The exit
// waits for the write: stdout to a pipe is asynchronous, and a line longer than the pipe's buffer
// (a run's latencies) would otherwise be cut short.
export function printResultAndExit(result) {
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}
