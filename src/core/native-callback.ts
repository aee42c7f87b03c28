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
