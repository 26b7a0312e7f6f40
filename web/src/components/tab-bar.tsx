import { useRef, type KeyboardEvent } from 'react';
import { TABS, type Tab } from '../lib/url-state.js';

export const TAB_LABELS: Readonly<Record<Tab, string>> = {
  overview: 'Overview', models: 'Models', keys: 'Keys', users: 'Users', endpoints: 'Endpoints', usage: 'Usage', requests: 'Requests',
};

/** WAI-ARIA tabs: Tab reaches the selected tab, arrow keys, Home and End move between them. */
export function TabBar({ tab, onChange }: { readonly tab: Tab; readonly onChange: (tab: Tab) => void }) {
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);
  const onKeyDown = (e: KeyboardEvent): void => {
    const index = TABS.indexOf(tab);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    const next = (target + TABS.length) % TABS.length;
    onChange(TABS[next]!);
    buttons.current[next]?.focus();
  };
  return (
    <div className="tab-bar" role="tablist" aria-label="Views" onKeyDown={onKeyDown}>
      {TABS.map((t, i) => (
        <button
          key={t}
          ref={(el) => {
            buttons.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`tab-${t}`}
          aria-selected={t === tab}
          aria-controls="tab-panel"
          tabIndex={t === tab ? 0 : -1}
          onClick={() => onChange(t)}
        >
          {TAB_LABELS[t]}
        </button>
      ))}
    </div>
  );
}
