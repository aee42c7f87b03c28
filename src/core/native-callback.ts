/**
 * Wraps a callback that native code (node-webcodecs) calls. A JavaScript
 * exception escaping into the addon becomes a C++ exception nobody catches and
 * aborts the whole process ("terminate called after throwing an instance of
 * 'Napi::Error'"); here it is handed to `onError` instead, as a normal error.
 */
export function fromNative<A extends unknown[]>(
  callback: (...args: A) => void,
  onError: (err: unknown) => void,
): (...args: A) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (err) {
      try {
        onError(err);
      } catch {
        // Nothing may escape to native code, not even from the error path.
      }
    }
  };
}

/** Longest delay a Node timer takes (about 24.8 days); it never fires in practice. */
const FOREVER_MS = 2 ** 31 - 1;

/**
 * Keeps the process alive while native code owes callbacks. node-webcodecs 1.3
 * holds the event loop only while a job runs on its worker, and it reports "job
 * done" and the job's output through two separate native queues: when "job
 * done" is handled first, the output still queued no longer keeps Node alive. A
 * process with nothing else to do (an encoder fed from memory) then exits with
 * that output undelivered, and the addon aborts in its teardown ("terminate
 * called after throwing an instance of 'Napi::Error'"). A ref'd timer runs
 * while anything is owed.
 */
export class OwedCallbacks {
  #owed = 0;
  #timer: NodeJS.Timeout | undefined;

  /** One more callback is owed (a picture handed to the encoder). */
  add(): void {
    if (this.#owed++ === 0) this.#timer = setInterval(() => {}, FOREVER_MS);
  }

  /** One owed callback arrived. */
  settle(): void {
    if (this.#owed > 0 && --this.#owed === 0) this.clear();
  }

  /** Nothing more will come (the codec closed): lets the process exit. */
  clear(): void {
    this.#owed = 0;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
