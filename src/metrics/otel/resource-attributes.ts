/**
 * OTEL_RESOURCE_ATTRIBUTES: `key1=value1,key2=value2`, values percent-encoded (the OpenTelemetry
 * SDK environment variable specification, W3C Baggage format). Returns the attributes, or why the
 * text is invalid: the specification discards an invalid value with an error; this service reports
 * it at start-up like any other bad setting.
 */
export function parseResourceAttributes(raw: string): { readonly attributes: Readonly<Record<string, string>> } | { readonly error: string } {
  const attributes: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (key === '') return { error: `must be key=value pairs separated by commas (not "${pair}")` };
    try {
      attributes[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return { error: `has a value that is not valid percent-encoding (in "${pair}")` };
    }
  }
  return { attributes };
}
