/**
 * Where a pipeline's CPU time went, per component. Three kinds of work add up
 * to a component's figure:
 * - its share of the main thread: the runner switches the account charged as
 *   a frame enters a stage or a sink (nested calls charge the inner one), and
 *   a component charges its own callbacks with `account.run` / `bind`;
 * - threads it owns (an inference worker and onnxruntime's pool, a decoder's
 *   threads), whose readings it reports with `addThreads`;
 * - child processes it runs (ffmpeg), polled while they run and settled from
 *   the kernel's exact total of reaped children when they end.
 * What no component claims is shown as such, never spread over them: main
 * thread time outside any component (event loop, stream plumbing, GC between
 * frames), and other threads (V8's helpers, I/O).
 */
import {
  processCpuMs,
  processThreadIds,
  reapedChildrenCpuMs,
  threadCpuClock,
  threadCpuMs,
} from './thread-cpu.ts';

/** One component's side of the ledger, handed to it as `ComponentContext.cpu`. */
export interface CpuAccount {
  /** Runs `fn` with the main thread's CPU charged to this component. */
  run<T>(fn: () => T): T;
  /** `fn`, charging each call to this component (for callbacks and promise continuations). */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** Charges child process `pid` (an ffmpeg this component runs) to this component. */
  addProcess(pid: number, exited: Promise<unknown>): void;
  /** Charges CPU measured elsewhere (a worker's threads): `read` returns ms so far. */
  addThreads(read: () => number | undefined): void;
  /**
   * Runs `fn` and charges every thread of this process it started to this
   * component. Threads are read while they run (each second, and at every
   * snapshot): call `readThreads` just before stopping them, so their last
   * second is not lost.
   */
  claimNewThreads<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Reads this component's threads now (before they are stopped). */
  readThreads(): void;
}

/** The whole run's CPU, as the summary's last line and `--json-stats` show it. */
export interface CpuSummary {
  /** Wall time since the ledger started. */
  readonly wallMs: number;
  /** This process (all its threads) plus its child processes. */
  readonly totalMs: number;
  /** Child processes alone (ffmpeg), ended or running. */
  readonly childrenMs: number;
  /** Main-thread time outside every component. */
  readonly mainOutsideMs: number;
  /** Threads of this process no component claimed. */
  readonly otherThreadsMs: number;
}

interface Child {
  readonly pid: number;
  /** Last reading while it ran, then its settled total. */
  ms: number;
  ended: boolean;
}

class Account implements CpuAccount {
  mainMs = 0;
  readonly threads: (() => number | undefined)[] = [];
  /** Last value of each thread reader (a worker that stopped keeps its final figure). */
  readonly threadMs: number[] = [];
  readonly children: Child[] = [];

  constructor(
    readonly name: string,
    private readonly ledger: CpuLedger,
  ) {}

  run<T>(fn: () => T): T {
    const previous = this.ledger.switchTo(this);
    try {
      return fn();
    } finally {
      this.ledger.switchTo(previous);
    }
  }

  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args) => this.run(() => fn(...args));
  }

  addProcess(pid: number, exited: Promise<unknown>): void {
    const child: Child = { pid, ms: processCpuMs(pid) ?? 0, ended: false };
    this.children.push(child);
    this.ledger.watch(child, exited);
  }

  addThreads(read: () => number | undefined): void {
    this.threads.push(read);
    this.threadMs.push(0);
  }

  async claimNewThreads<T>(fn: () => T | Promise<T>): Promise<T> {
    const before = processThreadIds();
    const result = await fn();
    const after = processThreadIds();
    if (before && after) {
      const started = [...after].filter((tid) => !before.has(tid));
      if (started.length > 0) this.addThreads(() => sumThreads(started));
    }
    return result;
  }

  readThreads(): void {
    this.threadTotal();
  }

  /** Threads' ms, reading each reader that still answers. */
  threadTotal(): number {
    let total = 0;
    for (let i = 0; i < this.threads.length; i++) {
      const ms = this.threads[i]!();
      if (ms !== undefined) this.threadMs[i] = Math.max(this.threadMs[i]!, ms);
      total += this.threadMs[i]!;
    }
    return total;
  }

  /** Polls the children still running; returns those already reaped (gone from /proc). */
  pollChildren(): Child[] {
    const gone: Child[] = [];
    for (const child of this.children) {
      if (child.ended) continue;
      const ms = processCpuMs(child.pid);
      if (ms === undefined) gone.push(child);
      else child.ms = Math.max(child.ms, ms);
    }
    return gone;
  }

  childTotal(): number {
    return this.children.reduce((a, c) => a + c.ms, 0);
  }
}

