import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type AppOptions } from '@slack/bolt';
import pTimeout from 'p-timeout';
import { AnswerloopError, type Core, type TakenOverDelivery } from '../../core/index.ts';
import { createBoltLogger } from './bolt-logger.ts';
import { createErrorBoundary } from './error-boundary.ts';
import { createInstallationStore } from './installation-store.ts';
import { registerListeners } from './listeners/index.ts';
import { guardSocketMode } from './socket-mode-guard.ts';
import type { SlackBotDependencies } from './slack-bot-dependencies.ts';
import { createThreadHistoryReader } from './thread-history.ts';
import { requireSlackSecrets } from './slack-settings.ts';

export interface SlackBotOptions {
  /** HTTP mode: the port to listen on instead of `slack.port` (0 picks a free one). */
  port?: number;
  /** Socket Mode: how long to wait for Slack's hello before giving up. */
  connectTimeoutMs?: number;
  /** How long stop() lets running handlers finish. */
  drainTimeoutMs?: number;
  /** HTTP mode: more GET routes on the Slack port (the probes and metrics), by path. */
  routes?: Record<string, (request: IncomingMessage, response: ServerResponse) => void>;
}

export interface SlackBot {
  stop(): Promise<void>;
  /** Resolves when the handlers running now have finished (tests, and stop()). */
  idle(): Promise<void>;
  /** HTTP mode: the port Bolt listens on. */
  port?: number;
  /** False while Socket Mode is disconnected (it reconnects by itself); true over HTTP once listening. */
  connected(): boolean;
  /**
   * Answers again a delivery the claim sweep (core.background) took over from a replica that stopped: runs the stored
   * event through the app, whose delivery middleware gets the taken-over claim. Ignored once stopping: the claim then
   * expires and another replica answers it.
   */
  redeliver(delivery: TakenOverDelivery): void;
}

/** The error the Web API client throws to retry a call Slack answered 429, after waiting its Retry-After. */
const rateLimitedRetry = /^A rate limit was exceeded \(url: ([^,]*), retry-after: (\d+)\)/;

/**
 * Web API retries. A call Slack answers 429 is retried after its Retry-After (the client pauses its queue for
 * that long, so later calls queue behind it instead of failing), up to ten times: a rate limit never loses an
 * answer. Any other failure (a passing 5xx, a dropped connection) gets two quick retries: the SDK's default
 * retries for about thirty minutes, which would leave a question hanging and the person waiting.
 */
export function slackRetryConfig(onRateLimited: (method: string, retryAfterSeconds: number) => void) {
  return {
    retries: 10,
    factor: 2,
    minTimeout: 250,
    maxTimeout: 2000,
    onFailedAttempt(error: Error & { attemptNumber?: number }) {
      const rateLimited = rateLimitedRetry.exec(error.message);
      if (rateLimited) {
        onRateLimited(rateLimited[1]!.split('/').pop() || 'unknown', Number(rateLimited[2]));
        return;
      }
      if ((error.attemptNumber ?? 0) > 2) throw error;
    },
  };
}

function describeSlackError(error: unknown): string {
  const slackError = error as { code?: string; data?: { error?: string }; message?: string };
  return slackError.data?.error ?? slackError.message ?? String(error);
}

/**
 * Starts the Slack face: a Bolt app in Socket Mode or over HTTP, as `slack.mode` says. Both modes differ
 * from production in nothing but `slack.apiUrl`, which points the SDK at another Web API (tests use it).
 * Throws a config_invalid AnswerloopError naming what to fix when a token is missing or Slack rejects it.
 */
