import { createInterface } from 'node:readline';
import { type Core, AnswerloopError } from '../core/index.ts';
import { formatAnswerFooter } from './terminal-output.ts';

/** Asks one question and prints the answer as it streams, then its sources. */
export async function askAndPrint(
  core: Core,
  question: string,
  options: { stream: boolean; thread?: string },
): Promise<void> {
  let printed = '';
  const result = await core.ask(
    {
      question,
      context: { platform: 'cli', channel: 'terminal', thread: options.thread, userId: process.env.USER },
    },
    {
      stream: options.stream,
      onDelta: options.stream
        ? (delta, soFar) => {
            printed = soFar;
            process.stdout.write(delta);
          }
        : undefined,
    },
  );
  // Streaming shows raw text; the final answer (citations checked) replaces it when they differ.
  if (!printed) process.stdout.write(result.answer);
  else if (printed.replace(/\s+/g, ' ').trim() !== result.answer.replace(/\s+/g, ' ').trim())
    process.stdout.write(`\n\n${result.answer}`);
  process.stdout.write(`\n${formatAnswerFooter(result)}\n`);
}

/**
 * A question prompt in the terminal: each line is a question, answered with its sources. Questions in one
 * session form a thread, so follow-ups work. Works on piped input too: lines are read through readline's async
 * iterator, which keeps the lines that arrive while a question is being answered (a pipe delivers them all at once;
 * `question()` would see only the first).
 */
export async function runInteractivePrompt(core: Core, options: { stream: boolean }): Promise<void> {
  const thread = `cli-${Date.now()}`;
  const terminal = Boolean(process.stdin.isTTY);
  const lines = createInterface({
    input: process.stdin,
    ...(terminal ? { output: process.stdout } : {}),
    terminal,
  });
  if (terminal) {
    process.stdout.write('Ask a question (empty line or Ctrl+D to quit).\n');
    lines.setPrompt('\n? ');
    lines.prompt();
  }
  try {
    for await (const line of lines) {
      const question = line.trim();
      if (!question) {
        if (terminal) break;
        continue;
      }
      try {
        await askAndPrint(core, question, { ...options, thread });
      } catch (error) {
        const message = error instanceof AnswerloopError ? error.message : String(error);
        process.stderr.write(`Could not answer: ${message}\n`);
      }
      if (terminal) lines.prompt();
    }
  } finally {
    lines.close();
  }
}
