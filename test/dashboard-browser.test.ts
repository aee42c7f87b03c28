/**
 * The dashboard in a real browser against a real pipeline: Debian's chromium,
 * driven by playwright-core, opens the page that the websocket sink of
 * pipelines/dashboard.yaml serves (the shipped sample looping in real time,
 * detected, tracked, counted and encoded to H.264), and we read what it drew
 * off the canvas: with WebCodecs, with its MSE fallback when WebCodecs is
 * gone, with JPEG pictures (the sink's `video: jpeg`), across a restart of
 * the pipeline, and over https (the sink's `tls`, a self-signed test certificate). The bundle is built by esbuild into a temp dir first, as
 * `npm run build` builds it, so the test sees the current sources.
 *
 * What the page reports about itself comes from `window.__framewire`, a
 * read-only copy of its state (boxes drawn on the last frame, their canvas
 * rectangles, pictures decoded, hellos received); the pixels are checked too.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildDashboard } from '../scripts/build-dashboard.ts';
import { spawnCli, tempDir } from './helpers/media.ts';

const CHROMIUM = '/usr/bin/chromium';
/** DESIGN.md's flags for Debian's chromium (Playwright's own browser download does not work here). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** An upper bound for the page to get somewhere on a loaded 2-core machine; never a speed figure. */
const WAIT_MS = 120_000;
const SCREENSHOT =
  process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'framewire-dashboard-browser.png');

const tmp = tempDir('framewire-dashboard-browser-');
const bundle = join(tmp.dir, 'dashboard');
let port = 0;
let pipeline: ChildProcess | undefined;
let browser: BrowserContext | undefined;

/** A port nothing listens on now (the OS picks it; we free it for the pipeline). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Evaluates `expression` in the page until it is truthy, and returns that value.
 * The page's CSP forbids eval, which Playwright's string predicates use; a
 * plain evaluation (CDP) is not subject to it.
 */
async function until<T>(page: Page, expression: string): Promise<T> {
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    const value = (await page.evaluate(expression)) as T | false | null | undefined;
    if (value) return value;
    if (performance.now() > deadline) {
      throw new Error(`the page never got to: ${expression.slice(0, 200)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the shipped pipeline on `port` and resolves once its feed listens. */
function startPipeline(...extra: string[]): Promise<ChildProcess> {
  const proc = spawnCli(['run', 'pipelines/dashboard.yaml', ...extra], {
    env: { PORT: String(port), FRAMEWIRE_DASHBOARD_DIR: bundle },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const listening = new RegExp(`WebSocket feed at wss?://127\\.0\\.0\\.1:${port}/ws`);
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the pipeline did not listen within ${WAIT_MS / 1000} s:\n${output}`));
    }, WAIT_MS);
    const onData = (d: Buffer) => {
      output += d;
      if (listening.test(output)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the pipeline ended before it listened (${code ?? signal}):\n${output}`));
    });
  });
}

/** Ends the pipeline as Ctrl-C would, and waits until it is gone. */
async function stopPipeline(): Promise<void> {
  const proc = pipeline;
  pipeline = undefined;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const gone = new Promise((resolve) => proc.once('close', resolve));
  proc.kill('SIGINT');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(timer);
}

async function setup(): Promise<BrowserContext> {
  if (browser) return browser;
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the browser test drives Debian's chromium through playwright-core; install it with "apt-get install -y chromium"`,
    );
  }
  await buildDashboard(bundle);
  port = await freePort();
  pipeline = await startPipeline();
  browser = await chromium.launchPersistentContext(join(tmp.dir, 'profile'), {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    viewport: { width: 1440, height: 900 },
  });
  return browser;
}

test.after(async () => {
  await browser?.close();
  await stopPipeline();
  tmp.cleanup();
});

/**
 * Runs in the page (a string, so nothing of the test's compiler leaks into it):
 * once the last frame drawn has boxes, what the canvas shows. For the first
 * box, the pixel row under its bottom edge (or the column of its left edge)
 * must be one colour (the stroke) that differs from the picture 4 px outside.
 * Returns false while there is nothing to judge yet, so `until` polls on.
 */
