import { colorOf, css } from './colors.ts';
import type { DetectionsMessage, HealthMessage, StatsMessage } from './protocol.ts';
import { Series, sparkline } from './sparkline.ts';

/** Builds an element with text, the only way the panels write to the page (never innerHTML). */
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string | number,
  className?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');

/** Per-stage FPS and latency with their history, and drop counters. */
export class StagesPanel {
  private readonly fps = new Map<string, Series>();
  private readonly p95 = new Map<string, Series>();

  constructor(
    private readonly body: HTMLElement,
    private readonly clientDropped: HTMLElement,
  ) {}

  update(stats: StatsMessage): void {
    const rows = stats.components.map((c) => {
      const fps = this.series(this.fps, c.name);
      const p95 = this.series(this.p95, c.name);
      fps.push(c.fps);
      p95.push(c.p95Ms);
      const tr = el('tr');
      tr.dataset.component = c.name;
      const name = el('td', c.name, 'name');
      const fpsCell = el('td', undefined, 'num');
      fpsCell.append(sparkline(fps), el('span', fmt(c.fps)));
      const latency = el('td', undefined, 'num');
      latency.append(sparkline(p95), el('span', `${fmt(c.p50Ms)} / ${fmt(c.p95Ms)}`));
      const dropped = el('td', c.dropped, c.dropped > 0 ? 'num warn' : 'num');
      tr.append(name, fpsCell, latency, dropped);
      return tr;
    });
    this.body.replaceChildren(...rows);
    this.clientDropped.textContent = String(stats.dropped ?? 0);
  }

  private series(map: Map<string, Series>, name: string): Series {
    let s = map.get(name);
    if (!s) {
      s = new Series();
      map.set(name, s);
    }
    return s;
  }
}

/** The latest health state of each live source. */
export class HealthPanel {
  private readonly states = new Map<string, { state: string; detail: string }>();

  constructor(private readonly list: HTMLElement) {}

  update(msg: HealthMessage): void {
    const state = msg.state;
    const retry = msg.attempt !== undefined ? `attempt ${msg.attempt}` : '';
    const detail = [retry, msg.detail ?? ''].filter(Boolean).join(': ');
    this.states.set(msg.component, { state, detail });
    this.render();
  }

  clear(): void {
    this.states.clear();
    this.render();
  }

  private render(): void {
    if (this.states.size === 0) {
      this.list.replaceChildren(el('li', 'no live source reported', 'muted'));
      return;
    }
    this.list.replaceChildren(
      ...[...this.states].map(([component, { state, detail }]) => {
        const li = el('li');
        li.append(el('span', state, `state ${state}`), el('span', component, 'name'));
        if (detail) li.append(el('span', detail, 'muted'));
        return li;
      }),
    );
  }
}

/** Line crossings and zone occupancy, as the latest detections message reports them. */
export function renderCounts(body: HTMLElement, record: DetectionsMessage): void {
  const rows: HTMLElement[] = [];
  for (const [name, c] of Object.entries(record.counts?.lines ?? {})) {
    const tr = el('tr');
    tr.append(
      el('td', name, 'name'),
      el('td', `in ${c.in}`, 'num'),
      el('td', `out ${c.out}`, 'num'),
    );
    rows.push(tr);
  }
  for (const [name, c] of Object.entries(record.counts?.zones ?? {})) {
    const tr = el('tr');
    tr.append(
      el('td', name, 'name'),
      el('td', `${c.occupancy} inside`, 'num'),
      el('td', `${c.entered} in · ${c.exited} out`, 'num'),
    );
    rows.push(tr);
  }
  if (rows.length === 0) {
    const tr = el('tr');
    tr.append(el('td', 'no count stage', 'muted'));
    rows.push(tr);
  }
  body.replaceChildren(...rows);
}

/** The tracks on the latest frame, with how long each has been seen. */
export class TracksPanel {
  /** First pts of each track id, forgotten when a track is gone for long. */
  private readonly firstSeen = new Map<number, { first: number; last: number }>();

  constructor(private readonly body: HTMLElement) {}

  update(record: DetectionsMessage): void {
    const rows: HTMLElement[] = [];
    for (const d of record.detections) {
      if (d.trackId === undefined) continue;
      let seen = this.firstSeen.get(d.trackId);
      if (!seen || record.pts < seen.first) {
        seen = { first: record.pts, last: 0 };
        this.firstSeen.set(d.trackId, seen);
      }
      seen.last = record.pts;
      const tr = el('tr');
      const id = el('td', `#${d.trackId}`, 'name');
      id.style.color = css(colorOf(d.trackId));
      const [x1, y1, x2, y2] = d.box;
      tr.append(
        id,
        el('td', d.label),
        el('td', fmt(d.score, 2), 'num'),
        el('td', `${fmt((record.pts - seen.first) / 1e6)} s`, 'num'),
        el('td', `${Math.round(x2 - x1)}×${Math.round(y2 - y1)}`, 'num'),
      );
      rows.push(tr);
    }
    for (const [id, seen] of this.firstSeen) {
      if (record.pts - seen.last > 60e6 || record.pts < seen.first) this.firstSeen.delete(id);
    }
    if (rows.length === 0) {
      const tr = el('tr');
      tr.append(el('td', 'no tracks on this frame', 'muted'));
      rows.push(tr);
    }
    this.body.replaceChildren(...rows);
  }
}
