/**
 * Sources named in `knowledge.sources`, kept in sync: each sync runs the one ingest pipeline over the source and
 * records what happened, so `answerloop sources` and the dashboard can say when each was last synced and how it went.
 */
import pRetry from 'p-retry';
import { toAnswerloopError } from '../errors/index.ts';
import { hideUrlCredentials } from '../logging/redact-secrets.ts';
import type { Clock, KeyValueStore, Logger, Metrics } from '../ports/index.ts';
import type { IngestOptions, IngestProgress, IngestReport } from './types.ts';
import type { KnowledgeSource, SourceKind } from './sources/knowledge-source.ts';
import { sourceKindOf } from './sources/source-location.ts';
import { createInProcessSyncLease, type SyncLease } from './sync-lease.ts';

export interface ConfiguredSource {
  name: string;
  location: string;
  tags: string[];
  include: string[];
  exclude: string[];
  refreshMinutes: number;
  maxPages?: number;
  maxDepth?: number;
  urlTemplate?: string;
}

/** What the last sync of a source did, kept in the store. */
export interface SyncRecord {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  ok: boolean;
  /** Documents of the source in the store after the sync (read, or known unchanged). */
  documents: number;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  skipped: number;
  empty: number;
  failed: number;
  /** The first few failures, each naming the URL or file and the reason. */
  errors: string[];
  notes: string[];
}

export interface SourceStatus {
  name: string;
  kind: SourceKind;
  location: string;
  refreshMinutes: number;
  tags: string[];
  lastSync: SyncRecord | null;
  /** When the background sync will next look at it, if it refreshes on its own. */
  nextSyncAt: string | null;
  syncing: boolean;
}

export interface SourceSyncResult {
  name: string;
  location: string;
  report?: IngestReport;
  /** Why the sync did not run or stopped: another process holds the source, an unknown name, a fault. */
  error?: string;
}

export interface SourceSyncDependencies {
  sources: readonly ConfiguredSource[];
  createSource(source: ConfiguredSource): KnowledgeSource;
  /** The pipeline, with staleness flagging after it. */
  ingest(source: KnowledgeSource, options: IngestOptions): Promise<IngestReport>;
  store: KeyValueStore;
  /** Leases in the store when several processes share it; an in-process lease when there is only one. */
  lease?: SyncLease;
  logger: Logger;
  clock: Clock;
  /** Counts sync runs and failures per source. */
  metrics?: Metrics;
}

export interface SourceSync {
  list(): Promise<SourceStatus[]>;
  /** Syncs the named sources (all when none are named), one after another. */
  sync(
    names?: string[],
    options?: { onProgress?: (name: string, progress: IngestProgress) => void; signal?: AbortSignal },
  ): Promise<SourceSyncResult[]>;
  /** Keeps every source with a refresh interval fresh, one sync at a time, until the returned function is called. */
  startBackground(options?: { checkEveryMs?: number; firstCheckAfterMs?: number }): () => Promise<void>;
}

const recordNamespace = 'knowledge-sync';
/** How long a sync may hold its source before another process may take over; renewed while it runs. */
const leaseMs = 10 * 60 * 1000;
const errorsKept = 5;

