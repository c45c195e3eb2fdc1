import { redactSecretsWithReport } from '../logging/redact-secrets.ts';
import type { ChatMessage } from '../ports/index.ts';

/** What scrubbing changed: kinds of data with counts, and which examples were touched. Never the values. */
export interface ScrubReport {
  examplesScanned: number;
  examplesChanged: number;
  /** e.g. { email: 3, phone: 1, 'openai key': 1 }. */
  replacements: Record<string, number>;
  changedExampleIds: string[];
}

export interface ScrubOptions {
  /** Addresses and numbers that are public on purpose (a support address, a hotline); compared case-insensitively. */
  allowList?: string[];
}

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/**
 * A run of digits with the separators people write phone numbers with. Candidates are then checked by
 * `looksLikePhoneNumber`, because the same shape also matches dates, versions and IP addresses.
 */
const phoneCandidatePattern = /(?<![\w.+/-])\+?\(?\d[\d \t().-]{5,}\d(?![\w/-]|\.\d)/g;

function digitsOf(text: string): string {
  return text.replace(/\D/g, '');
}

function looksLikePhoneNumber(candidate: string): boolean {
  const digits = digitsOf(candidate);
  if (digits.length < 7 || digits.length > 15) return false;
  // Dates (2024-01-15, 15.01.2024) and times are not phone numbers.
  if (
    /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/.test(candidate) ||
    /^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$/.test(candidate)
  )
    return false;
  // IP addresses and dotted version numbers: short groups joined by dots only.
  if (/^\d{1,3}(?:\.\d{1,3}){2,}$/.test(candidate)) return false;
  // A bare number without any separator or '+' is more likely an id, an amount or a port than a phone.
  if (/^\d+$/.test(candidate)) return false;
  // Thousands written with spaces (1 000 000) are amounts.
  if (/^\d{1,3}(?: \d{3})+$/.test(candidate)) return false;
  return true;
}

function normalisedForAllowList(value: string): string {
  return value.includes('@') ? value.toLowerCase() : digitsOf(value);
}

/** Masks emails, phone numbers and secrets (keys, tokens, passwords) in one text, counting each kind. */
export function scrubText(
  text: string,
  options: ScrubOptions = {},
): { text: string; found: Record<string, number> } {
  const allowed = new Set((options.allowList ?? []).map(normalisedForAllowList));
  const found: Record<string, number> = {};
  const count = (kind: string) => {
    found[kind] = (found[kind] ?? 0) + 1;
  };
  // Secrets first: a token can contain an '@' or digit runs that would otherwise be half-masked as something else.
  const secrets = redactSecretsWithReport(text);
  for (const [kind, times] of Object.entries(secrets.found)) found[kind] = (found[kind] ?? 0) + times;
  let result = secrets.text.replace(emailPattern, (email) => {
    if (allowed.has(normalisedForAllowList(email))) return email;
    count('email');
    return '[EMAIL]';
  });
  result = result.replace(phoneCandidatePattern, (candidate) => {
    const trimmed = candidate.trim();
    if (!looksLikePhoneNumber(trimmed) || allowed.has(normalisedForAllowList(trimmed))) return candidate;
    count('phone');
    return candidate.replace(trimmed, '[PHONE]');
  });
  return { text: result, found };
}

/** Scrubs every message of every example; returns new examples (inputs are not changed) and a report. */
export function scrubExamples<T extends { id: string; messages: ChatMessage[] }>(
  examples: T[],
  options: ScrubOptions = {},
): { examples: T[]; report: ScrubReport } {
  const report: ScrubReport = {
    examplesScanned: examples.length,
    examplesChanged: 0,
    replacements: {},
    changedExampleIds: [],
  };
  const scrubbed = examples.map((example) => {
    let changed = false;
    const messages = example.messages.map((message) => {
      const { text, found } = scrubText(message.content, options);
      for (const [kind, times] of Object.entries(found))
        report.replacements[kind] = (report.replacements[kind] ?? 0) + times;
      if (text === message.content) return message;
      changed = true;
      return { ...message, content: text };
    });
    if (!changed) return example;
    report.examplesChanged += 1;
    report.changedExampleIds.push(example.id);
    return { ...example, messages };
  });
  return { examples: scrubbed, report };
}
