import { encodeChat } from 'gpt-tokenizer';
import { redactSecrets } from '../logging/redact-secrets.ts';
import type { ChatMessage, Split } from '../ports/index.ts';

/** Every check, named so a report and a test can point at the one that failed. */
export type ValidationRule =
  | 'parse'
  | 'format'
  | 'role'
  | 'unknown_key'
  | 'empty_content'
  | 'no_user_message'
  | 'last_not_assistant'
  | 'too_long'
  | 'too_few_examples'
  | 'few_examples'
  | 'no_validation_examples';

export interface ValidationIssue {
  rule: ValidationRule;
  message: string;
  /** 1-based line of the JSONL file, when the issue is about one line. */
  line?: number;
  exampleId?: string;
}

export interface ValidationSettings {
  /** Fewer training examples than this is an error. */
  minExamples: number;
  /** Fewer than this is a warning. */
  recommendedExamples: number;
  maxExampleTokens: number;
  /** Epochs the cost estimate assumes. */
  epochs: number;
  pricePerMillionTokens: number;
}

export interface TokenStatistics {
  total: number;
  min: number;
  max: number;
  mean: number;
}

export interface ValidationReport {
  valid: boolean;
  lines: number;
  /** Lines that passed every per-line check. */
  validExamples: number;
  trainExamples: number;
  validationExamples: number;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
  tokens: TokenStatistics;
  /** Training tokens are the train split's tokens: validation lines are not billed. */
  estimate: {
    trainTokens: number;
    epochs: number;
    billedTokens: number;
    pricePerMillionTokens: number;
    cost: number;
  };
}

/** One JSONL line to check; `split` says whether its tokens are billed (train) or not (validation). */
export interface ValidationLine {
  text: string;
  exampleId?: string;
  split?: Split;
}

const roles = new Set(['system', 'user', 'assistant']);
const messageKeys = new Set(['role', 'content', 'name', 'weight']);

/** Tokens of a chat as the fine-tuning service counts them (o200k, the GPT-4o family's encoding). */
export function countChatTokens(messages: ChatMessage[]): number {
  // Special-token text inside content is ordinary text to the trainer, so it must not throw here.
  return encodeChat(messages, 'gpt-4o', { disallowedSpecial: new Set() }).length;
}

/** Checks one line; returns its problems and, when it parsed into messages, its token count. */
export function validateLine(
  line: ValidationLine,
  lineNumber: number,
  settings: Pick<ValidationSettings, 'maxExampleTokens'>,
): {
  issues: ValidationIssue[];
  tokens: number | null;
} {
  const issue = (rule: ValidationRule, message: string): ValidationIssue => ({
    rule,
    message,
    line: lineNumber,
    ...(line.exampleId ? { exampleId: line.exampleId } : {}),
  });
  if (line.text.trim() === '')
    return {
      issues: [issue('parse', 'the line is empty: remove blank lines (one example per line, none between)')],
      tokens: null,
    };
  if (line.text.startsWith('\uFEFF'))
    return {
      issues: [
        issue(
          'parse',
          'the file starts with a byte order mark (BOM), which is not JSON: save it as UTF-8 without BOM',
        ),
      ],
      tokens: null,
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.text);
  } catch (error) {
    return {
      issues: [issue('parse', `line does not parse as JSON: ${(error as Error).message}`)],
      tokens: null,
    };
  }
  const messages = (parsed as { messages?: unknown } | null)?.messages;
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !Array.isArray(messages) ||
    messages.length === 0
  ) {
    return {
      issues: [issue('format', 'expected an object with a non-empty "messages" array')],
      tokens: null,
    };
  }
  const issues: ValidationIssue[] = [];
  messages.forEach((message: unknown, index) => {
    const where = `message ${index + 1}`;
    if (typeof message !== 'object' || message === null) {
      issues.push(issue('format', `${where} is not an object`));
      return;
    }
    const record = message as Record<string, unknown>;
    // A wrong role is named, but whatever was pasted into it (a secret, a whole text) is not echoed whole.
    const shown = (text: string) => {
      const safe = redactSecrets(text);
      return safe.length > 60 ? `${safe.slice(0, 59)}…` : safe;
    };
    if (typeof record.role !== 'string' || !roles.has(record.role)) {
      issues.push(
        issue(
          'role',
          `${where} has role ${shown(JSON.stringify(record.role) ?? 'undefined')}; use system, user or assistant`,
        ),
      );
    }
    const unknownKeys = Object.keys(record).filter((key) => !messageKeys.has(key));
    if (unknownKeys.length > 0)
      issues.push(issue('unknown_key', `${where} has unrecognised keys: ${unknownKeys.join(', ')}`));
    if (typeof record.content !== 'string' || record.content.trim() === '') {
      issues.push(issue('empty_content', `${where} (${shown(String(record.role))}) has no text content`));
    }
  });
  const typed = messages as Array<{ role?: unknown; content?: unknown }>;
  if (!typed.some((message) => message?.role === 'user'))
    issues.push(issue('no_user_message', 'the example has no user message'));
  if (typed.at(-1)?.role !== 'assistant') {
    issues.push(
      issue(
        'last_not_assistant',
        "the last message must be the assistant's: it is what the model learns to say",
      ),
    );
  }
  if (issues.length > 0) return { issues, tokens: null };
  const tokens = countChatTokens(typed as ChatMessage[]);
  if (tokens > settings.maxExampleTokens) {
    issues.push(
      issue(
        'too_long',
        `the example has ${tokens} tokens, over the limit of ${settings.maxExampleTokens}; longer examples are cut by the trainer`,
      ),
    );
  }
  return { issues, tokens };
}

