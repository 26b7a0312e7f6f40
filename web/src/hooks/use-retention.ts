/**
 * Panels tell the page whether retention cut what they show; the page puts one note above the
 * view (components/retention-note.tsx). A panel that unmounts takes its report with it.
 */
import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { RetentionReport } from '../lib/retention.js';

type Report = (id: string, report: RetentionReport | undefined) => void;

export const RetentionContext = createContext<Report>(() => {});

/** Reports `report` (the answer on screen) under `id` until it changes or the panel goes. */
export function useRetentionReport(id: string, report: RetentionReport | undefined): void {
  const set = useContext(RetentionContext);
  const key = report === undefined ? '' : JSON.stringify(report);
  useEffect(() => {
    set(id, report);
    return () => set(id, undefined);
    // Keyed on the report's content: a new but equal answer does not report again.
  }, [id, key, set]);
}

/** The reports of the panels on screen, and the function they report with. */
export function useRetentionReports(): readonly [readonly RetentionReport[], Report] {
  const [reports, setReports] = useState<Readonly<Record<string, RetentionReport>>>({});
  const report = useCallback<Report>((id, next) => {
    setReports((current) => {
      if (next === undefined) {
        if (!(id in current)) return current;
        const { [id]: _gone, ...rest } = current;
        return rest;
      }
      return { ...current, [id]: next };
    });
  }, []);
  return [Object.values(reports), report] as const;
}
