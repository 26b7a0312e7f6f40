/** The API shape of each proxied endpoint (null: pass-through, no usage to read). */
import type { ApiShape } from './response-capture.js';
import { anthropicShape } from './anthropic.js';
import { ollamaShape } from './ollama.js';
import { openAiShape } from './openai.js';
import { responsesShape } from './responses.js';

const OLLAMA_ENDPOINTS = new Set(['/api/chat', '/api/generate', '/api/embed', '/api/embeddings']);
/** Ollama endpoints that stream unless the request says `"stream": false`. */
export const OLLAMA_STREAM_BY_DEFAULT: ReadonlySet<string> = new Set(['/api/chat', '/api/generate']);

export function shapeOf(endpoint: string): ApiShape | null {
  if (endpoint === '/v1/responses') return responsesShape;
  if (endpoint === '/v1/messages') return anthropicShape;
  if (OLLAMA_ENDPOINTS.has(endpoint)) return ollamaShape;
  if (endpoint.startsWith('/v1/')) return openAiShape;
  return null;
}

export { type ApiShape, type BackendTimings, ResponseCapture, type StreamFollower } from './response-capture.js';
