import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../format/figures.ts';
import { useMountedRef } from './use-mounted.ts';

export interface TaskState<T> {
  /** What is running, for the spinner; null when idle. */
  running: string | null;
  value: T | undefined;
  error: string | null;
}

export interface Task<T> extends TaskState<T> {
  /** Runs the work in the background; the screen stays usable and shows the error inline if it fails. */
  run(label: string, work: () => Promise<T>): Promise<T | undefined>;
  clearError(): void;
}

/**
 * One piece of background work at a time for a screen: its label while it runs, its value, its error.
 * Results that arrive after the screen is gone are dropped.
 */
export function useTask<T>(): Task<T> {
  const [state, setState] = useState<TaskState<T>>({ running: null, value: undefined, error: null });
  const mounted = useMountedRef();
  const generation = useRef(0);
  const run = useCallback(async (label: string, work: () => Promise<T>) => {
    generation.current += 1;
    const mine = generation.current;
    setState((previous) => ({ ...previous, running: label, error: null }));
    try {
      const value = await work();
      if (mounted.current && mine === generation.current) setState({ running: null, value, error: null });
      return value;
    } catch (error) {
      if (mounted.current && mine === generation.current)
        setState((previous) => ({ ...previous, running: null, error: describeError(error) }));
      return undefined;
    }
  }, []);
  const clearError = useCallback(
    () => setState((previous) => (previous.error ? { ...previous, error: null } : previous)),
    [],
  );
  return { ...state, run, clearError };
}

/** Calls `poll` now and every `intervalMs` while `enabled`; a slow poll is never overlapped by the next. */
export function usePolling(poll: () => Promise<unknown>, intervalMs: number, enabled: boolean): void {
  const latest = useRef(poll);
  latest.current = poll;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      await latest.current().catch(() => {});
      // `tick` never rejects: a failed poll is caught above.
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [intervalMs, enabled]);
}
