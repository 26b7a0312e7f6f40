/**
 * Token usage as OpenAI-compatible servers report it: `usage` of chat/completions, completions and
 * embeddings (prompt_tokens / completion_tokens / total_tokens) and the input_tokens / output_tokens
 * spelling of the Responses API. Returns null when nothing usable is there, never throws.
 */

export interface TokenUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly total_tokens: number;
  /** `prompt_tokens_details.cached_tokens` / `input_tokens_details.cached_tokens`, when reported. */
  readonly cached_input_tokens: number | null;
  /** `completion_tokens_details.reasoning_tokens` / `output_tokens_details.reasoning_tokens`, when reported. */
  readonly reasoning_tokens: number | null;
}

function detail(details: unknown, field: string): number | undefined {
  return details !== null && typeof details === 'object' ? count((details as Record<string, unknown>)[field]) : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function readUsage(usage: unknown): TokenUsage | null {
  if (usage === null || typeof usage !== 'object') return null;
  const u = usage as Record<string, unknown>;
  const input = count(u.prompt_tokens) ?? count(u.input_tokens);
  const outputReported = count(u.completion_tokens) ?? count(u.output_tokens);
  const total = count(u.total_tokens);
  // Without an input count the row would understate input and cost (Anthropic's message_delta
  // carries output_tokens only): report nothing rather than a wrong number.
  if (input === undefined) return null;
  const inputTokens = input;
  // Embeddings report only prompt and total tokens: nothing was generated.
  const outputTokens = outputReported ?? (total !== undefined ? Math.max(total - inputTokens, 0) : 0);
  const cached = detail(u.prompt_tokens_details, 'cached_tokens') ?? detail(u.input_tokens_details, 'cached_tokens');
  const reasoning =
    detail(u.completion_tokens_details, 'reasoning_tokens') ?? detail(u.output_tokens_details, 'reasoning_tokens');
  return {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    total_tokens: total ?? inputTokens + outputTokens,
    cached_input_tokens: cached ?? null,
    reasoning_tokens: reasoning ?? null,
  };
}

/** The message of an OpenAI-style `{"error": {...}}` or `{"error": "..."}` body, or null. */
export function readErrorMessage(error: unknown): string | null {
  if (typeof error === 'string') return error;
  if (error !== null && typeof error === 'object') {
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return JSON.stringify(error);
  }
  return null;
}
