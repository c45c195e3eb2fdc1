import { z } from 'zod';

const filtersSchema = z
  .object({
    tags: z.array(z.string()).optional(),
    sourcePrefixes: z.array(z.string()).optional(),
  })
  .strict();

/** One entry of slack.channels / discord.channels: see src/bot/channel-modes.ts for what each field means. */
const channelSettingsSchema = z
  .object({
    mode: z.enum(['mention', 'auto', 'command', 'off']).optional(),
    reply: z.enum(['thread', 'private']).optional(),
    threshold: z.number().min(0).max(1).optional(),
    filters: filtersSchema.optional(),
    reaction: z.string().min(1).optional(),
    keepSilent: z.boolean().optional(),
    tags: z.array(z.string()).optional(),
    unsureTags: z.array(z.string()).optional(),
    handoff: z
      .object({
        channel: z.string().min(1).optional(),
        mention: z.string().min(1).optional(),
      })
      .strict()
      .refine((handoff) => handoff.channel !== undefined || handoff.mention !== undefined, {
        message: 'handoff needs a channel to post to, a mention to call people with, or both',
      })
      .optional(),
  })
  .strict();

const routeSchema = z
  .object({
    channel: z.string().optional(),
    pattern: z.string().optional(),
    route: z.enum(['retrieve', 'direct']).default('retrieve'),
    filters: filtersSchema.optional(),
  })
  .strict()
  .refine((rule) => rule.channel !== undefined || rule.pattern !== undefined, {
    message: 'a route needs a channel or a pattern',
  });

const enabledSchema = z.union([z.literal('auto'), z.boolean()]);
const positiveInt = z.number().int().positive();
const nonNegative = z.number().nonnegative();

/** A folder, website or git repository kept in sync (`knowledge.sources`); `location` is what `answerloop ingest` takes. */
const knowledgeSourceSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    location: z.string().min(1),
    tags: z.array(z.string()).default([]),
    include: z.array(z.string()).default([]),
    exclude: z.array(z.string()).default([]),
    /** 0: only when `answerloop sync` or the dashboard asks. */
    refreshMinutes: z.number().int().nonnegative().default(60),
    maxPages: positiveInt.optional(),
    maxDepth: z.number().int().nonnegative().optional(),
    urlTemplate: z.string().optional(),
  })
  .strict();

