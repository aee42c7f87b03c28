/**
 * A minimal client of framewire's WebSocket feed (protocol v1, docs/websocket.md):
 * connects, subscribes, and prints one line per frame.
 *
 *   node --import tsx examples/ws-client.ts ws://127.0.0.1:8090/ws
 *   node --import tsx examples/ws-client.ts wss://camera-box:8090/ws --token "$FEED_TOKEN" --topics detections,stats
 */
import { WebSocket } from 'ws';

interface Detection {
  box: [number, number, number, number];
  score: number;
  label: string;
  trackId?: number;
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: ws-client.ts URL [--token TOKEN] [--topics detections,stats,health,video]');
  process.exit(2);
}

const args = process.argv.slice(2);
let url: string | undefined;
let token = process.env.FEED_TOKEN;
let topics = ['detections', 'stats', 'health'];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--token') token = args[++i] ?? usage('--token needs a value');
  else if (a === '--topics') topics = (args[++i] ?? usage('--topics needs a value')).split(',');
  else if (a === '--help' || a === '-h') usage();
  else if (!url) url = a;
  else usage(`unexpected argument ${a}`);
}
if (!url) usage();

const ws = new WebSocket(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
let videoBytes = 0;

ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', topics })));
ws.on('unexpected-response', (_req, res) => {
  console.error(
    `refused: HTTP ${res.statusCode}${res.statusCode === 401 ? ' (token missing or wrong)' : ''}`,
  );
  process.exit(1);
});
ws.on('message', (data, isBinary) => {
  if (isBinary) {
    videoBytes += (data as Buffer).length;
    return;
  }
  const m = JSON.parse(data.toString()) as { type: string } & Record<string, unknown>;
  switch (m.type) {
    case 'hello':
      console.log(
        `hello: ${m.pipeline} ${m.width}x${m.height} @ ${m.fps ?? '?'} fps, video ${m.video}`,
      );
      break;
    case 'detections': {
      const list = (m.detections as Detection[])
        .map(
          (d) =>
            `${d.label}${d.trackId !== undefined ? `#${d.trackId}` : ''} ${d.score.toFixed(2)}`,
        )
        .join(', ');
      console.log(`frame ${m.seq} pts ${(Number(m.pts) / 1e6).toFixed(3)}s: ${list || 'nothing'}`);
      break;
    }
    case 'stats': {
      const components = m.components as { name: string; fps: number }[];
      const fps = components.map((c) => `${c.name} ${c.fps.toFixed(1)}`).join(', ');
      console.log(`stats: ${fps}; dropped for this client ${m.dropped}; video ${videoBytes} bytes`);
      break;
    }
    case 'health':
      console.log(`health: ${m.component} ${m.state}${m.detail ? `: ${m.detail}` : ''}`);
      break;
    case 'error':
      console.error(`error from the server: ${m.message}`);
      break;
  }
});
ws.on('close', (code, reason) => {
  console.log(`closed (${code}${reason.length > 0 ? ` ${reason}` : ''})`);
  process.exit(0);
});
ws.on('error', (err) => {
  console.error(`cannot connect to ${url}: ${err.message}`);
  process.exit(1);
});
