export interface EmbedOptions {
  onProgress?: (done: number, total: number) => void;
  priority?: 'interactive' | 'background';
  /**
   * What the texts are: `query` for a search question, `passage` (the default) for anything that is searched for.
   * Models trained with a query instruction (BGE) put it before a query; others ignore this.
   */
  purpose?: 'query' | 'passage';
}

export interface Embedder {
  /** Identifies the model and its settings; stored with the index so a switch is detected. */
  readonly id: string;
  readonly dimensions: number;
  /**
   * Unit-length vectors, one per text, in order. `onProgress` reports texts done so far. `priority`: `interactive`
   * for work a person waits on (a question, the sentences of its answer), which an embedder running locally
   * takes before `background` work (ingestion) already waiting; the default is interactive for one text,
   * background for more.
   */
  embed(texts: string[], options?: EmbedOptions): Promise<number[][]>;
  close?(): Promise<void>;
}
