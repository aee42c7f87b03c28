import { Connection } from './connection.ts';
import { drawDetections } from './overlay.ts';
import { HealthPanel, renderCounts, StagesPanel, TracksPanel } from './panels.ts';
import { choosePlayer, type Picture, type Player } from './players.ts';
import type { DetectionsMessage, Geometry, Hello, ServerMessage } from './protocol.ts';
import { expose, initialState } from './state.ts';
import { parseVideoPacket } from './video-header.ts';

/** Detections kept to pair with pictures that arrive later than them (about 4 s at 30 FPS). */
const KEEP_RECORDS = 120;
/** A picture takes the newest detections at most this much older than itself, µs. */
const MAX_PAIRING_GAP_US = 500_000;
const TOPICS = ['detections', 'stats', 'health', 'video'];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('view');
const ctx = canvas.getContext('2d')!;
const state = initialState();
expose(state);
document.body.dataset.videoMode = 'none';

const stages = new StagesPanel($('stages'), $('client-dropped'));
const health = new HealthPanel($('health'));
const tracks = new TracksPanel($('tracks'));
health.clear();

let hello: Hello | undefined;
let geometry: Geometry | undefined;
let player: Player | undefined;
let picture: Picture | undefined;
const records = new Map<number, DetectionsMessage>();
let latest: DetectionsMessage | undefined;
const drawTimes: number[] = [];

function setStatus(text: string, kind: 'ok' | 'wait' | 'down'): void {
  const s = $('status');
  s.textContent = text;
  s.dataset.kind = kind;
}

/** The detections that belong to a picture: same pts, else the newest before it. */
function recordFor(pts: number): DetectionsMessage | undefined {
  const exact = records.get(pts);
  if (exact) return exact;
  let best: DetectionsMessage | undefined;
  for (const r of records.values()) {
    if (r.pts <= pts && pts - r.pts <= MAX_PAIRING_GAP_US && (!best || r.pts > best.pts)) best = r;
  }
  return best;
}

function render(): void {
  const record = picture ? recordFor(picture.pts) : latest;
  if (picture) {
    if (canvas.width !== picture.width || canvas.height !== picture.height) {
      canvas.width = picture.width || canvas.width;
      canvas.height = picture.height || canvas.height;
    }
    ctx.drawImage(picture.image, 0, 0, canvas.width, canvas.height);
  } else {
    ctx.fillStyle = '#0c0d0f';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
  }
  const rects = record ? drawDetections(ctx, record, record.geometry ?? geometry) : [];
  state.lastFrame = {
    pts: picture?.pts ?? record?.pts ?? -1,
    boxes: rects.length,
    rects,
    detectionsPts: record?.pts,
  };
  canvas.dataset.boxes = String(rects.length);
}

function onPicture(next: Picture): void {
  if (picture && picture !== next) picture.release();
  picture = next;
  state.pictures++;
  countDraw();
  render();
}

/** The FPS in the header: frames drawn, pictures when there is video, detections without. */
function countDraw(): void {
  const now = performance.now();
  drawTimes.push(now);
  while (drawTimes.length > 0 && now - drawTimes[0]! > 1000) drawTimes.shift();
}

function showFps(): void {
  const now = performance.now();
  while (drawTimes.length > 0 && now - drawTimes[0]! > 1000) drawTimes.shift();
  state.fps = drawTimes.length;
  const fps = $('fps');
  fps.textContent = state.connected ? `${drawTimes.length} fps` : '–';
  fps.dataset.fps = String(drawTimes.length);
}
setInterval(showFps, 500);

function onHello(h: Hello, send: (msg: unknown) => void): void {
  hello = h;
  state.hellos++;
  state.pipeline = h.pipeline;
  geometry = h.geometry ?? geometry;
  document.title = `${h.pipeline} · framewire`;
  $('pipeline').textContent = h.pipeline;
  $('size').textContent =
    `${h.width}×${h.height}${h.fps ? ` @ ${h.fps.toFixed(h.fps % 1 ? 2 : 0)}` : ''}`;
  if (h.video === 'none' && picture) {
    // This run sends no video: the detections are drawn on a plain canvas, not on an old picture.
    picture.release();
    picture = undefined;
  }
  if (!picture && h.width > 0 && h.height > 0) {
    canvas.width = h.width;
    canvas.height = h.height;
  }
  // Asking a feed without video for video only earns an error reply.
  send({
    type: 'subscribe',
    topics: h.video === 'none' ? TOPICS.filter((t) => t !== 'video') : TOPICS,
  });
  setStatus('live', 'ok');
  canvas.classList.remove('stale');
  document.body.dataset.hellos = String(state.hellos);
}

