/**
 * HTTP for the crawler: a few requests in flight, a pause between request starts (the site's crawl-delay when it
 * asks for a longer one), a timeout and a size limit on every answer, and redirects followed one hop at a time so
 * each hop can be checked (loops, robots.txt, leaving the site).
 */
import PQueue from 'p-queue';

export interface PoliteFetcherOptions {
  userAgent: string;
  concurrency: number;
  delayMs: number;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
}

export interface FetchRequest {
  headers?: Record<string, string>;
  maxRedirects: number;
  /** Robots, robots.txt and sitemaps are read whatever their type; pages only when this says the type is read. */
  acceptAnyType?: boolean;
  acceptsType?: (mediaType: string) => boolean;
  /** Why a redirect target may not be followed (another site, robots.txt), or undefined to follow it. */
  refuseRedirect?: (target: URL) => string | undefined;
}

export type FetchOutcome =
  | {
      kind: 'response';
      status: number;
      /** The URL that answered, after redirects. */
      url: string;
      headers: Headers;
      /** Empty when the type was not accepted (the body is never downloaded then). */
      body: Uint8Array;
      mediaType: string;
      bodySkipped: boolean;
    }
  /** The request could not be completed; `retryable` faults may pass (timeouts, refused connections). */
  | { kind: 'error'; url: string; reason: string }
  /** On purpose: a redirect that may not be followed, or an answer over the size limit. */
  | { kind: 'refused'; url: string; reason: string };

export interface PoliteFetcher {
  fetch(url: string, request: FetchRequest): Promise<FetchOutcome>;
  /** The site's crawl-delay, when longer than the configured pause. */
  slowDownTo(delayMs: number): void;
  readonly requests: number;
}

export function createPoliteFetcher(options: PoliteFetcherOptions): PoliteFetcher {
  let delayMs = options.delayMs;
  let requests = 0;
  // A few in flight; with a delay, no two starts within it (strict: a sliding window, not fixed slots).
  const queueFor = (pause: number) =>
    new PQueue({
      concurrency: options.concurrency,
      ...(pause > 0 ? { interval: pause, intervalCap: 1, strict: true } : {}),
    });
  let queue = queueFor(delayMs);

  const once = async (
    url: string,
    request: FetchRequest,
  ): Promise<{ response: Response } | { error: string }> => {
    try {
      const response = await queue.add(
        () => {
          requests += 1;
          const signals = [
            AbortSignal.timeout(options.timeoutMs),
            ...(options.signal ? [options.signal] : []),
          ];
          return fetch(url, {
            redirect: 'manual',
            headers: {
              'user-agent': options.userAgent,
              accept:
                'text/html,application/xhtml+xml,text/markdown,text/plain,application/pdf,application/xml;q=0.9,*/*;q=0.5',
              ...request.headers,
            },
            signal: AbortSignal.any(signals),
          });
        },
        { signal: options.signal },
      );
      return { response };
    } catch (error) {
      return { error: describeFetchError(error, options.timeoutMs) };
    }
  };

  return {
    get requests() {
      return requests;
    },
    slowDownTo(ms) {
      if (ms <= delayMs) return;
      delayMs = ms;
      // A queue's interval is fixed, so a longer pause takes a new queue, whose window starts now: the next request
      // waits the whole pause. Requests in flight finish on the old one.
      queue = queueFor(delayMs);
      void queue.add(() => {});
    },
    async fetch(url, request) {
      const chain = [url];
      let current = url;
      for (;;) {
        const attempt = await once(current, request);
        if ('error' in attempt) return { kind: 'error', url: current, reason: attempt.error };
        const { response } = attempt;
        if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
          await response.body?.cancel().catch(() => {});
          let target: URL;
          try {
            target = new URL(response.headers.get('location')!, current);
          } catch {
            return {
              kind: 'error',
              url: current,
              reason: `HTTP ${response.status} to an unreadable Location header`,
            };
          }
          target.hash = '';
          if (chain.includes(target.href))
            return { kind: 'error', url, reason: `redirect loop: ${[...chain, target.href].join(' → ')}` };
          if (chain.length > request.maxRedirects)
            return {
              kind: 'error',
              url,
              reason: `more than ${request.maxRedirects} redirects (${chain.join(' → ')} → …)`,
            };
          const refusal = request.refuseRedirect?.(target);
          if (refusal) return { kind: 'refused', url, reason: `redirects to ${target.href}, ${refusal}` };
          chain.push(target.href);
          current = target.href;
          continue;
        }
        const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        const accepted =
          request.acceptAnyType || response.status !== 200 || (request.acceptsType?.(mediaType) ?? true);
        if (!accepted) {
          await response.body?.cancel().catch(() => {});
          return {
            kind: 'response',
            status: response.status,
            url: current,
            headers: response.headers,
            body: new Uint8Array(),
            mediaType,
            bodySkipped: true,
          };
        }
        const body = await readLimited(response, options.maxBytes, options.timeoutMs);
        if ('tooLarge' in body)
          return {
            kind: 'refused',
            url: current,
            reason: `larger than knowledge.web.maxPageBytes (${options.maxBytes} bytes); not read`,
          };
        if ('error' in body) return { kind: 'error', url: current, reason: body.error };
        return {
          kind: 'response',
          status: response.status,
          url: current,
          headers: response.headers,
          body: body.bytes,
          mediaType,
          bodySkipped: false,
        };
      }
    },
  };
}

async function readLimited(
  response: Response,
  maxBytes: number,
  timeoutMs: number,
): Promise<{ bytes: Uint8Array } | { tooLarge: true } | { error: string }> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return { tooLarge: true };
  }
  if (!response.body) return { bytes: new Uint8Array() };
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { tooLarge: true };
      }
      parts.push(value);
    }
  } catch (error) {
    return { error: describeFetchError(error, timeoutMs) };
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return { bytes };
}

/** The reason a request failed, in words an operator can act on. */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure?.name === 'TimeoutError')
    return `no complete answer within ${Math.round(timeoutMs / 1000)} s (timeout; knowledge.web.timeoutMs)`;
  if (failure?.name === 'AbortError') return 'stopped';
  const code = failure?.cause?.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens at that address (is the host up?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found (DNS lookup failed): check the URL';
    case 'ECONNRESET':
      return 'the connection was reset by the server';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'could not connect in time (timeout)';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the server stopped answering (timeout)';
  }
  if (failure?.cause?.message === 'bad port' || failure?.message === 'bad port')
    return 'the port is one that fetch refuses to use (a "bad port" such as 9 or 25): serve the site on another port';
  if (/CERT|TLS|SSL/i.test(code) || /certificate|TLS|SSL/i.test(failure?.cause?.message ?? ''))
    return `TLS error (${code || failure?.cause?.message}): the site's certificate is not trusted`;
  return `request failed: ${failure?.cause?.message ?? failure?.message ?? String(error)}`;
}
