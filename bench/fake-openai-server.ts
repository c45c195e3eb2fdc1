import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 that answers at once, so a benchmark of ask()
 * measures our code, not a model. Run it in its own process (`node --import tsx bench/fake-openai-server.ts`):
 * it prints `READY <port>`, and `GET /stats` returns how long it spent on each request.
 * Answers stream (server-sent events) when the request asks for `stream: true`, as the real API does.
 */

const answer = 'To do that, open the settings page and follow the steps in the guide [1].';
const usage = { prompt_tokens: 900, completion_tokens: 20, total_tokens: 920 };
const handlingMs: number[] = [];

function completion(model: string) {
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop', logprobs: null },
    ],
    usage,
  };
}

function streamChunk(
  model: string,
  delta: Record<string, unknown>,
  finishReason: string | null,
  withUsage = false,
) {
  return {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: withUsage ? [] : [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...(withUsage ? { usage } : {}),
  };
}

const server = http.createServer((request, response) => {
  const started = performance.now();
  response.on('finish', () => {
    if (request.url?.startsWith('/v1/chat/completions')) handlingMs.push(performance.now() - started);
  });
  if (request.method === 'GET' && request.url === '/stats') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ requests: handlingMs.length, handlingMs }));
    return;
  }
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    if (request.method !== 'POST' || !request.url?.startsWith('/v1/chat/completions')) {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: { message: `No route ${request.method} ${request.url}`, type: 'invalid_request_error' },
        }),
      );
      return;
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; stream?: boolean };
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(completion(body.model)));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const words = answer.split(/(?<= )/);
    const events = [
      streamChunk(body.model, { role: 'assistant', content: '' }, null),
      ...words.map((word) => streamChunk(body.model, { content: word }, null)),
      streamChunk(body.model, {}, 'stop'),
      streamChunk(body.model, {}, null, true),
    ];
    response.end(`${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`);
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
