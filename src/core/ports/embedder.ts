export interface Embedder {
  /** Identifies the model and its settings; stored with the index so a switch is detected. */
  readonly id: string;
  readonly dimensions: number;
  /** Unit-length vectors, one per text, in order. `onProgress` reports texts done so far. */
  embed(texts: string[], options?: { onProgress?: (done: number, total: number) => void }): Promise<number[][]>;
  close?(): Promise<void>;
}
