/** Aggregate queries behind `Store.summary()` and `Store.byModel()` (SQLite dialect). */

const HAS_USAGE = `CASE WHEN usage_source <> 'none' THEN 1 ELSE 0 END`;

/** One row: totals over all rows (NULL counts as nothing), averages as described in `Summary`. */
export const SUMMARY_SQL = `
  SELECT
    COUNT(*)                                                  AS total_requests,
    COALESCE(SUM(1 - is_error), 0)                            AS successful_requests,
    COALESCE(SUM(is_error), 0)                                AS failed_requests,
    COALESCE(SUM(input_tokens), 0)                            AS total_input_tokens,
    COALESCE(SUM(output_tokens), 0)                           AS total_output_tokens,
    COALESCE(SUM(total_tokens), 0)                            AS total_tokens,
    COALESCE(SUM(CASE WHEN usage_source <> 'none' THEN input_tokens END) * 1.0
             / NULLIF(SUM(${HAS_USAGE}), 0), 0)               AS average_input_tokens,
    COALESCE(SUM(CASE WHEN usage_source <> 'none' THEN output_tokens END) * 1.0
             / NULLIF(SUM(${HAS_USAGE}), 0), 0)               AS average_output_tokens,
    COALESCE(SUM(duration_ms), 0)                             AS total_duration_ms,
    COALESCE(SUM(${HAS_USAGE}), 0)                            AS requests_with_usage,
    COALESCE(SUM(was_streamed), 0)                            AS streamed_requests,
    AVG(duration_ms)                                          AS average_duration_ms,
    AVG(ttft_ms)                                              AS average_ttft_ms,
    AVG(tokens_per_second)                                    AS average_tokens_per_second
  FROM requests
`;

/** One row per model (NULL model is its own group), most requests first, then model name, NULL last. */
export const BY_MODEL_SQL = `
  SELECT
    model,
    COUNT(*)                                                  AS requests,
    SUM(1 - is_error)                                         AS successful_requests,
    SUM(is_error)                                             AS failed_requests,
    COALESCE(SUM(input_tokens), 0)                            AS input_tokens,
    COALESCE(SUM(output_tokens), 0)                           AS output_tokens,
    COALESCE(SUM(total_tokens), 0)                            AS total_tokens,
    COALESCE(COALESCE(SUM(total_tokens), 0) * 1.0
             / NULLIF(SUM(${HAS_USAGE}), 0), 0)               AS avg_tokens_per_request,
    SUM(${HAS_USAGE})                                         AS requests_with_usage,
    AVG(duration_ms)                                          AS avg_duration_ms,
    AVG(ttft_ms)                                              AS avg_ttft_ms,
    AVG(tokens_per_second)                                    AS avg_tokens_per_second
  FROM requests
  GROUP BY model
  ORDER BY requests DESC, model IS NULL, model ASC
`;
