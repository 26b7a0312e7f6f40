import { useEffect, useMemo, useState } from 'react';
import { TOKEN_STORAGE_KEY } from './lib/api-client.js';
import { PROBE_PATH } from './lib/api-query.js';
import type { RecentPage } from './lib/api-types.js';
import { resolveWindow } from './lib/time-range.js';
import { withTab, type DashboardState, type TextFilter } from './lib/url-state.js';
import { ApiContext, useApi } from './hooks/use-api.js';
import { useClock, type Clock } from './hooks/use-clock.js';
import { useDashboardState, type UpdateState } from './hooks/use-dashboard-state.js';
import { useLocalStorage } from './hooks/use-local-storage.js';
import { RetentionContext, useRetentionReports } from './hooks/use-retention.js';
import { useTheme, type ThemeState } from './hooks/use-theme.js';
import { EmptyState } from './components/empty-state.js';
import { FilterBar } from './components/filter-bar.js';
import { GroupView } from './components/group-view.js';
import { Header } from './components/header.js';
import { Overview } from './components/overview.js';
import { ApiErrorMessage } from './components/panel.js';
import { RequestDetail } from './components/request-detail.js';
import { RequestsView } from './components/requests-view.js';
import { RetentionNote } from './components/retention-note.js';
import { SettingsDialog } from './components/settings-dialog.js';
import { TAB_LABELS, TabBar } from './components/tab-bar.js';
import { UsageView } from './components/usage-view.js';


export function App() {
  const [state, update] = useDashboardState();
  const theme = useTheme();
  const [token, storeToken] = useLocalStorage(TOKEN_STORAGE_KEY);
  const clock = useClock(state.live);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const api = useMemo(() => ({ token: token ?? '', tick: clock.tick }), [token, clock.tick]);

  useEffect(() => {
    document.title = `${TAB_LABELS[state.tab]} · LLM metrics proxy`;
  }, [state.tab]);

  return (
    <ApiContext.Provider value={api}>
      <Dashboard state={state} update={update} clock={clock} theme={theme} onSettings={() => setSettingsOpen(true)} />
      {settingsOpen && (
        <SettingsDialog token={token ?? ''} onSave={(t) => storeToken(t === '' ? null : t)} onClose={() => setSettingsOpen(false)} />
      )}
    </ApiContext.Provider>
  );
}

interface DashboardProps {
  readonly state: DashboardState;
  readonly update: UpdateState;
  readonly clock: Clock;
  readonly theme: ThemeState;
  readonly onSettings: () => void;
}

function Dashboard({ state, update, clock, theme, onSettings }: DashboardProps) {
  const window = useMemo(() => resolveWindow(state.range, clock.now), [state.range, clock.now]);
  const probe = useApi<RecentPage>(PROBE_PATH);
  const empty = probe.data !== undefined && probe.data.requests.length === 0;
  const [retention, report] = useRetentionReports();
  const filterBy = (field: TextFilter, value: string) => (s: DashboardState): DashboardState =>
    ({ ...s, search: field === 'model' ? '' : s.search, filters: { ...s.filters, [field]: value } });
  const pick = (field: TextFilter, value: string): void => update((s) => withTab(filterBy(field, value)(s), 'overview'));

  return (
    <>
      <a className="skip-link" href="#main">Skip to the dashboard</a>
      <Header
        range={state.range}
        window={window}
        clock={clock}
        live={state.live}
        theme={theme}
        onRange={(range) => update((s) => ({ ...s, range }))}
        onLive={(live) => {
          update((s) => ({ ...s, live }));
          if (live) clock.refresh();
        }}
        onSettings={onSettings}
      />
      <main id="main" tabIndex={-1}>
        {probe.error && <ApiErrorMessage what="the dashboard" error={probe.error} />}
        {empty && <EmptyState />}
        {/* Not held back for the probe: the panels' own requests go out at the same time. */}
        {!empty && (
          <>
            <FilterBar filters={state.filters} window={window} onChange={(filters) => update((s) => ({ ...s, filters }))} />
            <TabBar tab={state.tab} onChange={(tab) => update((s) => withTab(s, tab))} />
            <div id="tab-panel" role="tabpanel" aria-labelledby={`tab-${state.tab}`} data-tab={state.tab}>
              <RetentionContext.Provider value={report}>
                <RetentionNote reports={retention} onUsageView={state.tab === 'usage'} onOpenUsage={() => update((s) => withTab(s, 'usage'))} />
                {state.tab === 'overview' && <Overview window={window} filters={state.filters} theme={theme.theme} />}
                {state.tab === 'requests' && (
                  <RequestsView
                    window={window}
                    filters={state.filters}
                    search={state.search}
                    onSearch={(search) => update((s) => ({ ...s, search }))}
                    onPickModel={(model) => pick('model', model)}
                    onOpen={(id) => update((s) => ({ ...s, requestId: id }))}
                  />
                )}
                {state.tab === 'usage' && (
                  <UsageView
                    window={window}
                    filters={state.filters}
                    settings={state.usage}
                    theme={theme.theme}
                    onSettings={(usage) => update((s) => ({ ...s, usage }))}
                    onPick={(field, value) => update(filterBy(field, value))}
                  />
                )}
                {state.tab !== 'overview' && state.tab !== 'requests' && state.tab !== 'usage' && (
                  <GroupView key={state.tab} tab={state.tab} window={window} filters={state.filters} onPick={pick} />
                )}
              </RetentionContext.Provider>
            </div>
          </>
        )}
      </main>
      {state.requestId !== null && (
        <RequestDetail key={state.requestId} id={state.requestId} onClose={() => update((s) => ({ ...s, requestId: null }))} />
      )}
    </>
  );
}
