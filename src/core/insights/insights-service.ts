import type {
  ChunkStore,
  Clock,
  ConversationStore,
  ModelRegistry,
  StoreHealth,
  TrainingJobStatus,
} from '../ports/index.ts';
import { lastDays, percentile, shareOf } from './overview-figures.ts';

export interface InsightsDependencies {
  store: Pick<ChunkStore, 'counts' | 'health'> &
    Pick<ConversationStore, 'listConversations'> &
    Pick<ModelRegistry, 'listTrainingJobs'>;
  clock: Clock;
  /** The model answers come from now. */
  activeModel: () => Promise<string>;
  answerMode: 'openai' | 'local' | 'offline';
}

export interface TrainingJobInFlight {
  id: string;
  status: TrainingJobStatus;
  baseModel: string;
  datasetVersion: string;
  createdAt: string;
  /** The newest step and training loss the job reported, when it reported any. */
  step: number | null;
  trainLoss: number | null;
}

export interface OverviewFigures {
  generatedAt: string;
  knowledge: { documents: number; chunks: number };
  questions: {
    today: number;
    lastSevenDays: number;
    /** Oldest first, ending today. */
    perDay: Array<{ date: string; count: number }>;
  };
  /** Over the last seven days. `helpfulShare` is helpful / (helpful + not helpful), null without feedback. */
  feedback: { helpful: number; notHelpful: number; helpfulShare: number | null };
  /**
   * Over the last seven days: questions the bot said it could not answer, and questions nobody asked it (help
   * channels and forums in mode `auto`) that it left to people, saying nothing (`silent`).
   */
  refusals: { refused: number; rate: number | null; silent: number };
  /** Answer latency over the newest questions of the last seven days. */
  latency: { p50Ms: number | null; p95Ms: number | null; sampled: number };
  /** Not-helpful conversations nobody has reviewed yet. */
  awaitingReview: number;
  activeModel: string;
  answerMode: 'openai' | 'local' | 'offline';
  store: StoreHealth;
  trainingJob: TrainingJobInFlight | null;
}

export interface InsightsService {
  /** The figures of the dashboard's Overview, computed from the store on each call. */
  overview(): Promise<OverviewFigures>;
}

const chartDays = 7;
/** Latency percentiles come from this many newest answers: enough for a stable p95, cheap on any store. */
const latencySample = 500;
const inFlight: readonly TrainingJobStatus[] = ['validating_files', 'queued', 'running'];

export function createInsightsService(dependencies: InsightsDependencies): InsightsService {
  const { store, clock } = dependencies;

  // Totals come from the stores' counts (limit 1), so the Overview stays fast however many conversations exist.
  const countConversations = async (query: Parameters<ConversationStore['listConversations']>[0]) =>
    (await store.listConversations({ ...query, limit: 1 })).total;

  const storeHealth = async (): Promise<StoreHealth> => {
    try {
      return await store.health();
    } catch (error) {
      return {
        ok: false,
        kind: 'embedded',
        status: error instanceof Error ? error.message : String(error),
        details: {},
      };
    }
  };

  const trainingJob = async (): Promise<TrainingJobInFlight | null> => {
    const job = (await store.listTrainingJobs()).find((candidate) => inFlight.includes(candidate.status));
    if (!job) return null;
    const withLoss = [...job.events].reverse().find((event) => event.step !== undefined);
    return {
      id: job.id,
      status: job.status,
      baseModel: job.baseModel,
      datasetVersion: job.datasetVersion,
      createdAt: job.createdAt,
      step: withLoss?.step ?? null,
      trainLoss: withLoss?.trainLoss ?? null,
    };
  };

  return {
    async overview() {
      const health = await storeHealth();
      const now = clock.now();
      const days = lastDays(now, chartDays);
      const since = days[0]!.since;
      const [counts, perDay, helpful, notHelpful, refused, silent, latest, awaitingReview, activeModel, job] =
        await Promise.all([
          store.counts(),
          Promise.all(
            days.map(async (day) => ({
              date: day.date,
              count: await countConversations({ since: day.since, until: day.until }),
            })),
          ),
          countConversations({ since, feedback: 'helpful' }),
          countConversations({ since, feedback: 'not_helpful' }),
          countConversations({ since, refused: true, silent: false }),
          countConversations({ since, silent: true }),
          store.listConversations({ since, order: 'newest', limit: latencySample }),
          countConversations({ feedback: 'not_helpful', reviewStatus: ['new'] }),
          dependencies.activeModel(),
          trainingJob(),
        ]);
      const lastSevenDays = perDay.reduce((sum, day) => sum + day.count, 0);
      const latencies = latest.items.map((conversation) => conversation.latencyMs);
      return {
        generatedAt: now.toISOString(),
        knowledge: counts,
        questions: { today: perDay.at(-1)?.count ?? 0, lastSevenDays, perDay },
        feedback: { helpful, notHelpful, helpfulShare: shareOf(helpful, helpful + notHelpful) },
        refusals: { refused, rate: shareOf(refused, lastSevenDays), silent },
        latency: {
          p50Ms: percentile(latencies, 50),
          p95Ms: percentile(latencies, 95),
          sampled: latencies.length,
        },
        awaitingReview,
        activeModel,
        answerMode: dependencies.answerMode,
        store: health,
        trainingJob: job,
      };
    },
  };
}
