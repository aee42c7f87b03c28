/**
 * CPU time per thread and per child process, read from Linux's /proc. Node 20
 * has no per-thread CPU clock (`process.cpuUsage()` is the whole process), yet
 * a pipeline's components share one main thread, onnxruntime's threads and
 * ffmpeg children, and only per-thread figures can tell them apart.
 *
 * `schedstat`'s first field is the nanoseconds the thread has run; `stat`'s
 * utime and stime (clock ticks) are summed over all of a process's threads.
 * Every reader returns undefined where /proc is missing (macOS, Windows) or
 * the thread or process is gone, and callers then show no CPU figure.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** USER_HZ: Linux reports utime/stime in these ticks; 100 on every mainstream build. */
const TICKS_PER_SECOND = 100;

const scratch = Buffer.alloc(256);

/** The first number of a schedstat line (nanoseconds on CPU), in ms. */
function parseSchedstat(text: string): number | undefined {
  const ns = Number.parseInt(text, 10);
  return Number.isFinite(ns) ? ns / 1e6 : undefined;
}

/**
 * A clock of the calling thread's own CPU time in ms, or undefined without
 * /proc. It keeps its file open, so a reading costs one pread (a few µs): cheap
 * enough to read at every component switch. Each thread needs its own clock.
 */
export function threadCpuClock(): (() => number) | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const read = (): number | undefined => {
    try {
      const n = readSync(fd, scratch, 0, scratch.length, 0);
      return parseSchedstat(scratch.toString('latin1', 0, n));
    } catch {
      // Read at every component switch: a failure must never reach a stage.
      return undefined;
    }
  };
  const first = read();
  if (first === undefined) {
    closeSync(fd);
    return undefined;
  }
  let last = first;
  return () => {
    // A failed read (never seen) repeats the last value rather than going backwards.
    last = read() ?? last;
    return last;
  };
}

/** The calling thread's id (its /proc/self/task entry), or undefined without /proc. */
export function currentThreadId(): number | undefined {
  try {
    // The first field of a thread's stat is its id.
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    return Number(stat.slice(0, stat.indexOf(' ')));
  } catch {
    return undefined;
  }
}

/** CPU ms that thread `tid` of this process has run, or undefined once it is gone. */
export function threadCpuMs(tid: number): number | undefined {
  try {
    return parseSchedstat(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1'));
  } catch {
    return undefined;
  }
}

/** The ids of this process's threads now, or undefined without /proc. */
export function processThreadIds(): Set<number> | undefined {
  try {
    return new Set(readdirSync('/proc/self/task').map(Number));
  } catch {
    return undefined;
  }
}

/**
 * CPU ms of this process's children that have ended and been reaped (the
 * kernel adds each one's whole lifetime when it is waited for), or undefined.
 */
export function reapedChildrenCpuMs(): number | undefined {
  const fields = statFields('self');
  if (!fields) return undefined;
  // Fields 16 and 17 of stat: cutime, cstime.
  return ticksToMs(Number(fields[13]) + Number(fields[14]));
}

/**
 * User plus system CPU ms of process `pid`, all its threads, or undefined when
 * it is gone (or was never there). Resolution: one clock tick (10 ms).
 */
export function processCpuMs(pid: number): number | undefined {
  const fields = statFields(String(pid));
  if (!fields) return undefined;
  // Fields 14 and 15 of stat: utime, stime.
  return ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/** The fields of /proc/<pid>/stat from the third (state) on: field k is at index k − 3. */
function statFields(pid: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function ticksToMs(ticks: number): number | undefined {
  return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
}
