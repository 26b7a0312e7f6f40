import { SseParser, type SseEvent } from './sse-parser.js';
import { choiceHasContent, readErrorMessage, readFinishReason, readUsage, type TokenUsage } from './usage.js';

/**
 * Follows an OpenAI-style SSE stream (chat/completions, completions) chunk by chunk: when generated
 * content first and last arrived, the usage-bearing chunk (a separate `choices: []` chunk, or the
 * last choice chunk as llama.cpp sends for completions), the response model, the finish reason and
 * in-stream `{"error": …}` events.
 */
export class OpenAiStreamCapture {
  firstContentAt: number | null = null;
  lastContentAt: number | null = null;
  usage: TokenUsage | null = null;
  responseModel: string | null = null;
  finishReason: string | null = null;
  errorMessage: string | null = null;

  private readonly parser = new SseParser((event) => this.onEvent(event));
  private arrivedAt = 0;

  /** Feeds one read of the response body, received at `now` (performance.now() ms). */
  push(chunk: Buffer, now: number): void {
    this.arrivedAt = now;
    this.parser.push(chunk);
  }

  end(): void {
    this.parser.end();
  }

  private onEvent(event: SseEvent): void {
    const data = event.data;
    if (data === '[DONE]' || data === '') return;
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return; // not JSON: nothing to measure in it
    }
    if (chunk === null || typeof chunk !== 'object') return;
    if (this.responseModel === null && typeof chunk.model === 'string') this.responseModel = chunk.model;
    if (chunk.error !== undefined && chunk.error !== null) {
      this.errorMessage = readErrorMessage(chunk.error);
      return;
    }
    const choices = chunk.choices;
    if (Array.isArray(choices) && choices.length > 0) {
      if (choices.some(choiceHasContent)) {
        if (this.firstContentAt === null) this.firstContentAt = this.arrivedAt;
        this.lastContentAt = this.arrivedAt;
      }
      const reason = readFinishReason(choices);
      if (reason !== null) this.finishReason = reason;
    }
    if (chunk.usage !== undefined && chunk.usage !== null) {
      const usage = readUsage(chunk.usage);
      if (usage !== null) this.usage = usage;
    }
  }
}
