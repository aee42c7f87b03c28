import { colorOf, css } from './colors.ts';
import type { DetectionsMessage, Geometry } from './protocol.ts';
import { rleToImageData } from './rle.ts';

const LINE_COLOR = 'rgba(245, 245, 245, 0.95)';
// Geometry is drawn in white (lines dashed, zones solid), so it never looks like a track's box.
const ZONE_COLOR = 'rgba(245, 245, 245, 0.85)';

/**
 * Draws one frame's detections over the picture already on the canvas: masks,
 * boxes with label, score and track id, then the counting lines and zones with
 * their totals. Boxes are in source-frame pixels (`record.width × height`) and
 * are scaled to the canvas, whatever size the video was encoded at.
 * Returns the boxes drawn, in canvas pixels.
 */
export function drawDetections(
  ctx: CanvasRenderingContext2D,
  record: DetectionsMessage,
  geometry: Geometry | undefined,
): [number, number, number, number][] {
  const sx = ctx.canvas.width / (record.width || ctx.canvas.width);
  const sy = ctx.canvas.height / (record.height || ctx.canvas.height);
  const unit = Math.max(1, ctx.canvas.width / 640);
  for (const d of record.detections) {
    if (!d.mask) continue;
    const color = colorOf(d.trackId ?? d.classId);
    const image = rleToImageData(d.mask, color, 110);
    if (!image) continue;
    const [mh, mw] = d.mask.size;
    // A mask the size of the source frame covers the frame; otherwise it spans its box.
    const full = mw === record.width && mh === record.height;
    const [x1, y1, x2, y2] = full ? [0, 0, record.width, record.height] : d.box;
    const tmp = new OffscreenCanvas(mw, mh);
    tmp.getContext('2d')!.putImageData(image, 0, 0);
    ctx.drawImage(tmp, x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
  }
  ctx.font = `${Math.round(12 * unit)}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  const drawn: [number, number, number, number][] = [];
  for (const d of record.detections) {
    const [x1, y1, x2, y2] = d.box;
    const color = colorOf(d.trackId ?? d.classId);
    ctx.strokeStyle = css(color);
    ctx.lineWidth = 2 * unit;
    ctx.strokeRect(x1 * sx, y1 * sy, (x2 - x1) * sx, (y2 - y1) * sy);
    const text = `${d.trackId !== undefined ? `#${d.trackId} ` : ''}${d.label} ${d.score.toFixed(2)}`;
    const pad = 3 * unit;
    const h = 12 * unit + 2 * pad;
    const w = ctx.measureText(text).width + 2 * pad;
    const ty = y1 * sy - h >= 0 ? y1 * sy - h : y1 * sy;
    ctx.fillStyle = css(color, 0.85);
    ctx.fillRect(x1 * sx - unit, ty, w, h);
    ctx.fillStyle = '#101214';
    ctx.fillText(text, x1 * sx - unit + pad, ty + pad);
    drawn.push([x1 * sx, y1 * sy, x2 * sx, y2 * sy]);
  }
  drawGeometry(ctx, record, geometry, sx, sy, unit);
  return drawn;
}

function drawGeometry(
  ctx: CanvasRenderingContext2D,
  record: DetectionsMessage,
  geometry: Geometry | undefined,
  sx: number,
  sy: number,
  unit: number,
): void {
  if (!geometry) return;
  ctx.lineWidth = 2 * unit;
  for (const zone of geometry.zones ?? []) {
    if (zone.polygon.length < 3) continue;
    ctx.beginPath();
    zone.polygon.forEach(([x = 0, y = 0], i) => {
      if (i === 0) ctx.moveTo(x * sx, y * sy);
      else ctx.lineTo(x * sx, y * sy);
    });
    ctx.closePath();
    ctx.fillStyle = 'rgba(245, 245, 245, 0.08)';
    ctx.fill();
    ctx.strokeStyle = ZONE_COLOR;
    ctx.stroke();
    const c = record.counts?.zones?.[zone.name];
    const [x = 0, y = 0] = zone.polygon[0]!;
    tag(
      ctx,
      `${zone.name}: ${c ? `${c.occupancy} inside, ${c.entered} in` : '–'}`,
      x * sx,
      y * sy,
      ZONE_COLOR,
      unit,
    );
  }
  for (const line of geometry.lines ?? []) {
    const [x1 = 0, y1 = 0] = line.from;
    const [x2 = 0, y2 = 0] = line.to;
    ctx.strokeStyle = LINE_COLOR;
    ctx.setLineDash([8 * unit, 5 * unit]);
    ctx.beginPath();
    ctx.moveTo(x1 * sx, y1 * sy);
    ctx.lineTo(x2 * sx, y2 * sy);
    ctx.stroke();
    ctx.setLineDash([]);
    const c = record.counts?.lines?.[line.name];
    const label = `${line.name}: in ${c?.in ?? 0} · out ${c?.out ?? 0}`;
    tag(ctx, label, ((x1 + x2) / 2) * sx, ((y1 + y2) / 2) * sy, LINE_COLOR, unit);
  }
}

function tag(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  color: string,
  unit: number,
): void {
  const pad = 4 * unit;
  const w = ctx.measureText(text).width + 2 * pad;
  const h = 12 * unit + 2 * pad;
  const left = Math.min(Math.max(0, x - w / 2), ctx.canvas.width - w);
  const top = Math.min(Math.max(0, y - h / 2), ctx.canvas.height - h);
  ctx.fillStyle = 'rgba(16, 18, 20, 0.8)';
  ctx.fillRect(left, top, w, h);
  ctx.fillStyle = color;
  ctx.fillText(text, left + pad, top + pad);
}
