import type { ChunkStore } from './chunk-store.ts';
import type { ConversationStore } from './conversation-store.ts';
import type { CoordinationStore } from './coordination-store.ts';
import type { DatasetStore } from './dataset-store.ts';
import type { KeyValueStore } from './key-value-store.ts';
import type { ModelRegistry } from './model-registry.ts';
import type { ThreadMessageStore } from './thread-message-store.ts';

/** Every store adapter implements all of these; one conformance suite checks each adapter. */
export type Store = ChunkStore &
  ConversationStore &
  DatasetStore &
  ModelRegistry &
  KeyValueStore &
  CoordinationStore &
  ThreadMessageStore;
