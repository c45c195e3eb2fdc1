export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type Split = 'train' | 'validation';

export interface ExampleRecord {
  id: string;
  dataset: string;
  /** System prompt, user turn with the numbered sources exactly as at inference, then the approved answer. */
  messages: ChatMessage[];
  originConversationId: string | null;
  /** Documents the sources came from: a change to one flags the example stale. */
  sourceDocIds: string[];
  split: Split;
  stale: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DatasetRecord {
  name: string;
  description: string;
  createdAt: string;
}

/** An immutable snapshot of a dataset's examples; training always names one. */
export interface DatasetVersionRecord {
  dataset: string;
  version: number;
  createdAt: string;
  createdBy: string;
  examples: ExampleRecord[];
  /** The validation and scrubbing report made when the snapshot was taken. */
  report: Record<string, unknown>;
}

export interface DatasetStore {
  saveDataset(dataset: DatasetRecord): Promise<void>;
  listDatasets(): Promise<DatasetRecord[]>;
  /** Inserts or replaces. */
  saveExample(example: ExampleRecord): Promise<void>;
  getExample(id: string): Promise<ExampleRecord | undefined>;
  listExamples(query: {
    dataset?: string;
    stale?: boolean;
    originConversationId?: string;
    sourceDocId?: string;
  }): Promise<ExampleRecord[]>;
  deleteExample(id: string): Promise<void>;
  /** Fails with a `conflict` AnswerloopError if the version exists: versions are immutable. */
  saveDatasetVersion(version: DatasetVersionRecord): Promise<void>;
  getDatasetVersion(dataset: string, version: number): Promise<DatasetVersionRecord | undefined>;
  /** Newest first; without examples' bodies is fine to return in full. */
  listDatasetVersions(dataset?: string): Promise<DatasetVersionRecord[]>;
}
