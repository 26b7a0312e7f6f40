import { useCallback, useState } from 'react';

/**
 * A string kept in localStorage. Storage can be unavailable (privacy modes, blocked cookies):
 * the value then lives for the page only.
 */
export function useLocalStorage(key: string): readonly [string | null, (value: string | null) => void] {
  const [value, setValue] = useState<string | null>(() => {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return null;
    }
  });
  const store = useCallback(
    (next: string | null) => {
      setValue(next);
      try {
        if (next === null) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, next);
      } catch {
        // Not persisted; the in-memory value still applies.
      }
    },
    [key],
  );
  return [value, store] as const;
}
