import type { PriceTable } from '../pricing/price-table.js';
import type { AttributionOptions } from './attribution.js';

/** Service-wide settings capture needs to turn an exchange into a row. */
export interface CaptureContext {
  readonly attribution: AttributionOptions;
  /** Null when no PRICES_FILE is configured: every cost_usd is null. */
  readonly prices: PriceTable | null;
}
