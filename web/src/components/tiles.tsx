import type { Summary } from '../lib/api-types.js';
import type { ApiError } from '../lib/api-client.js';
import { compareValues, type Change } from '../lib/change.js';
import { retentionOf } from '../lib/retention.js';
import { TILES, type TileSpec } from '../lib/tiles.js';

interface TilesProps {
  readonly current: Summary;
  /** The previous period of the same length; null for "all time"; an error when it failed. */
  readonly previous: Summary | ApiError | null | undefined;
  /** `24 h`: the length both periods share, for the comparison's wording. */
  readonly span: string | null;
}

const ARROWS = { up: '▲', down: '▼', flat: '■' } as const;

export function Tiles({ current, previous, span }: TilesProps) {
  return (
    <div className="tiles">
      {TILES.map((spec) => (
        <Tile key={spec.id} spec={spec} current={current} previous={previous} span={span} />
      ))}
    </div>
  );
}

function Tile({ spec, current, previous, span }: { readonly spec: TileSpec } & TilesProps) {
  const value = spec.value(current);
  const note = spec.note?.(current) ?? null;
  return (
    <div className="tile" data-tile={spec.id}>
      <div className="tile-label">{spec.label}</div>
      <div className="tile-value">{spec.format(value)}</div>
      <TileChange spec={spec} value={value} previous={previous} span={span} />
      {note !== null && <div className="tile-note">{note}</div>}
    </div>
  );
}

function TileChange(props: {
  readonly spec: TileSpec;
  readonly value: number | null;
  readonly previous: TilesProps['previous'];
  readonly span: string | null;
}) {
  const { spec, value, previous, span } = props;
  if (previous === null || span === null) return <div className="tile-change tone-neutral">no earlier period</div>;
  if (previous === undefined) return <div className="tile-change tone-neutral">…</div>;
  if (previous instanceof Error) {
    return <div className="tile-change tone-bad" title={previous.message}>comparison failed to load</div>;
  }
  if (retentionOf(previous)?.partial === true) {
    // Retention deleted part of the previous period: a change against what is left would mislead.
    return <div className="tile-change tone-neutral" title="Retention (RETENTION_DAYS) deleted part of it">previous {span} partly deleted</div>;
  }
  const change: Change | null = compareValues(value, spec.value(previous), spec.change, spec.better);
  const before = spec.format(spec.value(previous));
  if (change === null) {
    return <div className="tile-change tone-neutral" title={`previous ${span}: ${before}`}>— vs previous {span}</div>;
  }
  return (
    <div className={`tile-change tone-${change.tone}`} title={`previous ${span}: ${before}`}>
      <span aria-hidden="true">{ARROWS[change.direction]} </span>
      {change.label} <span className="muted">vs previous {span}</span>
    </div>
  );
}
