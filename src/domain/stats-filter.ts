/** Filters shared by every stats endpoint (issue 3). All given conditions must match. */
export interface StatsFilter {
  /** Epoch ms, inclusive. */
  readonly start?: number;
  /** Epoch ms, exclusive. */
  readonly end?: number;
  readonly model?: string;
  readonly endpoint?: string;
  readonly streamed?: boolean;
  readonly status?: 'success' | 'error';
  readonly apiKeyId?: string;
  readonly user?: string;
  /** Every [key, value] pair must be among the request's tags. */
  readonly tags?: ReadonlyArray<readonly [key: string, value: string]>;
}
