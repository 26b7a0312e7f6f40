import type { ErrorType, RequestRecord } from '../domain/request-record.js';
import type { AttributionLabel } from './attribution-labels.js';
import { genAiOperation } from './gen-ai-operation.js';
import { LabelCap } from './label-cap.js';

/** GenAI attributes of one operation, capped; '' means absent. */
export interface GenAiAttributes {
  readonly operation: string;
  readonly provider: string;
  readonly requestModel: string;
  readonly responseModel: string;
  readonly errorType: string;
}

/** Everything the metrics take from one finished request: capped label values and numbers in base units. */
export interface RequestObservation {
  /** Null for endpoints that are no GenAI operation (e.g. `/v1/models`). */
  readonly genAi: GenAiAttributes | null;
  readonly model: string;
  readonly endpoint: string;
  /** '' when the client got no response. */
  readonly statusCode: string;
  readonly streamed: 'true' | 'false';
  readonly errorType: string;
  readonly upstreamError: boolean;
  /** Values of the configured attribution labels, in their order. */
  readonly attribution: readonly string[];
  readonly durationSeconds: number;
  readonly ttftSeconds: number | null;
  readonly timePerOutputTokenSeconds: number | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cachedInputTokens: number | null;
  readonly reasoningTokens: number | null;
  readonly addedLatencySeconds: number | null;
}

/** Failures caused by the upstream, as opposed to the client leaving, a shutdown or the proxy. */
const UPSTREAM_ERRORS: ReadonlySet<ErrorType> = new Set(['upstream_status', 'upstream_unreachable', 'upstream_timeout', 'upstream_reset', 'stream_error']);

export interface ObservationOptions {
  /** `gen_ai.provider.name` for every request (GEN_AI_PROVIDER_NAME). */
  readonly providerName: string;
  /** Distinct values kept per label before `other` (METRICS_LABEL_LIMIT). */
  readonly labelLimit: number;
  readonly attributionLabels: readonly AttributionLabel[];
}

/** Turns rows into observations, keeping one cap per label across the process's lifetime. */
export class RequestObserver {
  private readonly models: LabelCap;
  private readonly endpoints: LabelCap;
  private readonly attributionCaps: readonly LabelCap[];

  constructor(private readonly options: ObservationOptions) {
    this.models = new LabelCap(options.labelLimit);
    this.endpoints = new LabelCap(options.labelLimit);
    this.attributionCaps = options.attributionLabels.map(() => new LabelCap(options.labelLimit));
  }

  observe(record: RequestRecord, addedLatencySeconds: number | null): RequestObservation {
    const model = this.models.label(record.model);
    const errorType = record.error_type ?? '';
    const operation = genAiOperation(record.endpoint);
    const ok = !record.is_error;
    const ttft = ok && record.ttft_ms !== null ? record.ttft_ms : null;
    const output = record.output_tokens;
    return {
      genAi:
        operation === null
          ? null
          : { operation, provider: this.options.providerName, requestModel: model, responseModel: this.models.label(record.response_model), errorType },
      model,
      endpoint: this.endpoints.label(record.endpoint),
      statusCode: record.status_code === null ? '' : String(record.status_code),
      streamed: record.was_streamed ? 'true' : 'false',
      errorType,
      upstreamError: record.error_type !== null && UPSTREAM_ERRORS.has(record.error_type),
      attribution: this.options.attributionLabels.map((label, i) => (this.attributionCaps[i] as LabelCap).label(label.value(record))),
      durationSeconds: record.duration_ms / 1000,
      ttftSeconds: ttft === null ? null : ttft / 1000,
      // The conventions' definition: (duration − TTFT) ÷ the output tokens after the first.
      timePerOutputTokenSeconds: ttft !== null && output !== null && output > 1 ? (record.duration_ms - ttft) / 1000 / (output - 1) : null,
      inputTokens: record.input_tokens,
      outputTokens: output,
      cachedInputTokens: record.cached_input_tokens,
      reasoningTokens: record.reasoning_tokens,
      addedLatencySeconds,
    };
  }
}
