/**
 * Light and dark themes: the system setting unless the person picked one, which is kept in
 * localStorage. The CSS follows `data-theme` on <html> (absent: the system's `color-scheme`);
 * the charts, drawn on canvas, take their colours from CHART_COLORS.
 */
export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

export const THEME_PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];
export const THEME_STORAGE_KEY = 'lmp.theme';

export function parsePreference(stored: string | null): ThemePreference {
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export function resolveTheme(preference: ThemePreference, systemPrefersDark: boolean): Theme {
  if (preference !== 'system') return preference;
  return systemPrefersDark ? 'dark' : 'light';
}

export interface ChartColors {
  readonly axis: string;
  readonly grid: string;
  /** Series colours in order; chosen to stay distinct and readable on either background. */
  readonly series: readonly string[];
  readonly success: string;
  readonly error: string;
  /** The Usage view's stacked groups (distinct in order), and the "other" group on top. */
  readonly stack: readonly string[];
  readonly other: string;
}

export const CHART_COLORS: Readonly<Record<Theme, ChartColors>> = {
  light: {
    axis: '#4b5563',
    grid: 'rgba(0, 0, 0, 0.08)',
    series: ['#2563eb', '#d97706', '#7c3aed', '#0d9488'],
    success: '#16a34a',
    error: '#dc2626',
    stack: ['#2563eb', '#d97706', '#7c3aed', '#0d9488', '#db2777', '#65a30d', '#0891b2', '#b45309'],
    other: '#9ca3af',
  },
  dark: {
    axis: '#a1a1aa',
    grid: 'rgba(255, 255, 255, 0.08)',
    series: ['#60a5fa', '#fbbf24', '#c084fc', '#2dd4bf'],
    success: '#4ade80',
    error: '#f87171',
    stack: ['#60a5fa', '#fbbf24', '#c084fc', '#2dd4bf', '#f472b6', '#a3e635', '#22d3ee', '#fb923c'],
    other: '#71717a',
  },
};
