import { Worker } from 'node:worker_threads';
import { AnswerloopError } from '../../errors/index.ts';
import type { Embedder, Logger } from '../../ports/index.ts';
import {
  type LocalModelDtype,
  localModelProfile,
  localModelStatus,
  missingModelAdvice,
} from './local-model-files.ts';

export { localModelProfile, localModelStatus, type LocalModelStatus } from './local-model-files.ts';

export interface LocalEmbedderOptions {
  model: string;
  /** Absolute folder holding `<model>/`. */
  modelDir: string;
  allowRemote: boolean;
  dtype: LocalModelDtype;
  dimensions: number;
  logger: Logger;
  /** Passages per forward pass (default 1: batching gains nothing on a CPU, and a question waits for at most one). */
  batchSize?: number;
}

interface Pending {
  resolve(vectors: number[][]): void;
  reject(error: unknown): void;
  fail(reason: string, loading: boolean): AnswerloopError;
}

interface ModelOfRequest {
  modelDir: string;
  allowRemote: boolean;
  dtype: LocalModelDtype;
  source: string;
  pooling: 'mean' | 'cls';
}

type WorkerReply =
  | { type: 'loaded'; ms: number; owner: number }
  | { type: 'disposed'; owner: number }
  | { id: number; vectors: Float32Array; dimensions: number }
  | { id: number; error: string; loading: boolean };

/**
 * The process's one embedding worker thread (see embedding-worker.mjs for why there is only one). It starts on
 * first use and is never stopped: onnxruntime-node's native module cannot be loaded again by a second thread in
 * the same process. While it has nothing to do it does not keep the process alive.
 */
/** How long closing an embedder waits for the worker to let its model go. */
const disposeWaitMs = 5_000;

class EmbeddingThread {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private nextOwner = 0;
  /** The embedders using the thread, by owner number, with the logger each logs its model's loading to. */
  private readonly owners = new Map<number, { model: ModelOfRequest; logger: Logger }>();
  /** Closing embedders waiting for the worker to let their model go, by owner number. */
  private readonly disposing = new Map<number, () => void>();

  attach(model: ModelOfRequest, logger: Logger): number {
    const owner = this.nextOwner++;
    this.owners.set(owner, { model, logger });
    return owner;
  }

  /**
   * Lets the worker drop the embedder's model, and waits until it has (at most `disposeWaitMs`): a process that
   * exits while onnxruntime releases a session aborts ("terminate called after throwing an instance of
   * 'Napi::Error'"), so a command that closes core and ends must not end first. The thread itself lives as long as
   * the process (see above).
   */
  async detach(owner: number): Promise<void> {
    this.owners.delete(owner);
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.disposing.delete(owner);
        this.idle(worker);
        resolve();
      };
      const timer = setTimeout(done, disposeWaitMs);
      this.disposing.set(owner, done);
      worker.ref();
      worker.postMessage({ dispose: owner });
    });
  }

  /** With nothing asked of it, the worker does not keep the process alive. */
  private idle(worker: Worker): void {
    if (this.pending.size === 0 && this.disposing.size === 0) worker.unref();
  }

  embed(owner: number, texts: string[], query: boolean, fail: Pending['fail']): Promise<number[][]> {
    const worker = this.start();
    const id = this.nextId++;
    const answer = new Promise<number[][]>((resolve, reject) =>
      this.pending.set(id, { resolve, reject, fail }),
    );
    if (this.pending.size === 1) worker.ref();
    worker.postMessage({ id, owner, texts, query, model: this.owners.get(owner)!.model });
    return answer;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./embedding-worker.mjs', import.meta.url), {
      name: 'answerloop-embedder',
    });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      if ('type' in reply && reply.type === 'disposed') {
        this.disposing.get(reply.owner)?.();
        return;
      }
      if ('type' in reply) {
        const owner = this.owners.get(reply.owner);
        owner?.logger.info(
          { model: owner.model.source, dtype: owner.model.dtype, ms: reply.ms },
          'local embedding model loaded',
        );
        return;
      }
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      this.idle(worker);
      if ('error' in reply) {
        pending.reject(pending.fail(reply.error, reply.loading));
        return;
      }
      const vectors: number[][] = [];
      for (let offset = 0; offset < reply.vectors.length; offset += reply.dimensions) {
        vectors.push(Array.from(reply.vectors.subarray(offset, offset + reply.dimensions)));
      }
      pending.resolve(vectors);
    });
    const crashed = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const pending of waiting) pending.reject(pending.fail(reason, false));
      for (const done of [...this.disposing.values()]) done();
    };
    worker.on('error', (error) => crashed(error.message));
    worker.on('exit', (code) => crashed(`its worker thread stopped (exit code ${code})`));
    this.worker = worker;
    return worker;
  }
}

