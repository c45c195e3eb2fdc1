import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The ONNX files of one model, by precision: int8 is the per-channel dynamic int8 file (the default, about twice as
 * fast as q8 on a CPU), q8 the per-tensor int8 file fetched ready-made, fp32 the full-precision export.
 */
export type LocalModelDtype = 'int8' | 'q8' | 'fp32';

/** The ONNX file transformers.js loads for each precision. */
export const onnxFileOf: Record<LocalModelDtype, string> = {
  int8: 'onnx/model_int8.onnx',
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
};

/**
 * Short names we ship under, and the model hub repository holding the same model in ONNX form, used only
 * when downloads are allowed and the model is not in modelDir.
 */
const hubRepositories: Record<string, string> = {
  'all-MiniLM-L6-v2': 'Xenova/all-MiniLM-L6-v2',
  'bge-small-en-v1.5': 'Xenova/bge-small-en-v1.5',
};

/** How a model turns its token outputs into one vector, and what it wants in front of a search query. */
export interface LocalModelProfile {
  /** mean: the average of the token vectors (sentence-transformers models); cls: the first token's vector (BGE). */
  pooling: 'mean' | 'cls';
  /** Text put before a question (never before a passage), as the model was trained. */
  queryPrefix: string;
}

const profiles: Record<string, LocalModelProfile> = {
  'bge-small-en-v1.5': {
    pooling: 'cls',
    queryPrefix: 'Represent this sentence for searching relevant passages: ',
  },
};

/** The pooling and query prefix of a model we know; any other model is taken to be a mean-pooled one. */
export function localModelProfile(model: string): LocalModelProfile {
  return profiles[model] ?? { pooling: 'mean', queryPrefix: '' };
}

export interface LocalModelStatus {
  /** True when every file the model needs is in `folder`. */
  present: boolean;
  /** Where the model is looked for: `<modelDir>/<model>`. */
  folder: string;
  /** Files (relative to `folder`) that are missing. */
  missing: string[];
  /** The model hub repository a download would use when allowed. */
  hubRepository: string;
}

/** Whether the model's files are in `<modelDir>/<model>/`, so it loads without any network. */
export function localModelStatus(options: {
  model: string;
  modelDir: string;
  dtype: LocalModelDtype;
}): LocalModelStatus {
  const folder = path.join(options.modelDir, options.model);
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileOf[options.dtype]];
  const missing = needed.filter((file) => !existsSync(path.join(folder, file)));
  return {
    present: missing.length === 0,
    folder,
    missing,
    hubRepository: hubRepositories[options.model] ?? options.model,
  };
}

/** What an operator can do when the model is missing: every way to get it, in order of preference. */
export function missingModelAdvice(status: LocalModelStatus, dtype: LocalModelDtype): string {
  return (
    `The local embedding model is not in ${status.folder} (missing: ${status.missing.join(', ')}). ` +
    'Get it with `npm run model:fetch` (it downloads all-MiniLM-L6-v2 into ./models and builds its int8 and fp32 files), ' +
    (dtype === 'q8' ? '' : 'or set embedder.local.dtype: q8 (the ready-made file, when building fails), ') +
    'or set embedder.local.modelDir to a folder that holds it, ' +
    `or set embedder.local.allowRemote: true to download ${status.hubRepository} (${dtype}) from the Hugging Face hub on first use.`
  );
}
