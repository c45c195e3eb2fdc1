import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalModel } from '../support/local-model.ts';
import { cliEnvironment, runAnswerloop } from '../support/cli-environment.ts';

const repositoryRoot = path.resolve(import.meta.dirname, '../..');
const model = useLocalModel();

describe.skipIf(!model)(
  'answerloop gaps, insights and docs propose, as processes on the embedded store',
  () => {
    let workspace: string;
    let env: NodeJS.ProcessEnv;
    const run = (...args: string[]) => runAnswerloop(args, { cwd: workspace, env });

    beforeAll(async () => {
      workspace = mkdtempSync(path.join(tmpdir(), 'answerloop-insights-cli-'));
      cpSync(path.join(repositoryRoot, 'test/fixtures/answering-docs'), path.join(workspace, 'docs'), {
        recursive: true,
      });
      env = cliEnvironment(workspace, { ANSWERLOOP_EMBEDDER__LOCAL__MODEL_DIR: model!.modelDir });
      await run('ingest', 'docs');
      for (const question of [
        'What is the airspeed velocity of an unladen swallow?',
        'How fast does an unladen swallow fly?',
      ])
        await run('ask', question, '--json');
    }, 300_000);

    afterAll(() => rmSync(workspace, { recursive: true, force: true }));

    it(
      'lists the gap, reports resolution, and says what docs propose needs',
      { timeout: 300_000 },
      async () => {
        const report = JSON.parse(await run('gaps', '--json')) as {
          gaps: Array<{
            id: string;
            title: string;
            count: number;
            questions: Array<{ question: string; platform: string }>;
          }>;
        };
        expect(report.gaps).toHaveLength(1);
        expect(report.gaps[0]).toMatchObject({ count: 2 });
        expect(report.gaps[0]!.questions.map((question) => question.platform)).toEqual(['cli', 'cli']);
        const id = report.gaps[0]!.id;

        expect(await run('gaps')).toMatch(new RegExp(`${id}\\s+2\\s+1\\s+.*refused`));
        expect(await run('gaps', '--markdown')).toContain(
          '- How fast does an unladen swallow fly? (cli terminal, ',
        );

        const insights = JSON.parse(await run('insights', '--json')) as {
          total: { questions: number; refused: number };
        };
        expect(insights.total).toMatchObject({ questions: 2, refused: 2 });
        expect(await run('insights')).toMatch(/0 of 2 questions resolved without a person \(0%\)/);

        const failure = await run('docs', 'propose', '--gap', id).catch(
          (error: { code: number; stderr: string }) => error,
        );
        expect(failure).toMatchObject({ code: 2 });
        expect((failure as { stderr: string }).stderr).toMatch(
          /No git or folder source in knowledge.sources/,
        );
      },
    );
  },
);
