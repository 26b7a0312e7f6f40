/**
 * `gen_ai.operation.name` for a proxied endpoint, from the OpenTelemetry GenAI semantic
 * conventions' well-known values. Endpoints that are no GenAI operation (model lists, files…)
 * get null: they are counted in the proxy's own metrics but not in the `gen_ai_*` ones.
 */
const OPERATIONS: ReadonlyMap<string, string> = new Map([
  // OpenAI-compatible API
  ['/v1/chat/completions', 'chat'],
  ['/v1/responses', 'chat'],
  ['/v1/messages', 'chat'], // Anthropic Messages API, as some OpenAI-compatible servers expose it
  ['/v1/completions', 'text_completion'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/images/generations', 'generate_content'],
  ['/v1/audio/speech', 'generate_content'],
  ['/v1/audio/transcriptions', 'generate_content'],
  ['/v1/audio/translations', 'generate_content'],
  // Ollama's native API
  ['/api/chat', 'chat'],
  ['/api/generate', 'text_completion'],
  ['/api/embed', 'embeddings'],
  ['/api/embeddings', 'embeddings'],
]);

export function genAiOperation(endpoint: string): string | null {
  return OPERATIONS.get(endpoint) ?? null;
}