const sharedThread = new EmbeddingThread();

/**
 * An in-process sentence-embedding model (ONNX through @huggingface/transformers and onnxruntime-node) that runs
 * in a worker thread: pooled as the model wants (mean, or CLS for BGE), unit-length vectors, no network once the
 * model is in `modelDir`. A query (EmbedOptions.purpose) gets the model's query instruction in front, if it has one.
 *
 * An interactive call (a question, the sentences of its answer: see EmbedOptions.priority) goes ahead of passages
 * waiting in the worker (ingestion sends `batchSize` at a time), so answers stay fast while an ingest runs in the
 * same process, and the answering thread's event loop never waits for the model.
 */
export function createLocalEmbedder(options: LocalEmbedderOptions): Embedder {
  const { model, modelDir, allowRemote, dtype, dimensions, logger } = options;
  const batchSize = Math.max(1, options.batchSize ?? 1);
  const profile = localModelProfile(model);
  let opened: { owner: number; fail: Pending['fail'] } | undefined;

  function open(): { owner: number; fail: Pending['fail'] } {
    const status = localModelStatus({ model, modelDir, dtype });
    if (!status.present && !allowRemote) {
      throw new AnswerloopError('embedder_failed', missingModelAdvice(status, dtype), {
        details: { folder: status.folder, missing: status.missing },
      });
    }
    const source = status.present ? model : status.hubRepository;
    const fail = (reason: string, loading: boolean) =>
      loading
        ? new AnswerloopError(
            'embedder_failed',
            `${missingModelAdvice(localModelStatus({ model, modelDir, dtype }), dtype)} Loading it failed: ${reason}`,
            {
              details: { folder: status.folder, source },
            },
          )
        : new AnswerloopError('embedder_failed', `The local model ${model} failed to embed: ${reason}`);
    return {
      owner: sharedThread.attach({ modelDir, allowRemote, dtype, source, pooling: profile.pooling }, logger),
      fail,
    };
  }

  function checked(vectors: number[][], count: number): number[][] {
    const produced = vectors[0]?.length ?? dimensions;
    if (produced !== dimensions) {
      throw new AnswerloopError(
        'embedder_failed',
        `The local model ${model} produces ${produced}-dimension vectors but embedder.local.dimensions is ${dimensions}: set it to ${produced}.`,
      );
    }
    if (vectors.length !== count)
      throw new AnswerloopError(
        'embedder_failed',
        `The local model ${model} returned ${vectors.length} vectors for ${count} texts.`,
      );
    return vectors;
  }

  return {
    id: `local:${model}:${dtype}`,
    dimensions,
    async embed(given, embedOptions) {
      if (given.length === 0) return [];
      const texts =
        embedOptions?.purpose === 'query' && profile.queryPrefix
          ? given.map((text) => profile.queryPrefix + text)
          : given;
      opened ??= open();
      const { owner, fail } = opened;
      const interactive =
        (embedOptions?.priority ?? (texts.length === 1 ? 'interactive' : 'background')) === 'interactive';
      if (interactive) {
        // One forward pass, ahead of any passages waiting: a person waits on it.
        const vectors = checked(await sharedThread.embed(owner, texts, true, fail), texts.length);
        embedOptions?.onProgress?.(texts.length, texts.length);
        return vectors;
      }
      // Every batch is sent at once; the worker runs them in order, taking any question in between.
      const batches: string[][] = [];
      for (let start = 0; start < texts.length; start += batchSize)
        batches.push(texts.slice(start, start + batchSize));
      let done = 0;
      const results = await Promise.all(
        batches.map(async (batch) => {
          const vectors = checked(await sharedThread.embed(owner, batch, false, fail), batch.length);
          done += batch.length;
          embedOptions?.onProgress?.(done, texts.length);
          return vectors;
        }),
      );
      return results.flat();
    },
    async close() {
      if (!opened) return;
      const { owner } = opened;
      opened = undefined;
      await sharedThread.detach(owner);
    },
  };
}
