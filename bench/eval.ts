/**
 * `npm run eval [-- --quick] [-- --corpus a,b] [-- --stores embedded,elasticsearch] [-- --fit] [-- --grid]`
 *
 * Answer quality on documentation we did not write. For every evaluation corpus (test/fixtures/eval/<name>/, each
 * with a corpus.json, its pages and a QA set) and our own docs/, on the embedded store and on Elasticsearch when a
 * node answers: the corpus is ingested into a fresh store with the real local model, then `eval retrieval` (BM25,
 * vector, hybrid with reciprocal rank fusion and with convex fusion, side by side) and `eval answers` (refusals,
 * citations, similarity to the reference answers) run on its QA set. One table; the JSON goes to bench/results/.
 *
 *   --quick   embedded store only, answers on at most 40 questions per corpus (CI)
 *   --fit     choose an answerability model on the tuning corpus (5-fold cross-validation over feature sets and L2),
 *             fit it there with a threshold refusing at most 5% of answerable questions, and print every corpus
 *             with the shipped model and the refitted one side by side (run it without --quick)
 *   --grid    also try convex weights and normalisations (tuning only: read the tuning corpus's rows)
 *   --dtypes fp32,int8,q8
 *             the same evaluation with each local model file (embedded store unless --stores says otherwise),
 *             side by side with fp32's figures; the other tables show the configured dtype (or the first given)
 *   --answering local
 *             also answer with the local chat model (answering.mode local: the sufficiency check and the answer),
 *             side by side with the offline figures on the same questions; needs `npm run model:fetch -- --llm`
 *   --limit N questions per corpus for the model (spread over every kind; default: all of them)
 *   --answering openai
 *             the same with OpenAI (needs OPENAI_API_KEY; without it the run stops: the tests' recorded replies
 *             check the prompt's behaviour, they are not OpenAI's answers to these questions)
 *   --judge-only
 *             with --answering: the refusal decision only (the answerability score, then the sufficiency check in
 *             the grey band) on the offline run's retrievals and scores, once with each sufficiency prompt
 *             (--prompts), side by side; no answer is written, so the model's own "I don't know" in an answer is
 *             not counted (refusals are a lower bound) and there are no citation figures
 *   --prompts decision,verdict,quote
 *             the ways of judging --judge-only compares (default decision,verdict: the probability of yes held to
 *             answering.sufficiency.yesAbove, and the written verdict; answering.sufficiency.judge is the one ask()
 *             uses)
 *   --llm FILE another GGUF file for --answering local (default: answering.local.modelPath)
 *   --fresh   ingest into new stores instead of the cached ones in data/eval-cache/ (incremental ingestion skips
 *             unchanged pages, so a cached store is the same store; the cache is keyed by the knowledge settings,
 *             the embedder and the ingestion code, so a change to what is stored starts a new cache)
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLocalEmbedder } from '../src/core/adapters/local-embedder/index.ts';
import { type LocalModelDtype, onnxFileOf } from '../src/core/adapters/local-embedder/local-model-files.ts';
import { deleteIndices } from '../test/support/elasticsearch.ts';
import { rememberingEmbedder } from './docs-retrieval-quality.ts';
import { type FirstRelevantRanks, type MissedByCause, missCauses, missedByCause } from './missed-by-cause.ts';
import {
  type AnswerabilityFeatureName,
  type AnswerabilityModel,
  answerabilityScore,
  fitAnswerabilityModel,
  type LabelledFeatures,
} from '../src/core/answering/answerability.ts';
import { retrievalConfidence } from '../src/core/answering/confidence.ts';
import {
  checkSufficiency,
  combineVerdict,
  type SufficiencyJudge,
  type SufficiencyPromptStyle,
  sufficiencyGate,
} from '../src/core/answering/sufficiency.ts';
import { lazyOpenAi, openLocalModel } from '../src/core/adapters/choose-adapters.ts';
import { checkLocalModelFile, localModelName } from '../src/core/adapters/local-llm/index.ts';
import { type AnswerQualityEvaluation, evaluateAnswers } from '../src/core/evaluation/answer-quality.ts';
import { calibrateRefusal } from '../src/core/evaluation/refusal-calibration.ts';
import {
  type AskResult,
  type Config,
  type Core,
  createCore,
  type Embedder,
  loadConfig,
  resolveConfigPath,
  silentLogger,
} from '../src/core/index.ts';
import type { RetrievalSettings, SearchMode } from '../src/core/retrieval/index.ts';
import { parseQaSet, type QaItem } from '../src/core/retrieval/retrieval-evaluation.ts';

const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/**
 * The ingestion code's fingerprint (every file under src/core/knowledge): a cached store written by other code (say,
 * before a change to which sentences are stored) would skip its unchanged pages and keep what the old code stored.
 */
const ingestionCode = (() => {
  const hash = createHash('sha256');
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) hash.update(entry.name).update(readFileSync(full));
    }
  };
  visit(path.join(projectRoot, 'src/core/knowledge'));
  return hash.digest('hex').slice(0, 12);
})();

interface CorpusManifest {
  name: string;
  /** tuning: defaults may be chosen on it; checking: only ever reported; own: the project's own manual. */
  role: 'tuning' | 'checking' | 'own';
  pages: string;
  qa: string;
  description: string;
}