/** The shape of config/default.yaml. Every key is required there, so the file documents every setting. */
export const settingsSchema = z
  .object({
    dataDir: z.string().min(1),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']),
    logFile: z.string(),
    store: z
      .object({
        kind: z.enum(['embedded', 'elasticsearch']),
        embedded: z.object({ file: z.string().min(1) }).strict(),
        elasticsearch: z
          .object({
            url: z.url(),
            indexPrefix: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
            analyzer: z.string().min(1),
            requestTimeoutMs: positiveInt,
            maxRetries: z.number().int().nonnegative(),
            caFingerprint: z.string(),
            bulkSize: positiveInt,
            fieldScoring: z.enum(['combined', 'best']),
          })
          .strict(),
      })
      .strict(),
    embedder: z
      .object({
        kind: z.enum(['local', 'openai']),
        local: z
          .object({
            model: z.string().min(1),
            modelDir: z.string().min(1),
            allowRemote: z.boolean(),
            dtype: z.enum(['int8', 'q8', 'fp32']),
            dimensions: positiveInt,
          })
          .strict(),
        openai: z
          .object({ model: z.string().min(1), dimensions: positiveInt, batchSize: positiveInt })
          .strict(),
      })
      .strict(),
    knowledge: z
      .object({
        docsDir: z.string().min(1),
        chunkTokens: z.number().int().min(32),
        chunkOverlapTokens: z.number().int().nonnegative(),
        extensions: z.array(z.string().startsWith('.')),
        maxFileBytes: positiveInt,
        writeConcurrency: z.number().int().min(1).max(32),
        web: z
          .object({
            maxPages: positiveInt,
            maxDepth: z.number().int().nonnegative(),
            concurrency: z.number().int().min(1).max(16),
            delayMs: z.number().int().nonnegative(),
            maxCrawlDelayMs: z.number().int().nonnegative(),
            timeoutMs: positiveInt,
            maxPageBytes: positiveInt,
            maxRedirects: z.number().int().nonnegative(),
            followQueryStrings: z.boolean(),
          })
          .strict(),
        git: z.object({ timeoutMs: positiveInt, urlTemplate: z.string() }).strict(),
        sources: z.array(knowledgeSourceSchema),
      })
      .strict()
      .refine(
        (knowledge) =>
          new Set(knowledge.sources.map((source) => source.name)).size === knowledge.sources.length,
        {
          message: 'every source needs a name of its own',
          path: ['sources'],
        },
      )
      .refine((knowledge) => knowledge.chunkOverlapTokens < knowledge.chunkTokens, {
        message: 'chunkOverlapTokens must be smaller than chunkTokens',
        path: ['chunkOverlapTokens'],
      }),
    retrieval: z
      .object({
        k: positiveInt,
        candidates: positiveInt,
        numCandidates: positiveInt,
        fusion: z.enum(['convex', 'rrf']),
        convex: z
          .object({
            vectorWeight: z.number().min(0).max(1),
            normalisation: z.enum(['min-max', 'theoretical-min']),
          })
          .strict(),
        rrfK: positiveInt,
        weights: z.object({ bm25: nonNegative, vector: nonNegative }).strict(),
        boosts: z.object({ title: nonNegative, headings: nonNegative, text: nonNegative }).strict(),
        minBm25PerTerm: nonNegative,
        minCosine: z.number().min(-1).max(1),
        pageLengthPenalty: nonNegative,
      })
      .strict(),
    answering: z
      .object({
        mode: z.enum(['auto', 'openai', 'local', 'offline']),
        maxQuestionChars: positiveInt,
        contextTokens: positiveInt,
        historyTurns: z.number().int().nonnegative(),
        refusalThreshold: z.number().min(0).max(1),
        autoAnswerThreshold: z.number().min(0).max(1),
        answerability: z
          .object({
            intercept: z.number(),
            weights: z
              .object({
                topCosine: z.number(),
                cosineMargin: z.number(),
                bm25Peak: z.number(),
                coverage: z.number(),
                unknownShare: z.number(),
                legsAgree: z.number(),
                sentenceCosine: z.number(),
              })
              .strict(),
          })
          .strict(),
        local: z
          .object({
            modelPath: z.string(),
            contextSize: z.number().int().min(512),
            contextTokens: positiveInt,
            threads: z.number().int().nonnegative(),
            temperature: z.number().min(0).max(2),
            maxAnswerTokens: positiveInt,
          })
          .strict(),
        sufficiency: z
          .object({
            enabled: z.enum(['auto', 'on', 'off']),
            low: z.number().min(0).max(1),
            high: z.number().min(0).max(1),
            passages: z.number().int().min(1).max(10),
            contextTokens: positiveInt,
            judge: z.enum(['decision', 'verdict']),
            yesAbove: z.number().min(0).max(1),
          })
          .strict()
          .refine((value) => value.low <= value.high, {
            message: 'answering.sufficiency.low must not be above answering.sufficiency.high',
          }),
        handoff: z.string().min(1),
        uncertainBelow: z.number().min(0).max(1),
        uncertainNotice: z.string().min(1),
        stream: z.boolean(),
        routes: z.array(routeSchema),
        extractive: z
          .object({
            maxSentences: z.number().int().min(1).max(5),
            maxCandidates: positiveInt,
            semanticWeight: z.number().min(0).max(1),
            sourcePenalty: nonNegative,
            companionMargin: nonNegative,
            maxSentenceWords: positiveInt,
          })
          .strict(),
      })
      .strict(),
    openai: z
      .object({
        baseUrl: z.union([z.literal(''), z.url()]),
        chatModel: z.string().min(1),
        temperature: z.number().min(0).max(2),
        maxAnswerTokens: positiveInt,
        timeoutMs: positiveInt,
        maxRetries: z.number().int().nonnegative(),
      })
      .strict(),
    slack: z
      .object({
        enabled: enabledSchema,
        mode: z.enum(['socket', 'http']),
        port: z.number().int().min(0).max(65535),
        allowedChannels: z.array(z.string()),
        channelFilters: z.record(z.string(), filtersSchema),
        channels: z.record(z.string(), channelSettingsSchema),
        followThreads: z.boolean(),
        rateLimitPerMinute: z.number().int().nonnegative(),
        // true and false are the older spelling: native and off.
        stream: z
          .union([z.enum(['native', 'update', 'off']), z.boolean()])
          .transform((value) => (value === true ? 'native' : value === false ? 'off' : value)),
        updateIntervalMs: z.number().int().nonnegative(),
        correctionReaction: z.string().min(1),
        assistant: z
          .object({
            panel: z.boolean(),
            greeting: z.string().min(1),
            prompts: z
              .array(z.object({ title: z.string().min(1), message: z.string().min(1) }).strict())
              .max(4),
          })
          .strict(),
        sharedChannels: z
          .object({ answer: z.enum(['off', 'public']), publicTags: z.array(z.string().min(1)).min(1) })
          .strict(),
        distribution: z.enum(['single', 'oauth']),
        oauthScopes: z.array(z.string().min(1)).min(1),
        apiUrl: z.union([z.literal(''), z.url()]),
      })
      .strict(),
    discord: z
      .object({
        enabled: enabledSchema,
        allowedGuilds: z.array(z.string()),
        allowedChannels: z.array(z.string()),
        channelFilters: z.record(z.string(), filtersSchema),
        channels: z.record(z.string(), channelSettingsSchema),
        mentions: z.boolean(),
        mentionReply: z.enum(['thread', 'reply']),
        rateLimitPerMinute: z.number().int().nonnegative(),
        // Gateway shards this process connects: auto (every shard, as many as shardCount or Discord recommends)
        // or the ids of its share when several processes split them.
        shards: z.union([z.literal('auto'), z.array(z.number().int().nonnegative()).min(1)]),
        shardCount: z.union([z.literal('auto'), positiveInt]),
        apiUrl: z.union([z.literal(''), z.url()]),
      })
      .strict()
      .superRefine((discord, context) => {
        if (discord.shards === 'auto') return;
        if (discord.shardCount === 'auto') {
          context.addIssue({
            code: 'custom',
            path: ['shardCount'],
            message:
              'the total number of shards of every process (e.g. 2) when discord.shards lists shard ids',
          });
          return;
        }
        const count = discord.shardCount;
        if (
          new Set(discord.shards).size !== discord.shards.length ||
          discord.shards.some((id) => id >= count)
        ) {
          context.addIssue({
            code: 'custom',
            path: ['shards'],
            message: `distinct shard ids below discord.shardCount (${count}): 0 to ${count - 1}`,
          });
        }
      }),
    curation: z
      .object({
        minExamples: positiveInt,
        recommendedExamples: positiveInt,
        validationShare: z.number().min(0).max(0.9),
        nearDuplicateThreshold: z.number().min(0).max(1),
        maxExampleTokens: positiveInt,
        scrubAllowList: z.array(z.string()),
        verifiedMinSimilarity: z.number().min(-1).max(1),
      })
      .strict(),
    training: z
      .object({
        baseModel: z.string().min(1),
        epochs: z.union([z.literal('auto'), positiveInt]),
        pricePerMillionTokens: nonNegative,
        estimateEpochs: positiveInt,
        retrainAfterExamples: positiveInt,
        dataset: z.string().min(1),
        pollSeconds: z.number().positive(),
        shadowShare: z.number().min(0).max(1),
        shadowModel: z.string(),
        judgeModel: z.string(),
        schedule: z
          .object({
            everyHours: z.number().min(0),
            evaluateCandidates: z.boolean(),
            evaluationLimit: z.number().int().min(0),
            autoPromote: z.boolean(),
          })
          .strict(),
        guard: z
          .object({
            enabled: z.boolean(),
            windowHours: z.number().positive(),
            minQuestions: positiveInt,
            notHelpfulBand: z.number().min(0).max(1),
            refusalBand: z.number().min(0).max(1),
            qaSets: z.array(z.string().min(1)),
            qaLimit: z.number().int().nonnegative(),
          })
          .strict(),
      })
      .strict(),
    insights: z
      .object({
        humanFollowUpHours: z.number().positive(),
        gaps: z
          .object({
            since: z.string().regex(/^\d+[hdw]$/, 'a duration such as 24h, 7d or 2w'),
            similarity: z.number().min(-1).max(1),
            centreFrom: positiveInt,
            similarityFewQuestions: z.number().min(-1).max(1),
            maxQuestions: positiveInt,
            nearestPassages: z.number().int().nonnegative(),
            recencyHalfLifeDays: z.number().positive(),
          })
          .strict(),
        docs: z
          .object({
            branchPrefix: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'letters, digits, ., _, - and /'),
            folder: z.string(),
            forge: z.enum(['auto', 'github', 'gitlab', 'none']),
            apiUrl: z.union([z.literal(''), z.url()]),
            repository: z.string(),
            authorName: z.string().min(1),
            authorEmail: z.string().min(1),
          })
          .strict(),
      })
      .strict(),
    coordination: z
      .object({
        claimTtlMs: positiveInt,
        sweepIntervalMs: positiveInt,
        claimRetentionHours: z.number().positive(),
        maxAttempts: positiveInt,
        leaseTtlMs: positiveInt,
        cleanupIntervalMinutes: z.number().positive(),
        sharedRateLimits: z.enum(['auto', 'on', 'off']),
        sharedRateLimitTimeoutMs: positiveInt,
      })
      .strict(),
    threads: z
      .object({
        retentionDays: z.number().positive(),
      })
      .strict(),
    ops: z
      .object({
        port: z.number().int().min(0).max(65535),
        host: z.string().min(1),
        shutdownGraceSeconds: z.number().positive(),
      })
      .strict(),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type RouteRule = z.infer<typeof routeSchema>;

/** Secrets come from the environment only, never from files. */
export interface Secrets {
  openaiApiKey?: string;
  slackBotToken?: string;
  slackAppToken?: string;
  slackSigningSecret?: string;
  slackClientId?: string;
  slackClientSecret?: string;
  slackStateSecret?: string;
  discordToken?: string;
  discordApplicationId?: string;
  elasticsearchApiKey?: string;
  elasticsearchUsername?: string;
  elasticsearchPassword?: string;
  /** Opens pull requests for `answerloop docs propose` on GitHub. */
  githubToken?: string;
  /** Opens merge requests for `answerloop docs propose` on GitLab. */
  gitlabToken?: string;
}

/** Environment variable of each secret. */
export const secretEnvironmentNames: Record<keyof Secrets, string> = {
  openaiApiKey: 'OPENAI_API_KEY',
  slackBotToken: 'SLACK_BOT_TOKEN',
  slackAppToken: 'SLACK_APP_TOKEN',
  slackSigningSecret: 'SLACK_SIGNING_SECRET',
  slackClientId: 'SLACK_CLIENT_ID',
  slackClientSecret: 'SLACK_CLIENT_SECRET',
  slackStateSecret: 'SLACK_STATE_SECRET',
  discordToken: 'DISCORD_TOKEN',
  discordApplicationId: 'DISCORD_APPLICATION_ID',
  elasticsearchApiKey: 'ELASTICSEARCH_API_KEY',
  elasticsearchUsername: 'ELASTICSEARCH_USERNAME',
  elasticsearchPassword: 'ELASTICSEARCH_PASSWORD',
  githubToken: 'GITHUB_TOKEN',
  gitlabToken: 'GITLAB_TOKEN',
};

export interface Config extends Settings {
  secrets: Secrets;
  /** For each setting path ('store.kind'), where its value came from: 'default', a file path, or an env var. */
  sources: Record<string, string>;
  /** Absolute path of the project root the relative paths are read against. */
  rootDir: string;
}
