/**
 * What the review queue and the datasets share: who acts, the dataset an example goes to, and writing an example
 * so that repeating an action changes nothing.
 */
import { InputError } from '../errors/index.ts';
import type { ChatMessage, Clock, DatasetStore, ExampleRecord } from '../ports/index.ts';
import { toOpenAiChatLine } from './dataset-export.ts';
import { assertDatasetName } from './dataset-reference.ts';
import { splitFor } from './train-validation-split.ts';

/** Says that secrets (of these kinds) were masked in what an operator typed, never the values. */
export function maskedSecretsWarning(what: string, kinds: readonly string[]): string {
  return `a secret was masked in the ${what} (${kinds.join(', ')}); write a placeholder such as <your key> instead`;
}

export type ExampleWritingStore = Pick<
  DatasetStore,
  'listDatasets' | 'saveDataset' | 'getExample' | 'saveExample'
>;

export interface ExampleWriter {
  /** Creates the dataset record the first time an example goes to it. */
  ensureDataset(name: string): Promise<void>;
  /**
   * Saves an example unless the same messages are already stored and fresh, so repeating an action changes
   * nothing; a rewrite keeps who created it and when, and clears the stale flag.
   */
  writeExample(
    fields: Pick<ExampleRecord, 'id' | 'dataset' | 'messages' | 'originConversationId' | 'sourceDocIds'>,
    reviewer: string,
  ): Promise<{ example: ExampleRecord; changed: boolean }>;
}

export function requireReviewer(reviewer: string): void {
  if (!reviewer.trim()) throw new InputError('Say who reviews: every review action records its reviewer.');
}

const sameMessages = (left: ChatMessage[], right: ChatMessage[]) =>
  toOpenAiChatLine(left) === toOpenAiChatLine(right);

/** `curation.validationShare` decides each example's split. */
export function createExampleWriter(
  store: ExampleWritingStore,
  clock: Clock,
  validationShare: number,
): ExampleWriter {
  return {
    async ensureDataset(name) {
      assertDatasetName(name);
      const existing = await store.listDatasets();
      if (!existing.some((dataset) => dataset.name === name)) {
        await store.saveDataset({ name, description: '', createdAt: clock.now().toISOString() });
      }
    },

    async writeExample(fields, reviewer) {
      const existing = await store.getExample(fields.id);
      if (existing && !existing.stale && sameMessages(existing.messages, fields.messages))
        return { example: existing, changed: false };
      const timestamp = clock.now().toISOString();
      const example: ExampleRecord = {
        ...fields,
        split: splitFor(fields.id, validationShare),
        stale: false,
        createdBy: existing?.createdBy ?? reviewer,
        createdAt: existing?.createdAt ?? timestamp,
        updatedAt: timestamp,
      };
      await store.saveExample(example);
      return { example, changed: true };
    },
  };
}