/** Threads' CPU: those that ended count what they last showed (handled by the caller's max). */
function sumThreads(tids: readonly number[]): number | undefined {
  let total = 0;
  let any = false;
  for (const tid of tids) {
    const ms = threadCpuMs(tid);
    if (ms !== undefined) {
      total += ms;
      any = true;
    }
  }
  return any ? total : undefined;
}

/** Clocks the ledger reads; injectable so attribution can be tested against hand figures. */
export interface CpuClocks {
  /** The main thread's CPU ms (undefined: no per-thread clock, so no figures at all). */
  readonly mainThread: (() => number) | undefined;
  /** This process's CPU ms, all threads. */
  readonly process: () => number;
  /** CPU ms of this process's reaped children. */
  readonly reapedChildren: () => number | undefined;
  /** Wall ms. */
  readonly wall: () => number;
}

export function systemCpuClocks(): CpuClocks {
  return {
    mainThread: threadCpuClock(),
    process: () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
    reapedChildren: reapedChildrenCpuMs,
    wall: () => performance.now(),
  };
}

/** Children whose end is seen in one turn of the event loop, settled together. */
interface Batch {
  readonly children: Child[];
  settled: boolean;
}

export class CpuLedger {
  readonly #clocks: CpuClocks;
  readonly #accounts = new Map<string, Account>();
  readonly #start: { wall: number; process: number; main: number; reaped: number };
  #current: Account | undefined;
  #mark: number;
  #outsideMs = 0;
  /** Reaped-children CPU already handed to ended children (or present at the start). */
  #reapedSeen: number;
  #batch: Batch | undefined;
  #poll: NodeJS.Timeout | undefined;

