import { z } from 'zod';
import { parseAttributionLabelList } from '../metrics/attribution-labels.js';
import { parseResourceAttributes } from '../metrics/otel/resource-attributes.js';

/** Schemas of the metrics and OpenTelemetry settings (settings.ts). */

/** METRICS_ATTRIBUTION_LABELS: `api_key_id,user,tag:team` → the validated items. */
export const attributionLabelsSchema = z.string().transform((raw, ctx): readonly string[] => {
  const parsed = parseAttributionLabelList(raw);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.items;
});

/** `gen_ai.provider.name`: a well-known value such as `openai`, or a custom one such as `ollama`. */
export const providerNameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'must be a lower-case name like openai, ollama or azure.ai.openai' });

/** An OTLP/HTTP endpoint; '' (unset) → null. */
export const otlpEndpointSchema = z.string().transform((raw, ctx): string | null => {
  if (raw === '') return null;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    return z.NEVER;
  }
  return raw;
});

export const resourceAttributesSchema = z.string().transform((raw, ctx): Readonly<Record<string, string>> => {
  const parsed = parseResourceAttributes(raw);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.attributes;
});
