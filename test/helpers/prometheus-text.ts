/** A small parser for Prometheus text exposition (0.0.4) and OpenMetrics text, for assertions. */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  type: string;
  help: string;
  readonly samples: Sample[];
}

export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', help: '', samples: [] };
      families.set(name, f);
    }
    return f;
  };
  let current: MetricFamily | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line === '# EOF') continue;
    const meta = /^# (TYPE|HELP) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      current = family(meta[2] as string);
      if (meta[1] === 'TYPE') current.type = meta[3] as string;
      else current.help = meta[3] as string;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (sample === null) throw new Error(`unparsable exposition line: ${line}`);
    if (current === null || !(sample[1] as string).startsWith(current.name)) throw new Error(`sample outside its family: ${line}`);
    current.samples.push({ name: sample[1] as string, labels: parseLabels(sample[2] ?? ''), value: parseValue(sample[3] as string) });
  }
  return families;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(text)) !== null) {
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    consumed += m[0].length;
  }
  if (consumed !== text.length) throw new Error(`unparsable labels: {${text}}`);
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** Samples of `sampleName` whose labels include every given label. */
export function samplesOf(families: Map<string, MetricFamily>, family: string, sampleName: string, labels: Record<string, string> = {}): Sample[] {
  const f = families.get(family);
  if (f === undefined) throw new Error(`no metric family ${family}`);
  return f.samples.filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one sample of `sampleName` with exactly these labels (ignoring `le`), or its value 0 when absent. */
export function valueOf(families: Map<string, MetricFamily>, family: string, sampleName: string, labels: Record<string, string>): number {
  const found = samplesOf(families, family, sampleName, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${sampleName} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}
