/**
 * Questions from QA sets (the evaluation corpora, or the operator's own) added to a candidate's evaluation, so it
 * measures refusal on unanswerable questions and citation validity on questions the documentation does answer,
 * with prompts built exactly as ask() builds them from retrieval.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/index.ts';
import { promptFromSearch } from '../curation/prompt-reconstruction.ts';
import { InputError } from '../errors/index.ts';
import type { ChatMessage } from '../ports/index.ts';
import type { SearchOptions, SearchResult } from '../retrieval/index.ts';
import { parseQaSet, type QaItem } from '../retrieval/retrieval-evaluation.ts';

export interface QaProbe {
  id: string;
  prompt: ChatMessage[];
  /** The QA set's answer; the hand-off text for an unanswerable question. */
  reference: string | null;
  referenceRefused: boolean;
}

/**
 * Every unanswerable question of `training.guard.qaSets` and as many answerable ones, at most `qaLimit` in all,
 * in file order (the same questions each evaluation).
 */
export async function qaProbes(
  config: Config,
  search: (query: string, options: SearchOptions) => Promise<SearchResult>,
): Promise<QaProbe[]> {
  const { qaSets, qaLimit } = config.training.guard;
  const unanswerable: Array<{ id: string; item: QaItem }> = [];
  const answerable: Array<{ id: string; item: QaItem }> = [];
  for (const file of qaSets) {
    const location = path.resolve(config.rootDir, file);
    let text: string;
    try {
      text = readFileSync(location, 'utf8');
    } catch (error) {
      throw new InputError(
        `training.guard.qaSets names ${file}, which cannot be read (${(error as Error).message}): fix the path or remove it.`,
      );
    }
    for (const [index, item] of parseQaSet(text, file).entries()) {
      const id = `qa:${path.basename(path.dirname(location))}/${path.basename(location)}#${index + 1}`;
      (item.kind === 'unanswerable' ? unanswerable : answerable).push({ id, item });
    }
  }
  const fromUnanswerable = unanswerable.slice(
    0,
    Math.max(Math.ceil(qaLimit / 2), qaLimit - answerable.length),
  );
  const chosen = [...fromUnanswerable, ...answerable.slice(0, qaLimit - fromUnanswerable.length)];
  const probes: QaProbe[] = [];
  for (const { id, item } of chosen) {
    const found = await search(item.question, { k: config.retrieval.k });
    const refuses = item.kind === 'unanswerable';
    probes.push({
      id,
      prompt:
        found.hits.length > 0
          ? promptFromSearch(item.question, found, config.answering.contextTokens).messages
          : [{ role: 'user', content: item.question }],
      reference: refuses ? config.answering.handoff : item.answer || null,
      referenceRefused: refuses,
    });
  }
  return probes;
}
