/** Endpoints that generate text: what "completion requests" means in `/metrics` and `/completion_requests`. */
export const COMPLETION_ENDPOINTS: readonly string[] = [
  '/v1/chat/completions', '/v1/completions', '/v1/responses', '/v1/messages', '/api/chat', '/api/generate',
];

/** Endpoints whose non-streamed bodies carry token usage (OpenAI, Anthropic and Ollama API references). */
export const USAGE_ENDPOINTS: ReadonlySet<string> = new Set([...COMPLETION_ENDPOINTS, '/v1/embeddings', '/api/embed', '/api/embeddings']);
