import { retentionMessage, type RetentionReport } from '../lib/retention.js';

interface RetentionNoteProps {
  readonly reports: readonly RetentionReport[];
  readonly onUsageView: boolean;
  readonly onOpenUsage: () => void;
}

/** Above the view, only while an answer on screen reaches before what retention kept. */
export function RetentionNote({ reports, onUsageView, onOpenUsage }: RetentionNoteProps) {
  const message = retentionMessage(reports, onUsageView);
  if (message === null) return null;
  return (
    <p className="retention-note" role="note" data-testid="retention-note">
      {message.text}
      {message.suggestUsage && (
        <>
          {' '}The{' '}
          <button type="button" className="link-button" onClick={onOpenUsage}>Usage view</button>
          {' '}keeps exact daily totals for longer.
        </>
      )}
    </p>
  );
}
