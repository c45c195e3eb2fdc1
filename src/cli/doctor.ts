import type { Command } from 'commander';
import { describeConfig, toAnswerloopError } from '../core/index.ts';
import type { CliContext } from './cli-context.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** Works, but needs the operator's attention (printed with !, does not fail the command). */
  warning?: boolean;
}

function flatten(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
    return Object.entries(value).flatMap(([key, child]) => flatten(child, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix, value]];
}

async function runCheck(name: string, check: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await check() };
  } catch (error) {
    return { name, ok: false, detail: toAnswerloopError(error).message };
  }
}

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('show the effective configuration (secrets masked) and check every configured dependency')
    .option('--online', 'also make a live one-token call to the OpenAI chat model')
    .option('--json', 'print settings, sources and checks as JSON')
    .action(async (options: { online?: boolean; json?: boolean }) => {
      const config = context.config();
      const { settings, secrets } = describeConfig(config);
      const core = context.core();
      const checks: Check[] = [];
      checks.push(
        await runCheck(`store (${config.store.kind})`, async () => {
          const health = await core.storeHealth();
          if (!health.ok) throw new Error(`${health.status}: ${JSON.stringify(health.details)}`);
          const counts = await core.knowledgeCounts();
          return `${health.status}; ${counts.documents} documents, ${counts.chunks} chunks; ${JSON.stringify(health.details)}`;
        }),
      );
      const sentenceCheck = await runCheck('sentence vectors', async () => {
        const missing = await core.knowledge.passagesWithoutSentenceVectors();
        if (missing === 0) return 'stored with every passage: answering embeds only the question';
        throw new Error(
          `${missing} passages were ingested before sentence vectors were stored with them: every answer embeds ` +
            'their sentences again, which is slow. Run `answerloop ingest <your folders>` (or `answerloop sync`) ' +
            'once to store them; nothing else changes.',
        );
      });
      checks.push(sentenceCheck.ok ? sentenceCheck : { ...sentenceCheck, ok: true, warning: true });
      checks.push(
        await runCheck(`embedder (${config.embedder.kind})`, async () => {
          const result = await core.checkEmbedder();
          return `${result.id}, ${result.dimensions} dimensions, first embedding in ${result.ms} ms`;
        }),
      );
      checks.push(
        await runCheck('answers', async () => {
          if (core.answerMode === 'offline')
            return (
              'offline extractive mode: no model reads the passages. A model that does refuses questions the ' +
              'documentation does not cover far better: answering.mode: local after `npm run model:fetch -- --llm` ' +
              '(in process, no key), or set OPENAI_API_KEY (docs/answering.md)'
            );
          if (core.answerMode === 'local') {
            const result = await core.checkLocalModel();
            return `local model ${result.model} loaded and answered in ${result.ms} ms (${result.threads} thread${result.threads === 1 ? '' : 's'})`;
          }
          const active = await core.training.activeModel();
          if (!options.online)
            return `OpenAI key present; active model ${active} (use --online for a live call)`;
          const result = await core.checkOpenAi();
          return `OpenAI answered with ${result.model} in ${result.ms} ms`;
        }),
      );
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ settings, secrets, sources: config.sources, checks }, null, 2)}\n`,
        );
      } else {
        process.stdout.write('Configuration (value  <- where it was set):\n');
        for (const [key, value] of flatten(settings)) {
          const source = config.sources[key] ?? 'default';
          process.stdout.write(
            `  ${key} = ${JSON.stringify(value)}${source === 'default' ? '' : `  <- ${source}`}\n`,
          );
        }
        process.stdout.write('\nSecrets (from the environment):\n');
        for (const [name, masked] of Object.entries(secrets)) process.stdout.write(`  ${name} = ${masked}\n`);
        process.stdout.write('\nChecks:\n');
        for (const check of checks)
          process.stdout.write(
            `  ${check.warning ? '!' : check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}\n`,
          );
      }
      if (checks.some((check) => !check.ok)) process.exitCode = 1;
    });
}
