/**
 * For test files that run node-webcodecs codecs: once uvu has printed its
 * summary and the event loop is empty (every codec closed, nothing pending), the
 * process exits with uvu's exit code at once, without tearing down the V8 heap.
 *
 * Why: something in node-webcodecs 1.3.0 (native code) corrupts the malloc heap
 * now and then, and glibc notices only when the heap is torn down at exit: a
 * file whose tests had all passed died by SIGSEGV in 1 of 16 runs, and under gdb
 * by SIGABRT, "corrupted double-linked list", in
 * `v8::internal::ArrayBufferSweeper::ReleaseAll` from `Isolate::Deinit`. This is not a retry and hides no test: the runner still counts a
 * crash at any point as a failure, and a file whose loop empties before uvu is
 * done is left alone, so uvu reports "Exiting early" with exit code 1.
 */
export function exitAfterReport(): void {
  process.once('beforeExit', () => {
    // uvu sets exitCode (0 or 1) when it finishes; unset means it has not.
    if (process.exitCode !== undefined) process.exit();
  });
}