function onDetections(r: DetectionsMessage): void {
  state.detectionMessages++;
  // A jump back in time is a new run or a loop of the source: older records no longer pair.
  if (r.discontinuity || (latest && r.pts < latest.pts)) records.clear();
  latest = r;
  records.set(r.pts, r);
  if (records.size > KEEP_RECORDS) records.delete(records.keys().next().value!);
  renderCounts($('counts'), r);
  tracks.update(r);
  $('objects').textContent = String(r.detections.length);
  // Without video the detections are the picture; with it, redraw when they belong to the shown one.
  if (!player || player.mode === 'unsupported') {
    countDraw();
    render();
  } else if (picture && recordFor(picture.pts) === r) render();
}

function onMessage(msg: ServerMessage, send: (msg: unknown) => void): void {
  if (msg.type === 'hello') onHello(msg, send);
  else if (msg.type === 'detections') onDetections(msg);
  else if (msg.type === 'stats') {
    state.stages = msg.components.length;
    stages.update(msg);
  } else if (msg.type === 'health') health.update(msg);
  else if (msg.type === 'error') console.warn('framewire:', msg.message ?? msg);
}

function onBinary(data: ArrayBuffer): void {
  const packet = parseVideoPacket(data);
  if (!packet) return;
  if (!player || packet.codec !== playerCodec) {
    player?.close();
    player = choosePlayer(
      packet.codec,
      { width: hello?.width ?? 0, height: hello?.height ?? 0 },
      onPicture,
      webCodecs,
    );
    playerCodec = packet.codec;
    state.videoMode = player.mode;
    document.body.dataset.videoMode = player.mode;
    $('mode').textContent = modeText[player.mode];
  }
  player.push(packet);
}
let playerCodec = '';
/** Cleared when WebCodecs turns out not to decode this stream: H.264 then goes through MSE. */
const webCodecs = {
  usable: true,
  onUnusable: () => {
    webCodecs.usable = false;
    player?.close();
    player = undefined;
  },
};
const modeText = {
  webcodecs: 'WebCodecs',
  mse: 'MSE fallback',
  jpeg: 'JPEG',
  unsupported: 'video not playable here',
} as const;

/**
 * The feed of the server that served this page: same host and port, the path
 * from /dashboard-config.json (the sink's `path`), wss under https, and the
 * page's own `?token=` passed on. It never points anywhere else.
 */
async function wsUrl(): Promise<string> {
  let path = '/ws';
  try {
    const res = await fetch('dashboard-config.json', { cache: 'no-store' });
    const ws = res.ok ? ((await res.json()) as { ws?: unknown }).ws : undefined;
    if (typeof ws === 'string' && ws.startsWith('/') && !ws.startsWith('//')) path = ws;
  } catch {
    // Served by something that has no config: the default path.
  }
  const url = new URL(path, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = new URLSearchParams(location.search).get('token');
  if (token) url.searchParams.set('token', token);
  return url.href;
}

const connection = new Connection(await wsUrl(), {
  onOpen: (send) => {
    state.connected = true;
    setStatus('connected', 'wait');
    sendFn = send;
  },
  onMessage: (msg) => onMessage(msg, sendFn),
  onBinary,
  onClose: (retryInMs) => {
    state.connected = false;
    // The last picture stays, dimmed: it is no longer live.
    canvas.classList.add('stale');
    setStatus(`reconnecting in ${(retryInMs / 1000).toFixed(1)} s`, 'down');
    // The next run starts its stream afresh: decoders and pairing begin again.
    player?.close();
    player = undefined;
    records.clear();
    health.clear();
  },
});
let sendFn: (msg: unknown) => void = () => {};
connection.start();
