import { existsSync } from 'node:fs';
import path from 'node:path';

export type LocalModelDtype = 'q8' | 'fp32';

/** The ONNX file transformers.js loads for each precision. */
export const onnxFileOf: Record<LocalModelDtype, string> = {
  q8: 'onnx/model_quantized.onnx',
  fp32: 'onnx/model.onnx',
};

/**
 * Short names we ship under, and the model hub repository holding the same model in ONNX form, used only
 * when downloads are allowed and the model is not in modelDir.
 */
const hubRepositories: Record<string, string> = {
  'all-MiniLM-L6-v2': 'Xenova/all-MiniLM-L6-v2',
};

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
export function localModelStatus(options: { model: string; modelDir: string; dtype: LocalModelDtype }): LocalModelStatus {
  const folder = path.join(options.modelDir, options.model);
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileOf[options.dtype]];
  const missing = needed.filter((file) => !existsSync(path.join(folder, file)));
  return { present: missing.length === 0, folder, missing, hubRepository: hubRepositories[options.model] ?? options.model };
}

/** What an operator can do when the model is missing: every way to get it, in order of preference. */
export function missingModelAdvice(status: LocalModelStatus, dtype: LocalModelDtype): string {
  return (
    `The local embedding model is not in ${status.folder} (missing: ${status.missing.join(', ')}). ` +
    'Get it with `npm run model:fetch` (it downloads all-MiniLM-L6-v2 into ./models), ' +
    'or set embedder.local.modelDir to a folder that holds it, ' +
    `or set embedder.local.allowRemote: true to download ${status.hubRepository} (${dtype}) from the Hugging Face hub on first use.`
  );
}