  constructor(clocks: CpuClocks = systemCpuClocks()) {
    this.#clocks = clocks;
    const main = clocks.mainThread?.() ?? 0;
    this.#reapedSeen = clocks.reapedChildren() ?? 0;
    this.#start = {
      wall: clocks.wall(),
      process: clocks.process(),
      main,
      reaped: this.#reapedSeen,
    };
    this.#mark = main;
  }

  /** False where threads have no CPU clock: the ledger then charges nothing and reports nothing. */
  get available(): boolean {
    return this.#clocks.mainThread !== undefined;
  }

  /**
   * Reads every component's threads and children each second, so that one
   * that ends without notice (a decoder closed, a thread pool torn down) keeps
   * its figure to within a second. Unreferenced: it never keeps a run alive.
   */
  #startPolling(): void {
    if (this.#poll || !this.available) return;
    this.#poll = setInterval(() => {
      for (const a of this.#accounts.values()) a.threadTotal();
      this.#pollChildren();
    }, 1000);
    this.#poll.unref();
  }

  /** Stops the periodic reading (the run is over); the figures stay readable. */
  stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** The account of component `name` (its meter name), created on first use. */
  account(name: string): CpuAccount {
    let account = this.#accounts.get(name);
    if (!account) {
      account = new Account(name, this);
      this.#accounts.set(name, account);
      this.#startPolling();
    }
    return account;
  }

  /** Charges the main thread's time since the last switch, and makes `to` the account charged next. */
  switchTo(to: CpuAccount | undefined): CpuAccount | undefined {
    const previous = this.#current;
    if (to === previous) return previous;
    const clock = this.#clocks.mainThread;
    if (clock) {
      const now = clock();
      const spent = now - this.#mark;
      if (previous) previous.mainMs += spent;
      else this.#outsideMs += spent;
      this.#mark = now;
    }
    this.#current = to as Account | undefined;
    return previous;
  }

  /** Each component's CPU ms so far, by name; empty where there is no clock. */
  byComponent(): Map<string, number> {
    const out = new Map<string, number>();
    if (!this.available) return out;
    this.#chargeCurrent();
    this.#pollChildren();
    for (const [name, a] of this.#accounts) {
      out.set(name, a.mainMs + a.threadTotal() + a.childTotal());
    }
    return out;
  }

  /** The run's totals, or undefined where there is no clock. */
  summary(): CpuSummary | undefined {
    const clock = this.#clocks.mainThread;
    if (!clock) return undefined;
    this.#chargeCurrent();
    this.#pollChildren();
    let threads = 0;
    let children = 0;
    for (const a of this.#accounts.values()) {
      threads += a.threadTotal();
      children += a.childTotal();
    }
    // Children that ended unclaimed (a probe) are in the reaped total but no account.
    const reaped = (this.#clocks.reapedChildren() ?? this.#reapedSeen) - this.#start.reaped;
    const endedClaimed = this.#endedChildrenMs();
    const childrenMs = children + Math.max(0, reaped - endedClaimed);
    const processMs = this.#clocks.process() - this.#start.process;
    const mainMs = clock() - this.#start.main;
    return {
      wallMs: Math.round(this.#clocks.wall() - this.#start.wall),
      totalMs: Math.round(processMs + childrenMs),
      childrenMs: Math.round(childrenMs),
      mainOutsideMs: Math.round(this.#outsideMs),
      otherThreadsMs: Math.round(Math.max(0, processMs - mainMs - threads)),
    };
  }

  /** Registers a child to poll while it runs, and to settle when it ends. */
  watch(child: Child, exited: Promise<unknown>): void {
    void exited.then(() => this.#ended(child));
  }

  /**
   * Reads every running child, and settles at once those the kernel has
   * already reaped (their exit may not have been reported yet), together with
   * any seen ending in this turn: so a reading never misses a child's end.
   */
  #pollChildren(): void {
    const gone = [...this.#accounts.values()].flatMap((a) => a.pollChildren());
    const batch = this.#batch ?? { children: [], settled: false };
    for (const child of gone) if (!batch.children.includes(child)) batch.children.push(child);
    if (batch.children.length > 0) this.#settle(batch);
  }

  #endedChildrenMs(): number {
    let ms = 0;
    for (const a of this.#accounts.values()) {
      for (const c of a.children) if (c.ended) ms += c.ms;
    }
    return ms;
  }

  /**
   * The kernel adds a child's whole CPU to ours once it is reaped, but children
   * that end together are reaped together: those seen ending in one turn of the
   * event loop share the growth of the reaped total, each its last reading
   * plus a share of the rest in proportion to that reading.
   */
  #ended(child: Child): void {
    if (child.ended || this.#batch?.children.includes(child)) return;
    if (!this.#batch) {
      const batch: Batch = { children: [], settled: false };
      this.#batch = batch;
      setImmediate(() => this.#settle(batch));
    }
    this.#batch.children.push(child);
  }

  #settle(batch: Batch): void {
    if (batch.settled) return;
    batch.settled = true;
    if (this.#batch === batch) this.#batch = undefined;
    const reaped = this.#clocks.reapedChildren();
    const grown = reaped === undefined ? 0 : reaped - this.#reapedSeen;
    if (reaped !== undefined) this.#reapedSeen = reaped;
    const polled = batch.children.reduce((a, c) => a + c.ms, 0);
    const rest = Math.max(0, grown - polled);
    for (const c of batch.children) {
      const share = polled > 0 ? c.ms / polled : 1 / batch.children.length;
      c.ms += rest * share;
      c.ended = true;
    }
  }

  /** Charges the main thread's time so far to the account charged now, without switching. */
  #chargeCurrent(): void {
    const clock = this.#clocks.mainThread;
    if (!clock) return;
    const now = clock();
    const spent = now - this.#mark;
    if (this.#current) this.#current.mainMs += spent;
    else this.#outsideMs += spent;
    this.#mark = now;
  }
}
