/**
 * The admin API's response shapes, taken from the server's own declarations (type-only
 * imports, erased from the bundle) so the dashboard cannot drift from what it reads.
 */
export type {
  AdminInfo,
  DistributionStats,
  EndpointStats,
  GroupStats,
  KeyStats,
  ModelStats,
  PercentileStats,
  RecentPage,
  RetentionNote,
  StreamSplit,
  Summary,
  Timeseries,
  TimeseriesBucket,
  UsageAnswer,
  UsageEntry,
  UsageSums,
  UserStats,
} from '../../../src/api/stats-shapes.js';
export type { StoredRequest } from '../../../src/domain/request-record.js';
