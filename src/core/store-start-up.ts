import type { EmbeddingSpace, Store } from './ports/index.ts';

/** Methods that run before or without start-up: opening, a health check, closing. */
const beforeStartUp = new Set<PropertyKey>(['init', 'health', 'close']);

/**
 * The store that waits for its own start-up: its first use opens it for the embedder's space (once; a failed
 * start is tried again on the next use), so no service calls `ready()` before every method. `ready` is there for
 * the few that must know up front (a rebuild, which resets the space, takes the bare store instead).
 */
export function storeStartingOnFirstUse(
  store: Store,
  space: EmbeddingSpace,
): { store: Store; ready: () => Promise<void> } {
  let started: Promise<void> | undefined;
  const ready = () => {
    started ??= store.init(space).catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };
  const waiting = new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || beforeStartUp.has(property)) return value;
      return async (...args: unknown[]) => {
        await ready();
        return (value as (...args: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: waiting, ready };
}
