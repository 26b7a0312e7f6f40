/** The retention note: shown only when an answer on screen is partial, worded after what was deleted. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UsageAnswer } from '../../web/src/lib/api-types.js';
import { formatDateTime } from '../../web/src/lib/format.js';
import { mergeRetention, retentionMessage, retentionOf, usageRetentionOf } from '../../web/src/lib/retention.js';

const KEPT = '2026-11-04T09:15:42.000Z';

function usage(extra: Partial<UsageAnswer>): UsageAnswer {
  const zero = { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, duration_ms: 0 };
  return {
    start: '2026-11-04T00:00:00.000Z', end: '2026-12-04T17:00:00.000Z', granularity: 'day', group_by: 'model',
    partial: false, retained_from: null, usage_retained_from: null, usage: [], totals: zero, ...extra,
  };
}

describe('retention note', () => {
  it('reads partial and retained_from from any stats answer; none from an answer without them', () => {
    assert.deepEqual(retentionOf({ models: [], partial: true, retained_from: KEPT }), { kind: 'requests', partial: true, retainedFrom: KEPT });
    assert.deepEqual(retentionOf({ total_requests: 3, partial: false, retained_from: null }), { kind: 'requests', partial: false, retainedFrom: null });
    assert.equal(retentionOf({ total_requests: 3 }), undefined);
    assert.equal(retentionOf(undefined), undefined);
    assert.equal(retentionOf(null), undefined);
  });

  it('says nothing while no answer is partial, even when retention has deleted older rows', () => {
    assert.equal(retentionMessage([], false), null);
    assert.equal(retentionMessage([{ kind: 'requests', partial: false, retainedFrom: KEPT }], false), null);
    assert.equal(retentionMessage([usageRetentionOf(usage({ retained_from: KEPT }))], true), null);
  });

  it('a partial request answer: when rows start, which setting, and the Usage view (except on it)', () => {
    const reports = [{ kind: 'requests' as const, partial: false, retainedFrom: KEPT }, { kind: 'requests' as const, partial: true, retainedFrom: KEPT }];
    const message = retentionMessage(reports, false, 'UTC');
    assert.deepEqual(message, {
      text: 'Requests before 4 Nov 2026, 09:15 were deleted by retention (RETENTION_DAYS): these figures start there.',
      suggestUsage: true,
    });
    assert.equal(retentionMessage(reports, true, 'UTC')!.suggestUsage, false);
    assert.equal(formatDateTime(KEPT, 'Asia/Tokyo'), '4 Nov 2026, 18:15', 'in the viewer time zone');
  });

  it('a partial usage answer: daily totals deleted (USAGE_RETENTION_DAYS), or a part day before the kept rows', () => {
    const deleted = usageRetentionOf(usage({ partial: true, retained_from: KEPT, usage_retained_from: '2026-11-10T00:00:00.000Z' }));
    assert.deepEqual(retentionMessage([deleted], true, 'UTC'), {
      text: 'Daily usage totals before 10 Nov 2026 were deleted by retention (USAGE_RETENTION_DAYS): these figures start there.',
      suggestUsage: false,
    });
    const cut = usageRetentionOf(usage({ partial: true, retained_from: KEPT, start: '2026-11-03T12:00:00.000Z' }));
    assert.match(retentionMessage([cut], true, 'UTC')!.text, /^Requests before 4 Nov 2026, 09:15 were deleted by retention \(RETENTION_DAYS\), and this range cuts a day/);
  });

  it('merges the answers behind one panel (the requests pages): partial when any is', () => {
    assert.equal(mergeRetention([]), undefined);
    assert.deepEqual(mergeRetention([{ kind: 'requests', partial: false, retainedFrom: null }, { kind: 'requests', partial: true, retainedFrom: KEPT }]), {
      kind: 'requests', partial: true, retainedFrom: KEPT,
    });
  });
});