const CANVAS_FACTS = `(() => {
  const s = window.__framewire;
  if (!s || s.pictures < 5 || s.lastFrame.boxes < 1) return false;
  const c = document.getElementById('view');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const at = (x, y) => {
    const i = (Math.min(c.height - 1, Math.max(0, y)) * c.width + Math.min(c.width - 1, Math.max(0, x))) * 4;
    return [px[i], px[i + 1], px[i + 2]];
  };
  // Not blank: many distinct colours on a grid of samples, and spread in brightness.
  const colours = new Set();
  let sum = 0, sum2 = 0, n = 0;
  for (let y = 2; y < c.height; y += 7) for (let x = 3; x < c.width; x += 11) {
    const [r, g, b] = at(x, y);
    colours.add((r >> 4) * 256 + (g >> 4) * 16 + (b >> 4));
    const l = (r + g + b) / 3; sum += l; sum2 += l * l; n++;
  }
  const mode = (list) => {
    const counts = new Map();
    for (const p of list) { const k = p.join(','); counts.set(k, (counts.get(k) || 0) + 1); }
    let best = '', most = 0;
    for (const [k, v] of counts) if (v > most) { best = k; most = v; }
    return { colour: best.split(',').map(Number), share: most / list.length };
  };
  const [x1, y1, x2, y2] = s.lastFrame.rects[0].map(Math.floor);
  const bottom = y2 + 6 < c.height;
  const edge = [], outside = [];
  if (bottom) for (let x = x1 + 3; x <= x2 - 3; x++) { edge.push(at(x, y2)); outside.push(at(x, y2 + 4)); }
  else for (let y = y1 + 3; y <= y2 - 3; y++) { edge.push(at(x1, y)); outside.push(at(x1 - 4, y)); }
  const e = mode(edge), o = mode(outside);
  const distance = Math.hypot(...e.colour.map((v, i) => v - o.colour[i]));
  return {
    state: s, width: c.width, height: c.height, colours: colours.size,
    spread: Math.sqrt(sum2 / n - (sum / n) ** 2),
    edge: { which: bottom ? 'bottom' : 'left', share: e.share, colour: e.colour, outside: o.colour, distance },
  };
})()`;

interface CanvasFacts {
  state: { videoMode: string; pictures: number; lastFrame: { boxes: number } };
  width: number;
  height: number;
  colours: number;
  spread: number;
  edge: { which: string; share: number; colour: number[]; outside: number[]; distance: number };
}

async function canvasFacts(page: Page): Promise<CanvasFacts> {
  return until<CanvasFacts>(page, CANVAS_FACTS);
}

function assertDrawn(facts: CanvasFacts, mode: string): void {
  assert.is(facts.state.videoMode, mode);
  // The sample video is 640×360, decoded and drawn at its own size.
  assert.is(facts.width, 640);
  assert.is(facts.height, 360);
  assert.ok(facts.colours > 50, `the canvas shows a picture (${facts.colours} colours)`);
  assert.ok(facts.spread > 10, `with contrast (brightness spread ${facts.spread.toFixed(1)})`);
  assert.ok(facts.state.lastFrame.boxes >= 1);
  // The box outline is a line of one colour along the reported edge, unlike the picture beside it.
  assert.ok(
    facts.edge.share >= 0.8,
    `the ${facts.edge.which} edge is one colour: ${JSON.stringify(facts.edge)}`,
  );
  assert.ok(facts.edge.distance > 40, `the outline stands out: ${JSON.stringify(facts.edge)}`);
}

let live: Page | undefined;

test('the dashboard loads and draws live H.264 video with WebCodecs, boxes on it', async () => {
  const ctx = await setup();
  live = await ctx.newPage();
  const errors: string[] = [];
  live.on('pageerror', (e) => errors.push(e.message));
  const res = await live.goto(`http://127.0.0.1:${port}/`);
  assert.is(res?.status(), 200);
  const facts = await canvasFacts(live);
  assertDrawn(facts, 'webcodecs');
  // The hello named the pipeline.
  assert.is(await live.title(), 'dashboard · framewire');
  assert.equal(errors, []);
});

