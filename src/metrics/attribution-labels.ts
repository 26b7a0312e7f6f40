import type { RequestRecord } from '../domain/request-record.js';

/**
 * Attribution labels on `llm_proxy_requests_total` and `llm_proxy_tokens_total`, off unless
 * configured (METRICS_ATTRIBUTION_LABELS): `api_key_id`, `user` and `tag:<name>` (→ label
 * `tag_<name>`). Each is capped like model names.
 */
export interface AttributionLabel {
  /** Label name, valid in Prometheus and OTel alike. */
  readonly name: string;
  readonly value: (record: RequestRecord) => string | null;
}

const ITEM = /^(api_key_id|user|tag:[a-z0-9_-]+)$/;

/** `api_key_id, tag:Team` → `['api_key_id', 'tag:team']`, or why the list is invalid. */
export function parseAttributionLabelList(raw: string): { readonly items: readonly string[] } | { readonly error: string } {
  const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  const bad = items.find((item) => !ITEM.test(item));
  if (bad !== undefined) return { error: `must be a comma-separated list of api_key_id, user and tag:<name> (not "${bad}")` };
  const names = items.map(labelName);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) return { error: `names the label ${twice} twice` };
  return { items };
}

/** The label for one validated item of the list. */
export function attributionLabel(item: string): AttributionLabel {
  if (item === 'api_key_id') return { name: 'api_key_id', value: (r) => r.api_key_id };
  if (item === 'user') return { name: 'user', value: (r) => r.user };
  const tag = item.slice('tag:'.length); // tag names are stored lower-cased, like the item
  return { name: labelName(item), value: (r) => r.tags[tag] ?? null };
}

function labelName(item: string): string {
  return item.startsWith('tag:') ? `tag_${item.slice('tag:'.length).replaceAll('-', '_')}` : item;
}
