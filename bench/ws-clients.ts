// Child process of the fan-out bench: opens N WebSocket clients to a feed,
// measures each detections message's delivery delay (receive time minus the
// message's `sentAt`, both wall-clock from performance.timeOrigin, so the two
// processes share a time base), and prints the delays when told to stop.
//
//   node --import tsx bench/ws-clients.ts URL N TOPICS   (stdin "stop\n" ends it)
import { WebSocket } from 'ws';

const [url, countText, topicsText] = process.argv.slice(2);
const count = Number(countText);
const topics = (topicsText ?? 'detections').split(',');
const now = () => performance.timeOrigin + performance.now();

const delays: number[] = [];
let messages = 0;
let videoFrames = 0;
let videoBytes = 0;
let gaps = 0;
let measuring = false;
let opened = 0;
const sockets: WebSocket[] = [];

for (let i = 0; i < count; i++) {
  const ws = new WebSocket(url!);
  sockets.push(ws);
  let lastSeq = -1;
  ws.on('open', () => {
    ws.send(JSON.stringify({ type: 'subscribe', topics }));
    opened++;
    if (opened === count) process.stdout.write('ready\n');
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      if (measuring) {
        videoFrames++;
        videoBytes += (data as Buffer).length;
      }
      return;
    }
    const received = now();
    const m = JSON.parse(data.toString()) as { type: string; seq?: number; sentAt?: number };
    if (m.type !== 'detections') return;
    if (lastSeq >= 0 && m.seq !== lastSeq + 1) gaps++;
    lastSeq = m.seq!;
    if (!measuring) return;
    messages++;
    delays.push(received - m.sentAt!);
  });
  ws.on('error', (err) => {
    process.stderr.write(`client ${i}: ${err.message}\n`);
    process.exit(1);
  });
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  if (text.includes('measure')) measuring = true;
  if (!text.includes('stop')) return;
  process.stdout.write(
    `${JSON.stringify({ messages, delays: delays.map((d) => Math.round(d * 100) / 100), gaps, videoFrames, videoBytes })}\n`,
  );
  for (const ws of sockets) ws.terminate();
  process.exit(0);
});