test('FPS is shown, with per-stage figures and sparklines', async () => {
  assert.ok(live, 'the page is open');
  const page = live!;
  await until(
    page,
    `Number(document.getElementById('fps').dataset.fps) >= 1 && document.querySelectorAll('#stages polyline').length >= 5`,
  );
  const fps = await page.textContent('#fps');
  assert.match(fps ?? '', /^[1-9]\d* fps$/);
  const rows = await page.$$eval('#stages tr', (trs) =>
    trs.map((tr) => Array.from(tr.children, (td) => td.textContent ?? '')),
  );
  const names = rows.map((r) => r[0]);
  for (const name of ['detect', 'track', 'count', 'encode']) {
    assert.ok(names.includes(name), `a row for ${name}: ${JSON.stringify(names)}`);
  }
  const detect = rows.find((r) => r[0] === 'detect')!;
  assert.ok(Number.parseFloat(detect[1]!) > 0, `detect has an FPS figure: ${detect[1]}`);
  // A frame with boxes for the picture in the README and the test output.
  await canvasFacts(page);
  await page.screenshot({ path: SCREENSHOT });
  console.log(`dashboard screenshot: ${SCREENSHOT}`);
});

test('without WebCodecs (plain http from another machine) it falls back to MSE by itself', async () => {
  const ctx = await setup();
  const page = await ctx.newPage();
  await page.addInitScript('delete window.VideoDecoder; delete window.VideoFrame;');
  await page.goto(`http://127.0.0.1:${port}/`);
  assert.is(await page.evaluate('typeof window.VideoDecoder'), 'undefined');
  const facts = await canvasFacts(page);
  assertDrawn(facts, 'mse');
  assert.is(await page.textContent('#mode'), 'MSE fallback');
  await page.close();
});

test('it reconnects by itself when the pipeline restarts', async () => {
  assert.ok(live, 'the page is open');
  const page = live!;
  const before = (await page.evaluate('window.__framewire')) as {
    hellos: number;
    pictures: number;
  };
  assert.is(before.hellos, 1);
  await stopPipeline();
  await until(page, 'window.__framewire.connected === false');
  assert.match((await page.textContent('#status')) ?? '', /^reconnecting/);
  pipeline = await startPipeline();
  // A new hello on the same page, then new pictures decoded from the new run.
  const after = await until(
    page,
    `(() => { const s = window.__framewire; return s.hellos === 2 && s.connected && s.pictures > ${before.pictures} + 5 && s; })()`,
  );
  const state = after as { hellos: number; videoMode: string };
  assert.is(state.hellos, 2);
  assert.is(state.videoMode, 'webcodecs');
  assert.is(await page.textContent('#status'), 'live');
  assertDrawn(await canvasFacts(page), 'webcodecs');
});

test('with the sink sending JPEG pictures (video: jpeg) it draws those', async () => {
  const ctx = await setup();
  await stopPipeline();
  pipeline = await startPipeline('--set', 'sinks.0.video=jpeg');
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  assertDrawn(await canvasFacts(page), 'jpeg');
  assert.is(await page.textContent('#mode'), 'JPEG');
  await page.close();
});

test('over https (tls) the page is a secure context: wss and WebCodecs; ?token= reaches the feed', async () => {
  await setup();
  await stopPipeline();
  const fixtures = new URL('fixtures/tls/', import.meta.url).pathname;
  pipeline = await startPipeline(
    '--set',
    `sinks.0.tls.cert=${join(fixtures, 'localhost.crt')}`,
    '--set',
    `sinks.0.tls.key=${join(fixtures, 'localhost.key')}`,
    '--set',
    'sinks.0.token=open-sesame',
  );
  // A second profile that accepts the test's self-signed certificate.
  const secure = await chromium.launchPersistentContext(join(tmp.dir, 'profile-tls'), {
    executablePath: CHROMIUM,
    args: FLAGS,
    headless: true,
    ignoreHTTPSErrors: true,
  });
  try {
    // Without the token the feed refuses the page (401), which keeps trying and never gets a hello.
    const refused = await secure.newPage();
    await refused.goto(`https://127.0.0.1:${port}/`);
    await until(
      refused,
      `document.getElementById('status').textContent.startsWith('reconnecting')`,
    );
    assert.is(await refused.evaluate('window.__framewire.hellos'), 0);
    await refused.close();

    const page = await secure.newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const res = await page.goto(`https://127.0.0.1:${port}/?token=open-sesame`);
    assert.is(res?.status(), 200);
    assert.is(await page.evaluate('window.isSecureContext'), true);
    assertDrawn(await canvasFacts(page), 'webcodecs');
    assert.equal(sockets, [`wss://127.0.0.1:${port}/ws?token=open-sesame`]);
  } finally {
    await secure.close();
  }
});

test.run();