interface RetrievalRow {
  method: string;
  recallAt5: number;
  mrr: number;
}

interface CorpusResult {
  corpus: string;
  role: CorpusManifest['role'];
  store: 'embedded' | 'elasticsearch';
  /** The local model file the corpus was embedded with. */
  dtype: LocalModelDtype;
  documents: number;
  chunks: number;
  ingestSeconds: number;
  questions: number;
  retrieval: RetrievalRow[];
  answers: AnswerQualityEvaluation;
  /** The questions of `answers` still answered wrongly, each with its first cause (see missed-by-cause.ts). */
  missed: MissedByCause;
  /** With --answering local: the local model's answers and the offline ones on the same questions. */
  modelAnswers?: ModelAnswers;
  /** The previous method on the same questions: RRF, then a hand-set confidence from the best raw leg scores. */
  previousRefusal: {
    threshold: number;
    unanswerableRefused: number | null;
    answerableRefused: number | null;
  };
}

interface AnswerFigures {
  questions: number;
  unanswerableRefused: number | null;
  answerableRefused: number;
  citesRelevant: number;
  /** Share of the answered questions whose answer cites at least one (valid) source. */
  cites: number;
}

interface ModelAnswers {
  model: string;
  judgeOnly: boolean;
  secondsPerQuestion: number;
  /** Questions whose score fell in the grey band, which cost a check (per variant). */
  checked: number;
  offline: AnswerFigures;
  /** One variant with full answers (the configured prompt); with --judge-only, one per sufficiency prompt. */
  variants: Array<{ name: string; figures: AnswerFigures }>;
  questions: Array<{
    question: string;
    kind: string;
    confidence: number;
    offlineRefused: boolean;
    /** By variant name. */
    refused: Record<string, boolean>;
    sufficiency: Record<string, AskResult['sufficiency'] | null>;
    citedRelevant: boolean;
    answer: string;
  }>;
}

function answerFigures(outcomes: AnswerQualityEvaluation['questions']): AnswerFigures {
  const unanswerable = outcomes.filter((outcome) => outcome.kind === 'unanswerable');
  const answerable = outcomes.filter((outcome) => outcome.kind !== 'unanswerable');
  const answered = outcomes.filter((outcome) => !outcome.refused);
  const share = (items: typeof outcomes, test: (outcome: (typeof outcomes)[number]) => boolean) =>
    items.length === 0 ? 0 : items.filter(test).length / items.length;
  return {
    questions: outcomes.length,
    unanswerableRefused: unanswerable.length === 0 ? null : share(unanswerable, (outcome) => outcome.refused),
    answerableRefused: share(answerable, (outcome) => outcome.refused),
    citesRelevant: share(answerable, (outcome) => !outcome.refused && outcome.citedRelevant.length > 0),
    cites: share(answered, (outcome) => outcome.cited.length > 0),
  };
}

/** The hand-set confidence threshold the previous method shipped with. */
const previousThreshold = 0.35;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    corpus: { type: 'string' },
    stores: { type: 'string' },
    fit: { type: 'boolean', default: false },
    grid: { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    dtypes: { type: 'string' },
    answering: { type: 'string' },
    limit: { type: 'string' },
    llm: { type: 'string' },
    prompts: { type: 'string' },
    'judge-only': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const answeringWith = flags.answering as 'local' | 'openai' | undefined;
if (answeringWith !== undefined && answeringWith !== 'local' && answeringWith !== 'openai')
  throw new Error(`Unknown --answering "${String(flags.answering)}": choose local or openai.`);
if (flags.help) {
  process.stdout.write(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('*/')[0]!
      .replace(/^\/\*\*?|^ \* ?/gm, ''),
  );
  process.exit(0);
}

function corpora(): CorpusManifest[] {
  const root = path.join(projectRoot, 'test/fixtures/eval');
  const found = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'corpus.json')))
    .map((name) => {
      const manifest = JSON.parse(readFileSync(path.join(root, name, 'corpus.json'), 'utf8')) as Omit<
        CorpusManifest,
        'pages' | 'qa'
      > & { pages: string; qa: string };
      return {
        ...manifest,
        pages: path.join('test/fixtures/eval', name, manifest.pages),
        qa: path.join('test/fixtures/eval', name, manifest.qa),
      };
    });
  found.push({
    name: 'answerloop-docs',
    role: 'own',
    pages: 'docs',
    qa: 'test/fixtures/qa/docs-qa.jsonl',
    description: 'our own manual',
  });
  const order = { tuning: 0, checking: 1, own: 2 };
  const wanted = flags.corpus?.split(',').map((name) => name.trim());
  return found
    .filter((corpus) => !wanted || wanted.includes(corpus.name))
    .sort((a, b) => order[a.role] - order[b.role]);
}