export async function startSlackBot(core: Core, options: SlackBotOptions = {}): Promise<SlackBot> {
  const settings = core.config.slack;
  const secrets = requireSlackSecrets(core.config);
  const logger = core.logger.child({ component: 'slack' });
  const socketMode = settings.mode === 'socket';

  const apiOptions = settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {};
  const retryConfig = slackRetryConfig((method, retryAfterSeconds) => {
    core.metrics.increment('platform_rate_limits_total', { platform: 'slack', method });
    logger.info(
      { method, retryAfterSeconds },
      'Slack answered 429 (rate limited): waited Retry-After, retrying',
    );
  });
  const distribution: Partial<AppOptions> = secrets.oauth
    ? {
        clientId: secrets.oauth.clientId,
        clientSecret: secrets.oauth.clientSecret,
        stateSecret: secrets.oauth.stateSecret,
        scopes: [...settings.oauthScopes],
        installationStore: createInstallationStore(core),
        // /slack/install sends the person straight to Slack's consent page.
        installerOptions: {
          directInstall: true,
          clientOptions: { retryConfig, ...apiOptions },
        },
      }
    : { token: secrets.botToken };
  const appOptions: AppOptions = {
    ...distribution,
    logger: createBoltLogger(
      logger.child({ component: 'slack-sdk' }),
      Object.values(core.config.secrets).filter((secret): secret is string => typeof secret === 'string'),
    ),
    clientOptions: { retryConfig, rejectRateLimitedCalls: false, ...apiOptions },
    // auth.test runs in init() below, where a rejected token becomes a clear error instead of an unhandled rejection.
    deferInitialization: true,
    // The error boundary needs the request body to answer where the person asked.
    extendedErrorHandler: true,
    convoStore: false,
    ...(socketMode
      ? { socketMode: true, appToken: secrets.appToken }
      : {
          signingSecret: secrets.signingSecret,
          port: options.port ?? settings.port,
          customRoutes: Object.entries(options.routes ?? {}).map(([path, handler]) => ({
            path,
            method: ['GET'],
            handler,
          })),
        }),
  };
  const app = new App(appOptions);

  try {
    await app.init();
  } catch (error) {
    const reason = describeSlackError(error);
    const code = (error as { code?: string }).code;
    if (code === 'slack_webapi_platform_error') {
      throw new AnswerloopError(
        'config_invalid',
        `Slack rejected SLACK_BOT_TOKEN (auth.test: ${reason}). Copy the Bot User OAuth Token again from OAuth & Permissions.`,
        {
          cause: error,
        },
      );
    }
    throw new AnswerloopError(
      'upstream_failed',
      `Could not reach Slack's Web API at ${settings.apiUrl || 'https://slack.com/api/'} (${reason}).`,
      {
        cause: error,
        isRetryable: true,
      },
    );
  }

  const dependencies: SlackBotDependencies = {
    core,
    settings,
    logger,
    rateLimiter: core.delivery.rateLimiter('slack'),
    threadHistory: createThreadHistoryReader({
      core,
      logger,
      distribution: settings.distribution,
      ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}),
    }),
  };
  registerListeners(app, dependencies);
  app.error(createErrorBoundary(dependencies, app.client));
  if (socketMode) guardSocketMode(app, { logger, metrics: core.metrics });

  // Both receivers hand every delivery to processEvent, which runs the listeners and then the error
  // boundary: tracking it lets stop() (and tests) wait for work in progress, answers and apologies alike.
  const inFlight = new Set<Promise<void>>();
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event) => {
    const work = processEvent(event);
    inFlight.add(work);
    work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };

  let port: number | undefined;
  try {
    if (socketMode) {
      const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
      await pTimeout(app.start(), {
        milliseconds: connectTimeoutMs,
        message: new AnswerloopError(
          'upstream_failed',
          `Slack Socket Mode did not connect within ${connectTimeoutMs / 1000} s.`,
          { isRetryable: true },
        ),
      });
    } else {
      const server = (await app.start(options.port ?? settings.port)) as Server;
      port = (server.address() as AddressInfo).port;
    }
  } catch (error) {
    await app.stop().catch(() => undefined);
    if (AnswerloopError.is(error)) throw error;
    const reason = describeSlackError(error);
    const code = (error as { code?: string; data?: { error?: string } }).data?.error;
    if (code === 'invalid_auth' || code === 'not_authed') {
      throw new AnswerloopError(
        'config_invalid',
        `Slack rejected SLACK_APP_TOKEN (${code}): create an app-level token with connections:write.`,
        { cause: error },
      );
    }
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new AnswerloopError(
        'config_invalid',
        `Port ${options.port ?? settings.port} is in use: set slack.port (ANSWERLOOP_SLACK__PORT) to a free one.`,
        {
          cause: error,
        },
      );
    }
    throw new AnswerloopError('upstream_failed', `The Slack bot could not start: ${reason}`, {
      cause: error,
      isRetryable: true,
    });
  }
  logger.info({ mode: settings.mode, distribution: settings.distribution, port }, 'Slack bot started');
  let connected = true;
  const socketClient = (
    app as unknown as { receiver?: { client?: { on(event: string, listener: () => void): void } } }
  ).receiver?.client;
  if (socketMode && socketClient) {
    socketClient.on('disconnected', () => {
      connected = false;
    });
    socketClient.on('connected', () => {
      connected = true;
    });
  }

  let stopped: Promise<void> | undefined;
  const redeliver = (delivery: TakenOverDelivery) => {
    if (stopped) return;
    // Not awaited: the sweep goes on while the answer is written; processEvent is tracked for stop().
    app
      .processEvent({ body: delivery.payload as Record<string, unknown>, ack: async () => {} })
      .catch((error: unknown) =>
        logger.error({ err: error, eventId: delivery.id }, 'A taken-over Slack delivery failed'),
      );
  };
  const idle = async () => {
    // Handlers may start others (a click while an answer streams): wait until none is left.
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };
  return {
    ...(port === undefined ? {} : { port }),
    idle,
    connected: () => connected,
    redeliver,
    stop() {
      stopped ??= (async () => {
        await app
          .stop()
          .catch((error: unknown) => logger.warn({ err: error }, 'Stopping the Slack receiver failed'));
        // Questions already being answered get their answer; new ones are no longer received.
        const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
        await pTimeout(idle(), { milliseconds: drainTimeoutMs }).catch(() =>
          logger.warn({ running: inFlight.size }, 'Stopped the Slack bot with answers still running'),
        );
        logger.info({}, 'Slack bot stopped');
      })();
      return stopped;
    },
  };
}