export function createSourceSync(dependencies: SourceSyncDependencies): SourceSync {
  const { sources, store, logger, clock } = dependencies;
  const lease = dependencies.lease ?? createInProcessSyncLease();
  const running = new Set<string>();

  const readRecord = async (name: string): Promise<SyncRecord | null> => {
    // A store that is still starting the index the first sync just created answers 503 for a moment: two more
    // tries, after 200 and 400 ms.
    const raw = await pRetry(() => store.getValue(recordNamespace, name), {
      retries: 2,
      minTimeout: 200,
      factor: 2,
      shouldRetry: ({ error }) => toAnswerloopError(error).isRetryable,
    });
    if (!raw) return null;
    try {
      return JSON.parse(raw) as SyncRecord;
    } catch {
      return null;
    }
  };

  const nextSyncAt = (source: ConfiguredSource, record: SyncRecord | null): string | null => {
    if (source.refreshMinutes <= 0) return null;
    if (!record) return clock.now().toISOString();
    return new Date(Date.parse(record.finishedAt) + source.refreshMinutes * 60_000).toISOString();
  };

  const isDue = async (source: ConfiguredSource) => {
    const due = nextSyncAt(source, await readRecord(source.name));
    return due !== null && Date.parse(due) <= clock.now().getTime();
  };

  const syncOne = async (
    source: ConfiguredSource,
    options: { onProgress?: (progress: IngestProgress) => void; signal?: AbortSignal; onlyIfDue?: boolean },
  ): Promise<SourceSyncResult | undefined> => {
    const base = { name: source.name, location: hideUrlCredentials(source.location) };
    if (running.has(source.name)) return { ...base, error: 'a sync of this source is already running here' };
    const held = await lease.acquire(`knowledge-source:${source.name}`, leaseMs);
    if (!held)
      return {
        ...base,
        error: 'another process is syncing this source now; it will be brought up to date there',
      };
    // A background sync looks again with the lease held: another replica may have synced it since the first look.
    if (options.onlyIfDue && !(await isDue(source).catch(() => false))) {
      await held.release().catch(() => {});
      return undefined;
    }
    running.add(source.name);
    dependencies.metrics?.increment('sync_runs_total', { source: source.name });
    const renewal = setInterval(() => void held.renew().catch(() => false), leaseMs / 3);
    renewal.unref();
    const startedAt = clock.now();
    try {
      const report = await dependencies.ingest(dependencies.createSource(source), {
        onProgress: options.onProgress,
        signal: options.signal,
      });
      const record: SyncRecord = {
        startedAt: startedAt.toISOString(),
        finishedAt: clock.now().toISOString(),
        durationMs: report.durationMs,
        ok: report.failed.length === 0,
        documents: report.added + report.updated + report.unchanged,
        added: report.added,
        updated: report.updated,
        unchanged: report.unchanged,
        deleted: report.deleted,
        skipped: report.skipped.length,
        empty: report.empty.length,
        failed: report.failed.length,
        errors: report.failed.slice(0, errorsKept).map((failure) => `${failure.source}: ${failure.error}`),
        notes: report.notes ?? [],
      };
      await store.setValue(recordNamespace, source.name, JSON.stringify(record));
      if (!record.ok) dependencies.metrics?.increment('sync_failures_total', { source: source.name });
      return { ...base, report };
    } catch (error) {
      const message = toAnswerloopError(error).message;
      const previous = await readRecord(source.name).catch(() => null);
      const record: SyncRecord = {
        ...(previous ?? {
          documents: 0,
          added: 0,
          updated: 0,
          unchanged: 0,
          deleted: 0,
          skipped: 0,
          empty: 0,
          notes: [],
        }),
        startedAt: startedAt.toISOString(),
        finishedAt: clock.now().toISOString(),
        durationMs: clock.now().getTime() - startedAt.getTime(),
        ok: false,
        failed: 1,
        errors: [message],
      };
      await store.setValue(recordNamespace, source.name, JSON.stringify(record)).catch(() => {});
      dependencies.metrics?.increment('sync_failures_total', { source: source.name });
      logger.error({ source: source.name, error: message }, `sync of ${source.name} failed: ${message}`);
      return { ...base, error: message };
    } finally {
      clearInterval(renewal);
      running.delete(source.name);
      await held.release().catch(() => {});
    }
  };

  return {
    async list() {
      const statuses: SourceStatus[] = [];
      for (const source of sources) {
        const record = await readRecord(source.name);
        statuses.push({
          name: source.name,
          kind: sourceKindOf(source.location),
          location: hideUrlCredentials(source.location),
          refreshMinutes: source.refreshMinutes,
          tags: source.tags,
          lastSync: record,
          nextSyncAt: nextSyncAt(source, record),
          syncing: running.has(source.name),
        });
      }
      return statuses;
    },

    async sync(names, options = {}) {
      const wanted = names && names.length > 0 ? names : sources.map((source) => source.name);
      const results: SourceSyncResult[] = [];
      for (const name of wanted) {
        const source = sources.find((candidate) => candidate.name === name);
        if (!source) {
          const known = sources.map((candidate) => candidate.name).join(', ') || 'none';
          results.push({
            name,
            location: '',
            error: `no source named ${name} in knowledge.sources (configured: ${known})`,
          });
          continue;
        }
        const result = await syncOne(source, {
          onProgress: options.onProgress && ((progress) => options.onProgress!(name, progress)),
          signal: options.signal,
        });
        if (result) results.push(result);
      }
      return results;
    },

    startBackground(options = {}) {
      const controller = new AbortController();
      const checkEveryMs = options.checkEveryMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      let current: Promise<void> = Promise.resolve();
      const tick = async () => {
        try {
          for (const source of sources) {
            if (controller.signal.aborted) return;
            if (source.refreshMinutes <= 0) continue;
            if (!(await isDue(source))) continue;
            const result = await syncOne(source, { signal: controller.signal, onlyIfDue: true });
            if (result?.report)
              logger.info(
                {
                  source: source.name,
                  added: result.report.added,
                  updated: result.report.updated,
                  deleted: result.report.deleted,
                },
                `synced ${source.name}`,
              );
          }
        } catch (error) {
          logger.warn(
            { error: toAnswerloopError(error).message },
            'background sync could not run; trying again later',
          );
        }
      };
      const schedule = () => {
        if (controller.signal.aborted) return;
        timer = setTimeout(() => {
          current = tick().finally(schedule);
        }, checkEveryMs);
        timer.unref();
      };
      // The first look shortly after start (not in the way of the first answers), then at the interval; one sync
      // at a time, so answers keep their share of the machine.
      timer = setTimeout(() => {
        current = tick().finally(schedule);
      }, options.firstCheckAfterMs ?? 5_000);
      timer.unref();
      return async () => {
        controller.abort();
        if (timer) clearTimeout(timer);
        await current.catch(() => {});
      };
    },
  };
}
