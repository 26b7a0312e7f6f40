import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributionLabel, parseAttributionLabelList } from '../../src/metrics/attribution-labels.js';
import { renderExposition } from '../../src/metrics/exposition.js';
import { LabelCap, OVERFLOW_LABEL } from '../../src/metrics/label-cap.js';
import { PrometheusSink } from '../../src/metrics/prometheus-sink.js';
import { RequestObserver } from '../../src/metrics/request-observation.js';
import { makeRecord } from '../contract/records.js';
import { parseExposition, samplesOf } from '../helpers/prometheus-text.js';

describe('LabelCap', () => {
  it('keeps the first `limit` distinct values and reports every later one as other', () => {
    const cap = new LabelCap(3);
    assert.deepEqual(['a', 'b', 'a', 'c', 'd', 'b', 'e'].map((v) => cap.label(v)), ['a', 'b', 'a', 'c', OVERFLOW_LABEL, 'b', OVERFLOW_LABEL]);
  });

  it('passes "no value" through without counting it, and reports absurdly long values as other', () => {
    const cap = new LabelCap(1);
    assert.equal(cap.label(null), '');
    assert.equal(cap.label(''), '');
    assert.equal(cap.label('x'.repeat(201)), OVERFLOW_LABEL);
    assert.equal(cap.label('kept'), 'kept');
  });
});

describe('attribution labels', () => {
  it('parses api_key_id, user and tag:<name>, lower-cased, into label names', () => {
    const parsed = parseAttributionLabelList(' api_key_id, user ,tag:Team-A ');
    assert.ok('items' in parsed);
    assert.deepEqual(parsed.items, ['api_key_id', 'user', 'tag:team-a']);
    assert.deepEqual(parsed.items.map((i) => attributionLabel(i).name), ['api_key_id', 'user', 'tag_team_a']);
    const record = makeRecord({ api_key_id: 'key_1', user: 'u1', tags: { 'team-a': 'red' } });
    assert.deepEqual(parsed.items.map((i) => attributionLabel(i).value(record)), ['key_1', 'u1', 'red']);
  });

  it('refuses unknown items and two items with the same label name', () => {
    assert.ok('error' in parseAttributionLabelList('model'));
    assert.ok('error' in parseAttributionLabelList('tag:'));
    assert.ok('error' in parseAttributionLabelList('tag:a-b,tag:a_b'));
    assert.deepEqual(parseAttributionLabelList(''), { items: [] });
  });
});

describe('bounded label cardinality in the exposition', () => {
  const scrape = async (sink: PrometheusSink) => parseExposition((await renderExposition(sink.registry, 'prometheus')).body);

  it('turns model names past the limit into other, in every metric', async () => {
    const sink = new PrometheusSink([], () => 0);
    const observer = new RequestObserver({ providerName: 'openai', labelLimit: 100, attributionLabels: [] });
    for (let i = 0; i < 105; i++) sink.request(observer.observe(makeRecord({ model: `client-model-${i}`, response_model: null }), null));
    const families = await scrape(sink);
    const models = new Set(samplesOf(families, 'llm_proxy_requests_total', 'llm_proxy_requests_total').map((s) => s.labels.model));
    assert.equal(models.size, 101);
    assert.ok(models.has(OVERFLOW_LABEL) && models.has('client-model-99') && !models.has('client-model-100'));
    const other = samplesOf(families, 'llm_proxy_requests_total', 'llm_proxy_requests_total', { model: OVERFLOW_LABEL });
    assert.equal(other[0]?.value, 5);
    const histogramModels = new Set(
      samplesOf(families, 'gen_ai_client_operation_duration_seconds', 'gen_ai_client_operation_duration_seconds_count').map((s) => s.labels.gen_ai_request_model),
    );
    assert.equal(histogramModels.size, 101);
  });

  it('has no key, user or tag label unless configured', async () => {
    const sink = new PrometheusSink([], () => 0);
    const observer = new RequestObserver({ providerName: 'openai', labelLimit: 100, attributionLabels: [] });
    sink.request(observer.observe(makeRecord({ api_key_id: 'key_1', user: 'alice', tags: { team: 'red' } }), null));
    const labels = Object.keys(samplesOf(await scrape(sink), 'llm_proxy_requests_total', 'llm_proxy_requests_total')[0]?.labels ?? {});
    assert.deepEqual(labels.sort(), ['endpoint', 'error_type', 'model', 'status_code', 'streamed']);
  });

  it('adds configured attribution labels to the request and token counters, capped with other', async () => {
    const labels = ['user', 'tag:team'].map(attributionLabel);
    const sink = new PrometheusSink(labels, () => 0);
    const observer = new RequestObserver({ providerName: 'openai', labelLimit: 2, attributionLabels: labels });
    for (const user of ['alice', 'bob', 'carol', 'dave']) sink.request(observer.observe(makeRecord({ model: 'm', user, tags: { team: 'red' } }), null));
    const families = await scrape(sink);
    const requests = samplesOf(families, 'llm_proxy_requests_total', 'llm_proxy_requests_total');
    assert.deepEqual(requests.map((s) => [s.labels.user, s.labels.tag_team, s.value]).sort(), [['alice', 'red', 1], ['bob', 'red', 1], [OVERFLOW_LABEL, 'red', 2]]);
    const tokens = samplesOf(families, 'llm_proxy_tokens_total', 'llm_proxy_tokens_total', { token_type: 'input', user: OVERFLOW_LABEL });
    assert.equal(tokens[0]?.value, 20);
    // Histograms never carry attribution labels.
    assert.ok(samplesOf(families, 'gen_ai_client_operation_duration_seconds', 'gen_ai_client_operation_duration_seconds_count').every((s) => !('user' in s.labels)));
  });
});
