import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { createOpenAiEmbedder } from '../../src/core/adapters/openai/index.ts';
import { silentLogger } from '../../src/core/index.ts';

describe('OpenAI embedder adapter (nock at the wire)', () => {
  it('batches, keeps order, normalises, and retries a 503', async () => {
    const bodies: Array<{ input: string[]; model: string; dimensions: number }> = [];
    const reply = (_uri: string, body: { input: string[] }) => ({
      object: 'list',
      model: 'text-embedding-3-small',
      // Out of order on purpose: the adapter must sort by index.
      data: body.input
        .map((text, index) => ({ object: 'embedding', index, embedding: [text.length, 0, 0, 3] }))
        .reverse(),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
    nock('http://127.0.0.1:1/v1')
      .post('/embeddings')
      .reply(503, { error: { message: 'overloaded' } }, { 'retry-after-ms': '5' })
      .post('/embeddings', (body) => {
        bodies.push(body);
        return true;
      })
      .times(2)
      .reply(200, reply);
    const embedder = createOpenAiEmbedder({
      apiKey: 'sk-test-000000000000000000',
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'text-embedding-3-small',
      dimensions: 4,
      batchSize: 2,
      timeoutMs: 2000,
      maxRetries: 2,
      logger: silentLogger,
    });
    const progress: number[] = [];
    const vectors = await embedder.embed(['abcd', 'ab', 'abc'], {
      onProgress: (done) => progress.push(done),
    });
    expect(bodies.map((body) => body.input)).toEqual([['abcd', 'ab'], ['abc']]);
    expect(bodies[0]).toMatchObject({ model: 'text-embedding-3-small', dimensions: 4 });
    expect(vectors[0]?.[0]).toBeCloseTo(0.8);
    expect(vectors[1]?.[0]).toBeCloseTo(2 / Math.hypot(2, 3));
    expect(vectors.every((vector) => Math.abs(Math.hypot(...vector) - 1) < 1e-9)).toBe(true);
    expect(progress).toEqual([2, 3]);
    expect(embedder.id).toBe('openai:text-embedding-3-small:4');
  });
});
