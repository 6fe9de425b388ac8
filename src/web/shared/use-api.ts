import { useCallback, useEffect, useState } from 'preact/hooks';
import { callApi } from '../api/client.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * GETs `path` (null: nothing yet) and keeps the answer; `pollMs(data)` returning a number reloads
 * after that long (e.g. while a run is running), null stops. A newer load discards an older answer.
 */
export function useApi<T>(path: string | null, pollMs?: (data: T) => number | null): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);

  // `tick` is the reload trigger; `pollMs` is read per answer, so a new function each render does not reload.
  useEffect(() => {
    if (path === null) return;
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    callApi<T>('GET', path).then(
      (answer) => {
        if (!current) return;
        setData(answer);
        setError(undefined);
        setLoading(false);
        const delay = pollMs?.(answer);
        if (delay != null) timer = setTimeout(reload, delay);
      },
      (failure: unknown) => {
        if (!current) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [path, tick]);

  return { data, error, loading, reload };
}
