// A strict reader of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), written from
// the format's description, independent of prom-client: it throws on anything
// the format does not allow, and checks what Prometheus itself relies on.

export interface Sample {
  /** The sample's own name (`x_bucket`, `x_sum`, `x`). */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Families by name, in order of appearance; throws with the line number on any violation. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const seenSeries = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n').slice(0, -1);
  for (const [i, line] of lines.entries()) {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // any other comment
      const [, what, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail('bad metric name');
      if (what === 'HELP') {
        if (helps.has(name)) fail('second HELP for one metric');
        helps.set(name, unescapeHelp(rest));
        continue;
      }
      if (!TYPES.has(rest)) fail('unknown TYPE');
      if (families.has(name)) fail('second TYPE for one metric');
      current = { name, help: helps.get(name) ?? '', type: rest as Family['type'], samples: [] };
      families.set(name, current);
      continue;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families);
    if (family === undefined) fail('sample without a TYPE line');
    if (family !== current?.name) fail('samples of one metric must be contiguous');
    const key = `${sample.name}{${Object.entries(sample.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seenSeries.has(key)) fail('the same series twice');
    seenSeries.add(key);
    current!.samples.push(sample);
  }
  for (const f of families.values()) {
    if (!helps.has(f.name)) throw new Error(`${f.name}: no HELP line`);
    (f as { help: string }).help = helps.get(f.name)!;
    if (f.type === 'counter') {
      for (const s of f.samples) {
        if (!(s.value >= 0)) throw new Error(`${f.name}: counter value ${s.value} is negative`);
      }
    }
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

/** A histogram's series: buckets ascending by `le`, cumulative, ending with +Inf equal to `_count`. */
function checkHistogram(f: Family): void {
  const bySeries = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    bySeries.set(key, [...(bySeries.get(key) ?? []), s]);
  }
  for (const [key, samples] of bySeries) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const sum = samples.filter((s) => s.name === `${f.name}_sum`);
    const count = samples.filter((s) => s.name === `${f.name}_count`);
    const where = `${f.name}${key}`;
    if (buckets.length === 0 || sum.length !== 1 || count.length !== 1) {
      throw new Error(`${where}: needs buckets, one _sum and one _count`);
    }
    let lastLe = Number.NEGATIVE_INFINITY;
    let lastCount = 0;
    for (const b of buckets) {
      const le = b.labels.le;
      if (le === undefined) throw new Error(`${where}: a bucket without le`);
      const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
      if (Number.isNaN(bound) || bound <= lastLe)
        throw new Error(`${where}: le not ascending at ${le}`);
      if (b.value < lastCount) throw new Error(`${where}: buckets not cumulative at le=${le}`);
      lastLe = bound;
      lastCount = b.value;
    }
    if (lastLe !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no +Inf bucket`);
    if (lastCount !== count[0]!.value) {
      throw new Error(`${where}: +Inf bucket ${lastCount} is not _count ${count[0]!.value}`);
    }
  }
}

/** The family a sample name belongs to: itself, or its histogram/summary base. */
function familyOf(name: string, families: Map<string, Family>): string | undefined {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const f = families.get(base);
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket')))
      return base;
  }
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (!m) fail('not a sample line');
  const [, name, rawLabels, rawValue] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
  ];
  const labels: Record<string, string> = {};
  if (rawLabels !== undefined) {
    let rest = rawLabels.slice(1, -1);
    while (rest.length > 0) {
      const lm = /^([^=]+)="((?:[^"\\]|\\.)*)"(,|$)/.exec(rest);
      if (!lm) fail('bad label syntax');
      const [all, key, escaped] = lm as unknown as [string, string, string];
      if (!LABEL_NAME.test(key)) fail(`bad label name ${key}`);
      if (key in labels) fail(`label ${key} twice`);
      labels[key] = unescapeLabel(escaped, fail);
      rest = rest.slice(all.length);
    }
  }
  return { name, labels, value: parseValue(rawValue, fail) };
}

function parseValue(text: string, fail: (why: string) => never): number {
  // Prometheus reads values with Go's strconv.ParseFloat, which takes NaN and Inf
  // in any case (prom-client writes an empty event-loop histogram's mean as `Nan`).
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function unescapeLabel(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\' || c === '"') return c;
    return fail(`bad escape \\${c} in a label value`);
  });
}

function unescapeHelp(text: string): string {
  return text.replace(/\\([\\n])/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** The value of the one sample of `name` whose labels include `labels`; throws when not exactly one. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const family = familyOf(name, families);
  const found = (family ? families.get(family)!.samples : []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length !== 1) {
    throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples, expected 1`);
  }
  return found[0]!.value;
}
