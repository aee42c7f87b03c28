/** The last `capacity` values of one figure, drawn as a small line. */
export class Series {
  readonly values: number[] = [];
  constructor(private readonly capacity = 60) {}

  push(v: number): void {
    this.values.push(Number.isFinite(v) ? v : 0);
    if (this.values.length > this.capacity) this.values.shift();
  }
}

/** A polyline of the series, scaled to its own maximum, as an inline SVG. */
export function sparkline(series: Series, width = 64, height = 18): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('class', 'spark');
  const v = series.values;
  if (v.length < 2) return svg;
  const max = Math.max(...v, 1e-9);
  const step = width / (v.length - 1);
  const points = v
    .map((y, i) => `${(i * step).toFixed(1)},${(height - 1 - (y / max) * (height - 2)).toFixed(1)}`)
    .join(' ');
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points);
  svg.append(line);
  return svg;
}
