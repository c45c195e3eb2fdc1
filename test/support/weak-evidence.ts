import type { Core } from '../../src/core/index.ts';

/**
 * The first of a few questions on the fixture docs that `core` answers with the weak-evidence notice; the test sets
 * `answering.uncertainBelow` high, so the choice does not hang on how a question scores.
 */
export async function questionAnsweredUnsure(core: Pick<Core, 'ask'>): Promise<string> {
  for (const question of [
    'How do I close my account?',
    'Why did my webhook stop?',
    'How are plans billed?',
  ]) {
    const probe = await core.ask({ question, context: { platform: 'cli' } }, { record: false });
    if (probe.uncertain) return question;
  }
  throw new Error(
    'No fixture question is answered on weak evidence: raise answering.uncertainBelow in the test.',
  );
}
