import { Observable, type OperatorFunction } from 'rxjs';
import type { ComponentContext } from './component.ts';
import type { Frame } from './frame.ts';

/** A codec session that takes frames one at a time and emits them itself, in order. */
export interface FrameSession {
  /** Resolves when the session can take the next frame (its own backpressure). */
  push(frame: Frame): Promise<void>;
  /** Emits everything still held, at the end of the stream. */
  flush(): Promise<void>;
  close(): void;
}

/**
 * The operator around a codec session (decoder, encoder): upstream pushes,
 * frames wait in an inbox while the session is full, the stream ends only
 * after a flush, and teardown closes the session and returns waiting frames'
 * buffers. The runner's in-flight limit bounds the inbox, since waiting frames
 * are in flight.
 */
export function sessionOperator(
  ctx: ComponentContext,
  open: (emit: (frame: Frame) => void, fail: (err: unknown) => void) => FrameSession,
): OperatorFunction<Frame, Frame> {
  return (source) =>
    new Observable<Frame>((out) => {
      const session = open(
        (f) => out.next(f),
        (e) => out.error(e),
      );
      const inbox: Frame[] = [];
      let upstreamDone = false;
      let pumping = false;
      let stopped = false;
      const pump = async () => {
        if (pumping || stopped) return;
        pumping = true;
        try {
          for (let f = inbox.shift(); f && !stopped; f = inbox.shift()) await session.push(f);
          if (upstreamDone && !stopped) {
            stopped = true;
            await session.flush();
            session.close();
            out.complete();
          }
        } catch (e) {
          stopped = true;
          out.error(e);
        } finally {
          pumping = false;
        }
      };
      const sub = source.subscribe({
        next: (f) => {
          inbox.push(f);
          void pump();
        },
        error: (e: unknown) => {
          stopped = true;
          out.error(e);
        },
        complete: () => {
          upstreamDone = true;
          void pump();
        },
      });
      return () => {
        stopped = true;
        sub.unsubscribe();
        session.close();
        for (const f of inbox.splice(0)) if (f.data.byteLength > 0) ctx.pool.release(f.data);
      };
    });
}
