import { toAnswerloopError } from '../../errors/index.ts';
import type { KeyValueStore, Logger } from '../../ports/index.ts';

/** Key-value namespace of each source's change tokens and state, saved after a run's writes. */
const namespace = 'knowledge-source';

export interface SourceState {
  /** docId -> the change token the source gave when the document was last read and written. */
  tokens: Map<string, string>;
  state?: string;
}

interface StoredSourceState {
  tokens: Record<string, string>;
  state?: string;
}

export async function loadSourceState(
  store: KeyValueStore,
  key: string,
  logger: Logger,
): Promise<SourceState> {
  const raw = await store.getValue(namespace, key);
  if (raw === undefined) return { tokens: new Map() };
  try {
    const parsed = JSON.parse(raw) as StoredSourceState;
    return {
      tokens: new Map(Object.entries(parsed.tokens ?? {})),
      ...(parsed.state !== undefined ? { state: parsed.state } : {}),
    };
  } catch (error) {
    // Tokens only save work: without them every document is read again and compared by its hash.
    logger.warn(
      { key, error: toAnswerloopError(error).message },
      'the saved state of the source could not be read; every document is read again',
    );
    return { tokens: new Map() };
  }
}

export async function saveSourceState(
  store: KeyValueStore,
  key: string,
  state: SourceState,
  logger: Logger,
): Promise<void> {
  const value: StoredSourceState = {
    tokens: Object.fromEntries(state.tokens),
    ...(state.state !== undefined ? { state: state.state } : {}),
  };
  try {
    await store.setValue(namespace, key, JSON.stringify(value));
  } catch (error) {
    logger.warn(
      { key, error: toAnswerloopError(error).message },
      'the state of the source could not be saved; the next run reads every document again',
    );
  }
}
