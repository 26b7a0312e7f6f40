import { Registry } from 'prom-client';

/** `prometheus`: text format 0.0.4; `openmetrics`: OpenMetrics 1.0.0. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

/** Renders the registry in the format the scraper asked for. */
export async function renderExposition(registry: Registry, format: ExpositionFormat): Promise<Exposition> {
  if (format === 'prometheus') return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
  return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await openMetricsText(registry) };
}

/**
 * OpenMetrics 1.0.0 text, written here from the registry's values rather than by prom-client:
 * prom-client's OpenMetrics mode is a property of the whole registry and renames counters in
 * place (drops `_total` from their names for good), which would break the next text-format
 * scrape. A counter family is named without `_total`, its samples with it; the text ends `# EOF`.
 */
export async function openMetricsText(registry: Registry): Promise<string> {
  const lines: string[] = [];
  for (const family of await registry.getMetricsAsJSON()) {
    const type = String(family.type); // 'counter', 'gauge'… at run time (the typings declare a numeric enum)
    const counter = type === 'counter';
    const name = counter ? family.name.replace(/_total$/, '') : family.name;
    lines.push(`# TYPE ${name} ${type}`, `# HELP ${name} ${escape(family.help)}`);
    for (const sample of family.values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
      const sampleName = counter ? `${name}_total` : (sample.metricName ?? name);
      lines.push(`${sampleName}${formatLabels(sample.labels)} ${formatNumber(sample.value)}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

function formatLabels(labels: Record<string, string | number>): string {
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escape(String(value))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** OpenMetrics escapes backslash, double quote and line feed in label values and help text. */
function escape(text: string): string {
  return text.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
