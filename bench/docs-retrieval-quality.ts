import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalEmbedder } from '../src/core/adapters/local-embedder/index.ts';
import { createSqliteStore } from '../src/core/adapters/sqlite/index.ts';
import { createCore, type Embedder, loadConfig, silentLogger } from '../src/core/index.ts';
import type { RetrievalSettings } from '../src/core/retrieval/index.ts';
import {
  evaluateRetrieval,
  parseQaSet,
  type RetrievalEvaluation,
} from '../src/core/retrieval/retrieval-evaluation.ts';
import type { LocalModelForTests } from '../test/support/local-model.ts';
import { allModes } from './store-benchmarks.ts';

export interface FusionVariant {
  chunkTokens: number;
  rrfK: number;
  weights: { bm25: number; vector: number };
  recallAt5: number;
  mrr: number;
  ndcgAt5: number;
}

export interface DocsQualityResult {
  qaFile: string;
  questions: number;
  chunks: number;
  documents: number;
  settings: { chunkTokens: number; rrfK: number; weights: { bm25: number; vector: number } };
  evaluation: RetrievalEvaluation;
  /** Hybrid with other fusion settings and chunk sizes, best first (full run only). */
  variants: FusionVariant[];
}

/** Embeds each distinct text once for the whole run, so trying fusion settings costs no model time. */
export function rememberingEmbedder(inner: Embedder): Embedder {
  const known = new Map<string, number[]>();
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    async embed(texts, options) {
      // A model with a query instruction (bge) embeds a text differently as a question: one entry per purpose.
      const key = (text: string) => `${options?.purpose ?? 'passage'}\u0000${text}`;
      const missing = [...new Set(texts.filter((text) => !known.has(key(text))))];
      if (missing.length > 0)
        (await inner.embed(missing, options)).forEach((vector, index) =>
          known.set(key(missing[index]!), vector),
        );
      return texts.map((text) => known.get(key(text))!);
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

/**
 * Retrieval quality on the project's own manual: docs/ ingested with the real local model into an embedded
 * store, then the hand-written QA set through hybrid, BM25 and vector search. With `tune`, also hybrid under a
 * small grid of fusion weights, RRF constants and chunk sizes, to check the defaults by measurement.
 */
export async function measureDocsQuality(options: {
  projectRoot: string;
  qaFile: string;
  model: LocalModelForTests;
  tune: boolean;
  log: (line: string) => void;
}): Promise<DocsQualityResult> {
  const qa = parseQaSet(
    readFileSync(options.qaFile, 'utf8'),
    path.relative(options.projectRoot, options.qaFile),
  );
  const base = loadConfig({ cwd: options.projectRoot, env: {} });
  const local = base.embedder.local;
  const embedder = rememberingEmbedder(
    createLocalEmbedder({
      model: options.model.model,
      modelDir: options.model.modelDir,
      allowRemote: false,
      dtype: options.model.dtype,
      dimensions: local.dimensions,
      logger: silentLogger,
    }),
  );
  const docsDir = path.join(options.projectRoot, base.knowledge.docsDir);

  const withChunkSize = async <T>(
    chunkTokens: number,
    use: (context: {
      chunks: number;
      documents: number;
      run: (settings: RetrievalSettings, modes: typeof allModes) => Promise<RetrievalEvaluation>;
    }) => Promise<T>,
  ) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'answerloop-bench-docs-'));
    const config = loadConfig({
      cwd: options.projectRoot,
      env: { ANSWERLOOP_DATA_DIR: dataDir },
      overrides: {
        logFile: '',
        knowledge: {
          chunkTokens,
          chunkOverlapTokens: Math.min(base.knowledge.chunkOverlapTokens, Math.floor(chunkTokens / 4)),
        },
      },
    });
    const store = createSqliteStore({ file: path.join(dataDir, 'docs.db'), logger: silentLogger });
    const core = createCore({
      config,
      store,
      embedder: { ...embedder, close: undefined },
      logger: silentLogger,
    });
    try {
      const report = await core.ingest([docsDir]);
      const counts = await core.knowledgeCounts();
      if (report.failed.length > 0)
        throw new Error(
          `Ingesting ${docsDir} failed for ${report.failed.map((failure) => failure.docId).join(', ')}`,
        );
      return await use({
        ...counts,
        run: (settings, modes) => evaluateRetrieval(qa, { k: 5, modes }, { store, embedder, settings }),
      });
    } finally {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  try {
    options.log(
      `  ingesting ${path.relative(options.projectRoot, docsDir)}/ with ${options.model.model} (chunks of ${base.knowledge.chunkTokens} tokens)`,
    );
    const main = await withChunkSize(base.knowledge.chunkTokens, async ({ chunks, documents, run }) => {
      const evaluation = await run(base.retrieval, allModes);
      const variants: FusionVariant[] = [];
      if (options.tune) {
        for (const rrfK of [10, 30, 60]) {
          for (const vector of [1, 1.5, 2, 3]) {
            const weights = { bm25: 1, vector };
            const [hybrid] = (await run({ ...base.retrieval, rrfK, weights }, ['hybrid'])).modes;
            variants.push({
              chunkTokens: base.knowledge.chunkTokens,
              rrfK,
              weights,
              recallAt5: hybrid!.recallAtK,
              mrr: hybrid!.mrr,
              ndcgAt5: hybrid!.ndcgAtK,
            });
          }
        }
      }
      return { chunks, documents, evaluation, variants };
    });
    if (options.tune) {
      for (const chunkTokens of [120, 300].filter((size) => size !== base.knowledge.chunkTokens)) {
        options.log(`  trying chunks of ${chunkTokens} tokens`);
        await withChunkSize(chunkTokens, async ({ run }) => {
          const [hybrid] = (await run(base.retrieval, ['hybrid'])).modes;
          main.variants.push({
            chunkTokens,
            rrfK: base.retrieval.rrfK,
            weights: base.retrieval.weights,
            recallAt5: hybrid!.recallAtK,
            mrr: hybrid!.mrr,
            ndcgAt5: hybrid!.ndcgAtK,
          });
        });
      }
    }
    main.variants.sort((a, b) => b.recallAt5 - a.recallAt5 || b.mrr - a.mrr);
    return {
      qaFile: path.relative(options.projectRoot, options.qaFile),
      questions: qa.length,
      chunks: main.chunks,
      documents: main.documents,
      settings: {
        chunkTokens: base.knowledge.chunkTokens,
        rrfK: base.retrieval.rrfK,
        weights: base.retrieval.weights,
      },
      evaluation: main.evaluation,
      variants: main.variants,
    };
  } finally {
    await embedder.close?.();
  }
}
