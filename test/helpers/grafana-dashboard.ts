import { readFileSync } from 'node:fs';

export const DASHBOARD_PATH = new URL('../../docs/grafana/llm-metrics-proxy.json', import.meta.url);

export interface DashboardPanel {
  readonly title: string;
  readonly targets: ReadonlyArray<{ readonly expr: string }>;
}

export function dashboardPanels(): DashboardPanel[] {
  return (JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as { panels: DashboardPanel[] }).panels;
}

/** A panel query with Grafana's variables replaced, as Prometheus would receive it. */
export function resolvedQuery(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$model', '.*').replaceAll('$job', '.*');
}
