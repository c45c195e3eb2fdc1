// The embedding worker thread: loads local ONNX models (through @huggingface/transformers and onnxruntime-node)
// and answers requests with pooled (mean or CLS, as the model wants), unit-length vectors, so tokenising and forward passes never hold up the
// thread that answers questions. One such thread serves the whole process: onnxruntime-node keeps process-wide
// state that breaks when two threads run models (it aborts the process), so every local embedder shares this one.
//
// Questions come first: between two forward passes the worker takes a waiting query before any waiting passages,
// so a question waits at most for the one small batch of passages already running.
//
// Plain JavaScript on purpose: a worker thread starts without the TypeScript loader of its parent (tsx in
// production, Vite under vitest), and this file must load the same way under both.
//
// in:  { id, owner, texts: string[], query: boolean, model: { modelDir, allowRemote, dtype, source, pooling } }
//      or { dispose: owner } when that embedder closes (its model is let go)
// out: { type: 'loaded', ms, owner } once per owner; { type: 'disposed', owner } once its model is let go; per request
//      { id, vectors: Float32Array (texts x dimensions, row-major), dimensions }
//      or { id, error: string, loading: boolean } (loading: the model could not be loaded).
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { parentPort } from 'node:worker_threads';
import { env, pipeline } from '@huggingface/transformers';

/** Loaded (or loading) pipelines by owner: each embedder has its own, loaded on its first request. */
const pipelines = new Map();

function extractor(owner, model) {
  const key = owner;
  let loading = pipelines.get(key);
  if (!loading) {
    loading = (async () => {
      // transformers.js keeps these settings per thread; loads run one at a time, so setting them here is safe.
      env.localModelPath = model.modelDir;
      env.allowLocalModels = true;
      env.allowRemoteModels = model.allowRemote;
      // A downloaded model is saved where the local lookup finds it next time.
      env.cacheDir = model.modelDir;
      const started = performance.now();
      const run = await pipeline('feature-extraction', model.source, { dtype: model.dtype });
      parentPort.postMessage({ type: 'loaded', ms: Math.round(performance.now() - started), owner });
      return run;
    })().catch((error) => {
      // Let a later request try again (the operator may have fetched the model meanwhile).
      pipelines.delete(key);
      throw error;
    });
    pipelines.set(key, loading);
  }
  return loading;
}

const queries = [];
const passages = [];
let working = false;

async function embed(message) {
  let run;
  try {
    run = await extractor(message.owner, message.model);
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
      loading: true,
    });
    return;
  }
  try {
    const output = await run(message.texts, { pooling: message.model.pooling ?? 'mean', normalize: true });
    const dimensions = output.dims.at(-1);
    const vectors = Float32Array.from(output.data);
    output.dispose?.();
    parentPort.postMessage({ id: message.id, vectors, dimensions }, [vectors.buffer]);
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
      loading: false,
    });
  }
}

async function work() {
  if (working) return;
  working = true;
  try {
    for (;;) {
      // Yield once so that messages already sent are received before choosing what runs next.
      await new Promise((resolve) => setImmediate(resolve));
      const next = queries.shift() ?? passages.shift();
      if (!next) break;
      await embed(next);
    }
  } finally {
    working = false;
  }
}

parentPort.on('message', (message) => {
  if (message.dispose !== undefined) {
    const owner = message.dispose;
    const loading = pipelines.get(owner);
    pipelines.delete(owner);
    // Said when the model is let go: the process must not exit while onnxruntime releases a session (it aborts).
    Promise.resolve(loading)
      .then((run) => run?.dispose())
      .catch(() => undefined)
      .finally(() => parentPort.postMessage({ type: 'disposed', owner }));
    return;
  }
  (message.query ? queries : passages).push(message);
  void work();
});