async function elasticsearchUrl(): Promise<string | undefined> {
  const url = (process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200').replace(/\/$/, '');
  try {
    const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

const base = loadConfig({ cwd: projectRoot, env: {} });
const local = base.embedder.local;
const localModelDtypes = Object.keys(onnxFileOf) as LocalModelDtype[];
const dtypes = (flags.dtypes?.split(',').map((dtype) => dtype.trim()) ?? [local.dtype]) as LocalModelDtype[];
for (const dtype of dtypes)
  if (!localModelDtypes.includes(dtype))
    throw new Error(`Unknown dtype "${dtype}" in --dtypes: choose from ${localModelDtypes.join(', ')}.`);
const embedders = new Map(
  dtypes.map((dtype) => [
    dtype,
    rememberingEmbedder(
      createLocalEmbedder({
        model: local.model,
        modelDir: resolveConfigPath(base, local.modelDir),
        allowRemote: false,
        dtype,
        dimensions: local.dimensions,
        logger: silentLogger,
      }),
    ),
  ]),
);
/** The dtype of the main tables: the configured one when it was evaluated, else the first given. */
const mainDtype = dtypes.includes(local.dtype) ? local.dtype : dtypes[0]!;

function retrievalVariants(): Array<{
  method: string;
  mode: SearchMode;
  settings?: Partial<RetrievalSettings>;
}> {
  const variants: Array<{ method: string; mode: SearchMode; settings?: Partial<RetrievalSettings> }> = [
    { method: 'bm25', mode: 'bm25' },
    { method: 'vector', mode: 'vector' },
    { method: 'hybrid rrf', mode: 'hybrid', settings: { fusion: 'rrf' } },
    { method: 'hybrid convex', mode: 'hybrid', settings: { fusion: 'convex' } },
  ];
  if (flags.grid) {
    for (const normalisation of ['min-max', 'theoretical-min'] as const)
      for (const vectorWeight of [0.5, 0.6, 0.7, 0.8, 0.9])
        variants.push({
          method: `convex ${normalisation} a=${vectorWeight}`,
          mode: 'hybrid',
          settings: { fusion: 'convex', convex: { vectorWeight, normalisation } },
        });
    for (const vector of [1, 1.5, 2, 3])
      variants.push({
        method: `rrf vector x${vector}`,
        mode: 'hybrid',
        settings: { fusion: 'rrf', weights: { bm25: 1, vector } },
      });
  }
  return variants;
}

async function evaluateCorpus(
  corpus: CorpusManifest,
  store: 'embedded' | 'elasticsearch',
  esUrl: string | undefined,
  dtype: LocalModelDtype,
): Promise<CorpusResult> {
  const embedder = embedders.get(dtype)!;
  const qa: QaItem[] = parseQaSet(readFileSync(path.join(projectRoot, corpus.qa), 'utf8'), corpus.qa);
  const { chunkTokens, chunkOverlapTokens } = base.knowledge;
  const settingsKey = createHash('sha256')
    .update(
      JSON.stringify({ chunkTokens, chunkOverlapTokens, embedder: embedder.id, ingestion: ingestionCode }),
    )
    .digest('hex')
    .slice(0, 10);
  const dataDir = flags.fresh
    ? mkdtempSync(path.join(os.tmpdir(), `answerloop-eval-${corpus.name}-`))
    : path.join(projectRoot, 'data/eval-cache', `${corpus.name}-${store}-${settingsKey}`);
  mkdirSync(dataDir, { recursive: true });
  const indexPrefix =
    `answerloop-eval-${corpus.name}-${flags.fresh ? process.pid : settingsKey}`.toLowerCase();
  const config = loadConfig({
    cwd: projectRoot,
    env: {
      ANSWERLOOP_DATA_DIR: dataDir,
      ANSWERLOOP_STORE: store,
      ...(esUrl ? { ELASTICSEARCH_URL: esUrl } : {}),
    },
    overrides: { logFile: '', answering: { mode: 'offline' }, store: { elasticsearch: { indexPrefix } } },
  });
  const core = createCore({ config, embedder, logger: silentLogger });
  try {
    const started = performance.now();
    const report = await core.ingest([path.join(projectRoot, corpus.pages)]);
    if (report.failed.length > 0)
      throw new Error(
        `Ingesting ${corpus.pages} failed for ${report.failed.map((failure) => failure.docId).join(', ')}`,
      );
    const ingestSeconds = (performance.now() - started) / 1000;
    const counts = await core.knowledgeCounts();
    const retrieval: RetrievalRow[] = [];
    const ranksOf = new Map<string, FirstRelevantRanks>();
    for (const variant of retrievalVariants()) {
      const evaluation = await core.evaluateRetrieval(qa, {
        k: 5,
        modes: [variant.mode],
        settings: variant.settings,
      });
      if (evaluation.unknownRelevant.length > 0)
        throw new Error(
          `${corpus.qa} names pages that are not in ${corpus.pages}: ${evaluation.unknownRelevant.join(', ')}`,
        );
      const mode = evaluation.modes[0]!;
      retrieval.push({ method: variant.method, recallAt5: mode.recallAtK, mrr: mode.mrr });
      ranksOf.set(
        variant.method,
        new Map(mode.questions.map((question) => [question.question, question.firstRelevantRank])),
      );
    }
    const answerQa = flags.quick ? spread(qa, 40) : qa;
    const answers = await core.evaluateAnswers(answerQa);
    const missed = missedByCause(
      answers.questions,
      {
        hybrid: ranksOf.get(`hybrid ${config.retrieval.fusion}`)!,
        bm25: ranksOf.get('bm25')!,
        vector: ranksOf.get('vector')!,
      },
      5,
    );
    let unanswerableRefused = 0;
    let answerableRefused = 0;
    // The same store read through the previous settings: rank fusion.
    const previousConfig = loadConfig({
      cwd: projectRoot,
      env: {
        ANSWERLOOP_DATA_DIR: dataDir,
        ANSWERLOOP_STORE: store,
        ...(esUrl ? { ELASTICSEARCH_URL: esUrl } : {}),
      },
      overrides: {
        logFile: '',
        answering: { mode: 'offline' },
        store: { elasticsearch: { indexPrefix } },
        retrieval: { fusion: 'rrf' },
      },
    });
    const previous = createCore({ config: previousConfig, embedder, logger: silentLogger });
    for (const item of answerQa) {
      const found = await previous.search(item.question, { k: config.retrieval.k });
      const refused =
        found.hits.length === 0 || retrievalConfidence(found.hits, found.queryTerms) < previousThreshold;
      if (refused && item.kind === 'unanswerable') unanswerableRefused += 1;
      if (refused && item.kind !== 'unanswerable') answerableRefused += 1;
    }
    await previous.close();
    const modelAnswers = !answeringWith
      ? undefined
      : flags['judge-only']
        ? await judgeWithModel(corpus, core, config, answerQa, answers)
        : await answerWithModel(corpus, store, esUrl, dataDir, indexPrefix, embedder, answerQa, answers);
    const unanswerableCount = answerQa.filter((item) => item.kind === 'unanswerable').length;
    const previousRefusal = {
      threshold: previousThreshold,
      unanswerableRefused: unanswerableCount === 0 ? null : unanswerableRefused / unanswerableCount,
      answerableRefused: answerableRefused / Math.max(1, answerQa.length - unanswerableCount),
    };
    return {
      corpus: corpus.name,
      role: corpus.role,
      store,
      dtype,
      ...counts,
      ingestSeconds,
      questions: qa.length,
      retrieval,
      answers,
      missed,
      ...(modelAnswers ? { modelAnswers } : {}),
      previousRefusal,
    };
  } finally {
    await core.close();
    if (flags.fresh) {
      if (store === 'elasticsearch' && esUrl) await deleteIndices(esUrl, indexPrefix);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

/** The same store answered by the chat model of --answering: the sufficiency check and the answer, through ask(). */
async function answerWithModel(
  corpus: CorpusManifest,
  store: 'embedded' | 'elasticsearch',
  esUrl: string | undefined,
  dataDir: string,
  indexPrefix: string,
  embedder: Embedder,
  answerQa: QaItem[],
  offline: AnswerQualityEvaluation,
): Promise<ModelAnswers> {
  const qa = flags.limit ? spread(answerQa, Number(flags.limit)) : answerQa;
  const config = loadConfig({
    cwd: projectRoot,
    env: {
      ANSWERLOOP_DATA_DIR: dataDir,
      ANSWERLOOP_STORE: store,
      ...(esUrl ? { ELASTICSEARCH_URL: esUrl } : {}),
    },
    overrides: {
      logFile: '',
      answering: {
        mode: answeringWith,
        local: flags.llm ? { modelPath: path.resolve(flags.llm) } : {},
      },
      store: { elasticsearch: { indexPrefix } },
    },
  });
  const core = createCore({ config, embedder, logger: silentLogger });
  const verdicts = new Map<string, AskResult>();
  try {
    await core.prepareToServe();
    const started = performance.now();
    let done = 0;
    const evaluation = await evaluateAnswers(qa, {
      embedder,
      ask: async (input, options) => {
        const result = await core.ask(input, options ?? {});
        verdicts.set(input.question, result);
        done += 1;
        process.stdout.write(
          `\r    ${corpus.name}: ${done}/${qa.length} with the ${answeringWith} model (${((performance.now() - started) / 1000 / done).toFixed(1)} s per question)`,
        );
        return result;
      },
    });
    process.stdout.write('\n');
    const offlineOutcomes = offline.questions.filter((outcome) =>
      qa.some((item) => item.question === outcome.question),
    );
    return {
      model: evaluation.model,
      judgeOnly: false,
      secondsPerQuestion: (performance.now() - started) / 1000 / qa.length,
      checked: [...verdicts.values()].filter((result) => result.sufficiency?.gate === 'grey').length,
      offline: answerFigures(offlineOutcomes),
      variants: [{ name: answeringWith!, figures: answerFigures(evaluation.questions) }],
      questions: evaluation.questions.map((outcome) => ({
        question: outcome.question,
        kind: outcome.kind,
        confidence: outcome.confidence,
        offlineRefused: offlineOutcomes.find((item) => item.question === outcome.question)?.refused ?? false,
        refused: { [answeringWith!]: outcome.refused },
        sufficiency: { [answeringWith!]: verdicts.get(outcome.question)?.sufficiency ?? null },
        citedRelevant: outcome.citedRelevant.length > 0,
        answer: outcome.answer.slice(0, 300),
      })),
    };
  } finally {
    await core.close();
  }
}

/** The judge of --answering, loaded once for every corpus: the local model, or OpenAI's base chat model. */
let judgeModel: { judge: SufficiencyJudge; close: () => Promise<void> } | undefined;

function judgeOf(): { judge: SufficiencyJudge; close: () => Promise<void> } {
  if (judgeModel) return judgeModel;
  if (answeringWith === 'local') {
    const model = openLocalModel(
      loadConfig({
        cwd: projectRoot,
        env: {},
        overrides: { answering: { local: flags.llm ? { modelPath: path.resolve(flags.llm) } : {} } },
      }),
      silentLogger,
    );
    checkLocalModelFile(model.modelPath);
    judgeModel = { judge: { model, name: localModelName(model.modelPath) }, close: () => model.close() };
  } else {
    if (!process.env.OPENAI_API_KEY)
      throw new Error(
        '--answering openai needs OPENAI_API_KEY: the refusal of the OpenAI path is measured on OpenAI itself. ' +
          "The recorded replies of the tests (test/fixtures/openai-replies/) check the prompt's behaviour, not its rates.",
      );
    const keyed = loadConfig({ cwd: projectRoot, env: { OPENAI_API_KEY: process.env.OPENAI_API_KEY } });
    judgeModel = {
      judge: { model: lazyOpenAi(keyed, silentLogger, {}).chatModel(), name: keyed.openai.chatModel },
      close: () => Promise.resolve(),
    };
  }
  return judgeModel;
}

/**
 * --judge-only: ask()'s refusal decision with the judge of --answering, on the same retrievals and answerability
 * scores as the offline run, once with each sufficiency prompt (--prompts), side by side. Only questions in the grey
 * band cost a check; outside it the score decides, as in ask().
 */
async function judgeWithModel(
  corpus: CorpusManifest,
  core: Core,
  config: Config,
  answerQa: QaItem[],
  offline: AnswerQualityEvaluation,
): Promise<ModelAnswers> {
  const qa = flags.limit ? spread(answerQa, Number(flags.limit)) : answerQa;
  const { judge } = judgeOf();
  const settings = base.answering.sufficiency;
  const styles = promptStyles();
  const started = performance.now();
  const questions: ModelAnswers['questions'] = [];
  let checked = 0;
  for (const [index, item] of qa.entries()) {
    const outcome = offline.questions.find((entry) => entry.question === item.question)!;
    const found = await core.search(item.question, { k: config.retrieval.k });
    const gate = sufficiencyGate(outcome.confidence, settings);
    const refused: Record<string, boolean> = {};
    const verdicts: Record<string, AskResult['sufficiency'] | null> = {};
    if (gate === 'grey' && found.hits.length > 0) checked += 1;
    for (const style of styles) {
      if (found.hits.length === 0) {
        refused[style] = true;
        verdicts[style] = null;
        continue;
      }
      const verdict =
        gate === 'grey'
          ? await checkSufficiency(
              judge,
              item.question,
              found.hits.map((hit) => ({
                title: hit.chunk.title,
                headingPath: hit.chunk.headingPath,
                text: hit.chunk.text,
              })),
              settings,
              silentLogger,
              undefined,
              style,
            )
          : { sufficient: null, reason: '', model: '', latencyMs: 0 };
      const decision = combineVerdict(
        outcome.confidence,
        { gate, sufficient: verdict.sufficient },
        base.answering.refusalThreshold,
      );
      refused[style] = decision === 'refuse';
      verdicts[style] = { gate, ...verdict, decision };
    }
    questions.push({
      question: item.question,
      kind: item.kind,
      confidence: outcome.confidence,
      offlineRefused: outcome.refused,
      refused,
      sufficiency: verdicts,
      citedRelevant: outcome.citedRelevant.length > 0,
      answer: outcome.answer.slice(0, 300),
    });
    process.stdout.write(
      `\r    ${corpus.name}: ${index + 1}/${qa.length} judged by ${judge.name} (${checked} checked, ${((performance.now() - started) / 1000 / Math.max(1, checked * styles.length)).toFixed(1)} s per check)`,
    );
  }
  process.stdout.write('\n');
  const offlineOutcomes = offline.questions.filter((outcome) =>
    qa.some((item) => item.question === outcome.question),
  );
  return {
    model: judge.name,
    judgeOnly: true,
    secondsPerQuestion: (performance.now() - started) / 1000 / qa.length,
    checked,
    offline: answerFigures(offlineOutcomes),
    variants: styles.map((style) => ({
      name: style === 'decision' ? `decision, yes >= ${settings.yesAbove}` : `${style} prompt`,
      figures: answerFigures(
        offlineOutcomes.map((outcome) => ({
          ...outcome,
          refused: questions.find((entry) => entry.question === outcome.question)!.refused[style]!,
        })),
      ),
    })),
    questions,
  };
}

function promptStyles(): SufficiencyPromptStyle[] {
  const known: SufficiencyPromptStyle[] = ['decision', 'verdict', 'quote'];
  const styles = (flags.prompts?.split(',').map((style) => style.trim()) ?? [
    'decision',
    'verdict',
  ]) as SufficiencyPromptStyle[];
  for (const style of styles)
    if (!known.includes(style))
      throw new Error(`Unknown sufficiency prompt "${style}" in --prompts: choose from ${known.join(', ')}.`);
  return styles;
}

/** Every n-th question, so a quick run still sees every kind. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, index) => items[Math.floor(index * step)]!);
}

function percent(value: number | null): string {
  return value === null ? '-' : `${(value * 100).toFixed(0)}%`;
}

/** Refusal figures of an evaluation rescored with another answerability model and threshold, without asking again. */
function rescore(answers: AnswerQualityEvaluation, answerability: AnswerabilityModel, threshold: number) {
  const refusedNow = (features: AnswerQualityEvaluation['questions'][number]['features']) =>
    features === undefined ? true : answerabilityScore(features, answerability) < threshold;
  const answerable = answers.questions.filter((outcome) => outcome.kind !== 'unanswerable');
  const unanswerable = answers.questions.filter((outcome) => outcome.kind === 'unanswerable');
  const share = (list: typeof answerable, test: (outcome: (typeof answerable)[number]) => boolean) =>
    list.length === 0 ? null : list.filter(test).length / list.length;
  return {
    unanswerableRefused: share(unanswerable, (outcome) => refusedNow(outcome.features)),
    answerableRefused: share(answerable, (outcome) => refusedNow(outcome.features)),
    citesRelevant: share(
      answerable,
      (outcome) => !refusedNow(outcome.features) && outcome.citedRelevant.length > 0,
    ),
  };
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, index) =>
    Math.max(header.length, ...rows.map((row) => row[index]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index < 3 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
      .join('  ');
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Candidate answerability models for --fit: every feature, or fewer; light or strong L2 (on standardised features). */
const fitCandidates: Array<{ name: string; l2: number; features?: AnswerabilityFeatureName[] }> = [
  { name: 'all features, l2 0.01', l2: 0.01 },
  { name: 'all features, l2 0.1', l2: 0.1 },
  { name: 'all features, l2 1', l2: 1 },
  ...[0.01, 0.1, 1].map((l2) => ({
    name: `5 features, l2 ${l2}`,
    l2,
    features: [
      'cosineMargin',
      'bm25Peak',
      'coverage',
      'unknownShare',
      'sentenceCosine',
    ] as AnswerabilityFeatureName[],
  })),
  ...[0.01, 0.1, 1].map((l2) => ({
    name: `3 features, l2 ${l2}`,
    l2,
    features: ['coverage', 'unknownShare', 'sentenceCosine'] as AnswerabilityFeatureName[],
  })),
];

/** The share of answerable questions the threshold must keep on the tuning corpus (at most 5% refused). */
const targetKept = 0.95;

/**
 * Out-of-fold scores of a candidate on the tuning questions (5 folds, stratified, deterministic): what a model fitted
 * without a question says of it. Refusals at the threshold keeping 95% of answerable questions on these scores, and
 * the AUC, choose the candidate, so the choice rewards what generalises, not what memorises the tuning set.
 */
function crossValidate(
  examples: readonly LabelledFeatures[],
  candidate: (typeof fitCandidates)[number],
): { refused: number | null; auc: number } {
  const folds = 5;
  const fold = new Map<LabelledFeatures, number>();
  for (const answerable of [true, false])
    examples
      .filter((example) => example.answerable === answerable)
      .forEach((example, index) => fold.set(example, index % folds));
  const scored: LabelledFeatures[] = [];
  const scores = new Map<LabelledFeatures, number>();
  for (let k = 0; k < folds; k += 1) {
    const training = examples.filter((example) => fold.get(example) !== k);
    const model = fitAnswerabilityModel(training, { l2: candidate.l2, features: candidate.features });
    for (const example of examples.filter((item) => fold.get(item) === k)) {
      scores.set(example, answerabilityScore(example.features, model));
      scored.push(example);
    }
  }
  const positives = scored.filter((example) => example.answerable).map((example) => scores.get(example)!);
  const negatives = scored.filter((example) => !example.answerable).map((example) => scores.get(example)!);
  let wins = 0;
  for (const positive of positives)
    for (const negative of negatives) wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
  const sorted = [...positives].sort((a, b) => a - b);
  const threshold = sorted[sorted.length - Math.ceil(targetKept * sorted.length)] ?? 0;
  return {
    refused:
      negatives.length === 0
        ? null
        : negatives.filter((score) => score < threshold).length / negatives.length,
    auc: wins / Math.max(1, positives.length * negatives.length),
  };
}

/**
 * --fit: chooses an answerability model on the tuning corpus by cross-validation, fits it on the whole tuning
 * corpus, chooses its threshold there for at most 5% of answerable questions refused, and prints every corpus with
 * the shipped model (its threshold, and a threshold chosen the same way) beside the refitted one, from this run.
 */
function fitAndCompare(results: CorpusResult[]): {
  model: AnswerabilityModel;
  threshold: number;
  candidate: string;
} {
  const tuning = results.filter((result) => result.role === 'tuning' && result.store === 'embedded');
  const examples = tuning.flatMap((result) =>
    result.answers.questions.flatMap((outcome) =>
      outcome.features ? [{ features: outcome.features, answerable: outcome.kind !== 'unanswerable' }] : [],
    ),
  );
  if (flags.quick)
    process.stdout.write(
      '\n(--fit on a --quick run fits on 40 questions: run it without --quick to adopt anything)\n',
    );
  const validated = fitCandidates.map((candidate) => ({ candidate, ...crossValidate(examples, candidate) }));
  process.stdout.write(
    `\nAnswerability candidates, 5-fold cross-validation on ${tuning.map((result) => result.corpus).join(', ')} (${examples.length} questions; unanswerable refused at ${percent(1 - targetKept)} answerable refused, out of fold)\n`,
  );
  process.stdout.write(
    `${table(
      ['candidate', 'unanswerable refused', 'AUC'],
      validated.map((row) => [row.candidate.name, percent(row.refused), row.auc.toFixed(3)]),
    )}\n`,
  );
  // Best out-of-fold refusals, then AUC; on a tie the one listed later (fewer features, stronger L2) wins.
  const best = validated
    .map((row, index) => ({ ...row, index }))
    .sort((a, b) => (b.refused ?? 0) - (a.refused ?? 0) || b.auc - a.auc || b.index - a.index)[0]!;
  const model = fitAnswerabilityModel(examples, { l2: best.candidate.l2, features: best.candidate.features });
  const threshold = calibrateRefusal(examples, { model, targetKept }).threshold;
  const shipped = base.answering.answerability;
  const shippedThreshold = calibrateRefusal(examples, { model: shipped, targetKept }).threshold;
  process.stdout.write(
    `chosen: ${best.candidate.name}, fitted on all ${examples.length}: ${JSON.stringify(model)}, threshold ${threshold}\n` +
      `the shipped model's threshold for the same share kept there: ${shippedThreshold} (shipped: ${base.answering.refusalThreshold})\n`,
  );
  const variants = [
    {
      name: `shipped, threshold ${base.answering.refusalThreshold}`,
      model: shipped,
      threshold: base.answering.refusalThreshold,
    },
    { name: `shipped, threshold ${shippedThreshold}`, model: shipped, threshold: shippedThreshold },
    { name: `refit (${best.candidate.name}), threshold ${threshold}`, model, threshold },
  ];
  process.stdout.write(
    `${table(
      [
        'corpus',
        'role',
        'store',
        'variant',
        'unanswerable refused',
        'answerable refused',
        'cite a relevant page',
      ],
      results.flatMap((result) =>
        variants.map((variant) => {
          const figures = rescore(result.answers, variant.model, variant.threshold);
          return [
            result.corpus,
            result.role,
            result.store,
            variant.name,
            percent(figures.unanswerableRefused),
            percent(figures.answerableRefused),
            percent(figures.citesRelevant),
          ];
        }),
      ),
    )}\n`,
  );
  return { model, threshold, candidate: best.candidate.name };
}

async function main(): Promise<void> {
  const esUrl = flags.quick && !flags.stores ? undefined : await elasticsearchUrl();
  const stores = (flags.stores?.split(',') ?? ['embedded', 'elasticsearch']).filter(
    (store) => store === 'embedded' || esUrl,
  ) as Array<'embedded' | 'elasticsearch'>;
  const list = corpora();
  process.stdout.write(
    `answer quality: ${list.map((corpus) => `${corpus.name} (${corpus.role})`).join(', ')} on ${stores.join(' and ')}; ${os.cpus().length} CPUs, ${flags.quick ? 'quick' : 'full'} run\n`,
  );
  if (!esUrl && !flags.quick)
    process.stdout.write('(no Elasticsearch answers: embedded store only; `npm run es -- start` adds it)\n');
  const everyResult: CorpusResult[] = [];
  for (const dtype of dtypes) {
    for (const corpus of list) {
      for (const store of stores) {
        process.stdout.write(`  ${corpus.name} on ${store}${dtypes.length > 1 ? ` (${dtype})` : ''}...`);
        const result = await evaluateCorpus(corpus, store, esUrl, dtype);
        everyResult.push(result);
        process.stdout.write(
          ` ${result.documents} pages, ${result.chunks} passages, ingested in ${result.ingestSeconds.toFixed(0)} s\n`,
        );
      }
    }
  }
  const results = everyResult.filter((result) => result.dtype === mainDtype);
  if (dtypes.length > 1)
    process.stdout.write(`\nThe tables below are ${mainDtype}'s; the model files side by side come last.\n`);

  const methods = results[0]?.retrieval.map((row) => row.method) ?? [];
  process.stdout.write(`\nRetrieval (answerable questions; Recall@5 / MRR of pages)\n`);
  process.stdout.write(
    `${table(
      ['corpus', 'role', 'store', ...methods],
      results.map((result) => [
        result.corpus,
        result.role,
        result.store,
        ...result.retrieval.map((row) => `${row.recallAt5.toFixed(3)} / ${row.mrr.toFixed(3)}`),
      ]),
    )}\n`,
  );
  process.stdout.write(
    `\nAnswers (${results[0]?.answers.model ?? 'extractive'}; answerability score below ${base.answering.refusalThreshold} refused; ` +
      `in brackets the previous method: rank fusion and a hand-set confidence below ${previousThreshold})\n`,
  );
  const kindCell = (result: CorpusResult, kind: string) => {
    const summary = result.answers.byKind.find((entry) => entry.kind === kind);
    if (!summary) return '-';
    return kind === 'unanswerable'
      ? `${percent(summary.refused)} refused`
      : `${percent(summary.citesRelevant)} cite, ${percent(summary.refused)} ref`;
  };
  process.stdout.write(
    `${table(
      [
        'corpus',
        'role',
        'store',
        'questions',
        'unanswerable refused (previous)',
        'answerable refused (previous)',
        'cite a relevant page',
        'marked unsure: unanswerable / answerable',
        'similarity',
        'keyword',
        'paraphrase',
        'multi',
      ],
      results.map((result) => [
        result.corpus,
        result.role,
        result.store,
        String(result.answers.questionCount),
        `${percent(result.answers.overall.unanswerableRefused)} (${percent(result.previousRefusal.unanswerableRefused)})`,
        `${percent(result.answers.overall.answerableRefused)} (${percent(result.previousRefusal.answerableRefused)})`,
        percent(result.answers.overall.citesRelevant),
        `${percent(result.answers.overall.uncertain.unanswerable)} / ${percent(result.answers.overall.uncertain.answerable)}`,
        result.answers.overall.similarity === null ? '-' : result.answers.overall.similarity.toFixed(3),
        kindCell(result, 'keyword'),
        kindCell(result, 'paraphrase'),
        kindCell(result, 'multi'),
      ]),
    )}\n`,
  );

  process.stdout.write(
    `\nStill missed, by first cause (relevant page within the hybrid top 5 or not, then the score, then the citations)\n`,
  );
  process.stdout.write(
    `${table(
      ['corpus', 'store', 'answerable', ...missCauses.map((cause) => cause)],
      results.map((result) => [
        result.corpus,
        result.store,
        String(result.missed.answerable),
        ...missCauses.map((cause) =>
          cause === 'unanswerable answered'
            ? `${result.missed.counts[cause]} of ${result.missed.unanswerable}`
            : String(result.missed.counts[cause]),
        ),
      ]),
    )}\n`,
  );

  let fitted: { model: AnswerabilityModel; threshold: number; candidate: string } | undefined;
  if (flags.fit) fitted = fitAndCompare(results);

  if (dtypes.length > 1) {
    const reference = dtypes.includes('fp32') ? 'fp32' : dtypes[0]!;
    const figure = (result: CorpusResult, method: string) =>
      result.retrieval.find((row) => row.method === method)!;
    const delta = (value: number, against: number | undefined) =>
      against === undefined ? '' : ` (${value - against >= 0 ? '+' : ''}${(value - against).toFixed(3)})`;
    process.stdout.write(
      `\nLocal model files side by side (Recall@5 / MRR of pages; in brackets the difference from ${reference})\n`,
    );
    process.stdout.write(
      `${table(
        [
          'corpus',
          'store',
          'dtype',
          'vector',
          'hybrid convex',
          'unanswerable refused',
          'answerable refused',
          'cite a relevant page',
          'ingest s',
        ],
        everyResult.map((result) => {
          const against = everyResult.find(
            (other) =>
              other.corpus === result.corpus && other.store === result.store && other.dtype === reference,
          );
          const cell = (method: string) => {
            const row = figure(result, method);
            const base = against && against !== result ? figure(against, method) : undefined;
            return `${row.recallAt5.toFixed(3)}${delta(row.recallAt5, base?.recallAt5)} / ${row.mrr.toFixed(3)}${delta(row.mrr, base?.mrr)}`;
          };
          return [
            result.corpus,
            result.store,
            result.dtype,
            cell('vector'),
            cell('hybrid convex'),
            percent(result.answers.overall.unanswerableRefused),
            percent(result.answers.overall.answerableRefused),
            percent(result.answers.overall.citesRelevant),
            result.ingestSeconds.toFixed(0),
          ];
        }),
      )}\n`,
    );
  }

  const withModel = results.filter((result) => result.modelAnswers);
  if (withModel.length > 0) {
    const { low, high } = base.answering.sufficiency;
    const judgeOnly = flags['judge-only'];
    process.stdout.write(
      `\nOffline and the ${answeringWith} model (${withModel[0]!.modelAnswers!.model}) on the same questions; the model checks ` +
        `the passages when the answerability score is from ${low} to ${high} (answering.sufficiency)` +
        `${judgeOnly ? '; --judge-only: the refusal decision alone, with each sufficiency prompt, no answers written' : ''}\n`,
    );
    process.stdout.write(
      `${table(
        [
          'corpus',
          'store',
          'answered by',
          'questions',
          'unanswerable refused',
          'answerable refused',
          'cite a relevant page',
          'answers that cite',
          'checks',
          's per question',
        ],
        withModel.flatMap((result) => {
          const { offline, variants, secondsPerQuestion, checked, model } = result.modelAnswers!;
          const row = (name: string, figures: AnswerFigures, modelRow: boolean) => [
            result.corpus,
            result.store,
            name,
            String(figures.questions),
            percent(figures.unanswerableRefused),
            percent(figures.answerableRefused),
            modelRow && judgeOnly ? '-' : percent(figures.citesRelevant),
            modelRow && judgeOnly ? '-' : percent(figures.cites),
            modelRow ? String(checked) : '-',
            modelRow ? secondsPerQuestion.toFixed(1) : '-',
          ];
          return [
            row('offline', offline, false),
            ...variants.map((variant) =>
              row(judgeOnly ? `${model}, ${variant.name}` : model, variant.figures, true),
            ),
          ];
        }),
      )}\n`,
    );
  }

  const resultsDir = path.join(projectRoot, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `eval-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), cpus: os.cpus().length, mode: flags.quick ? 'quick' : 'full', refusalThreshold: base.answering.refusalThreshold, fusion: base.retrieval.fusion, dtypes, results: everyResult, fitted }, null, 2)}\n`,
  );
  process.stdout.write(`\nJSON: ${path.relative(projectRoot, file)}\n`);
  for (const embedder of embedders.values()) await embedder.close?.();
  await judgeModel?.close();
}

await main();