function statistics(values: number[]): TokenStatistics {
  if (values.length === 0) return { total: 0, min: 0, max: 0, mean: 0 };
  const total = values.reduce((sum, value) => sum + value, 0);
  return {
    total,
    min: Math.min(...values),
    max: Math.max(...values),
    mean: Math.round(total / values.length),
  };
}

/**
 * Checks a fine-tuning file the way the fine-tuning service does before it accepts one, and estimates
 * the cost: training tokens x epochs x price per million.
 */
export function validateDataset(lines: ValidationLine[], settings: ValidationSettings): ValidationReport {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  const tokenCounts: number[] = [];
  let trainTokens = 0;
  let validExamples = 0;
  let trainExamples = 0;
  let validationExamples = 0;
  lines.forEach((line, index) => {
    const { issues, tokens } = validateLine(line, index + 1, settings);
    errors.push(...issues);
    if (tokens !== null) tokenCounts.push(tokens);
    if (issues.length > 0) return;
    validExamples += 1;
    if (line.split === 'validation') {
      validationExamples += 1;
    } else {
      trainExamples += 1;
      trainTokens += tokens ?? 0;
    }
  });
  if (trainExamples < settings.minExamples) {
    errors.push({
      rule: 'too_few_examples',
      message: `${trainExamples} valid training examples; fine-tuning needs at least ${settings.minExamples}`,
    });
  } else if (trainExamples < settings.recommendedExamples) {
    warnings.push({
      rule: 'few_examples',
      message:
        `${trainExamples} training examples is enough to start, but below ${settings.recommendedExamples} ` +
        'a fine-tuned model usually improves little over the base model and may overfit the few answers it saw; review more conversations first',
    });
  }
  if (lines.some((line) => line.split !== undefined) && validationExamples === 0) {
    warnings.push({
      rule: 'no_validation_examples',
      message:
        'no example landed in the validation split: training reports no validation loss and evaluation has nothing held out',
    });
  }
  const billedTokens = trainTokens * settings.epochs;
  return {
    valid: errors.length === 0,
    lines: lines.length,
    validExamples,
    trainExamples,
    validationExamples,
    errors,
    warnings,
    tokens: statistics(tokenCounts),
    estimate: {
      trainTokens,
      epochs: settings.epochs,
      billedTokens,
      pricePerMillionTokens: settings.pricePerMillionTokens,
      cost: Number(((billedTokens * settings.pricePerMillionTokens) / 1e6).toFixed(6)),
    },
  };
}

/** Splits JSONL text into lines to validate, ignoring a trailing newline but not blank lines in between. */
export function jsonlLines(text: string): ValidationLine[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => ({ text: line }));
}
