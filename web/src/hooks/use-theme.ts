import { useEffect, useState } from 'react';
import { parsePreference, resolveTheme, THEME_STORAGE_KEY, type Theme, type ThemePreference } from '../lib/theme.js';
import { useLocalStorage } from './use-local-storage.js';

const DARK_QUERY = '(prefers-color-scheme: dark)';

export interface ThemeState {
  readonly preference: ThemePreference;
  /** The theme in effect. */
  readonly theme: Theme;
  setPreference(preference: ThemePreference): void;
}

/** The theme preference (localStorage) applied to <html data-theme>, following system changes. */
export function useTheme(): ThemeState {
  const [stored, store] = useLocalStorage(THEME_STORAGE_KEY);
  const preference = parsePreference(stored);
  const [systemDark, setSystemDark] = useState(() => window.matchMedia(DARK_QUERY).matches);

  useEffect(() => {
    const query = window.matchMedia(DARK_QUERY);
    const onChange = (): void => setSystemDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);

  const theme = resolveTheme(preference, systemDark);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return { preference, theme, setPreference: (p) => store(p === 'system' ? null : p) };
}
