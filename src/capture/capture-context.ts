import type { PriceTable } from '../pricing/price-table.js';
import type { StreamUsageMode } from '../config/config.js';
import type { AttributionOptions } from './attribution.js';
import type { TokenCounter } from './token-estimate.js';

/** Service-wide settings capture needs to turn an exchange into a row. */
export interface CaptureContext {
  readonly attribution: AttributionOptions;
  /** Null when no PRICES_FILE is configured: every cost_usd is null. */
  readonly prices: PriceTable | null;
  /** STREAM_USAGE: whether streams without usage get it injected or estimated. */
  readonly streamUsage: StreamUsageMode;
  /** Counts output tokens for estimates; null when STREAM_USAGE is off. */
  readonly tokens: TokenCounter | null;
}
