/**
 * Masks secrets in free text: API keys, bearer tokens, Slack and Discord tokens, private keys,
 * and `password=...`-style assignments. Used on log lines and on conversation records.
 */
/** The user info of a URL (`https://user:secret@host/`, `https://<token>@host/`). */
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*)(?::([^\s/?#@]*))?@/gi;

const secretPatterns: Array<{
  name: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}> = [
  {
    name: 'private key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    replace: () => '[REDACTED PRIVATE KEY]',
  },
  {
    name: 'openai key',
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}/g,
    replace: () => '[REDACTED KEY]',
  },
  {
    name: 'slack token',
    pattern: /\bx(?:ox[abposr]|app)-[A-Za-z0-9-]{10,}/g,
    replace: () => '[REDACTED TOKEN]',
  },
  {
    name: 'github token',
    pattern: /\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}/g,
    replace: () => '[REDACTED TOKEN]',
  },
  { name: 'aws key', pattern: /\bAKIA[0-9A-Z]{16}\b/g, replace: () => '[REDACTED KEY]' },
  {
    name: 'discord token',
    pattern: /\b[MNO][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,38}\b/g,
    replace: () => '[REDACTED TOKEN]',
  },
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => '[REDACTED TOKEN]',
  },
  {
    name: 'bearer',
    pattern: /\b(Bearer|Basic|ApiKey)\s+[A-Za-z0-9._~+/=-]{12,}/gi,
    replace: (_match, scheme) => `${scheme} [REDACTED]`,
  },
  {
    name: 'url credentials',
    pattern: urlCredentials,
    replace: (_match, scheme, user, password) => `${scheme}${password ? `${user}:` : ''}[REDACTED]@`,
  },
  {
    name: 'assignment',
    pattern:
      /\b(password|passwd|pwd|secret|api[_-]?key|token|access[_-]?key)(\s*[:=]\s*|\s+is\s+)(["']?)([^\s"'`,;]{4,})\3/gi,
    replace: (match, key, separator, quote, value) =>
      separator.includes('=') || quote || looksLikeSecret(value)
        ? `${key}${separator}${quote}[REDACTED]${quote}`
        : match,
  },
];

/**
 * After "password:" or "token is", a plain word is prose ("Treat it like a password: anyone with it can act as your
 * bot", "the token is valid for 30 days"), not a secret. A value is masked when it has a digit, a symbol, a capital
 * after its first letter, or is too long for a word. `password=...` and quoted values are always masked.
 */
function looksLikeSecret(value: string): boolean {
  const word = value.replace(/[.!?:)]+$/, '');
  return /[^\p{L}]/u.test(word) || /.\p{Lu}/u.test(word) || word.length >= 16;
}

export interface RedactionReport {
  text: string;
  /** Names of the kinds of secret found, with counts. */
  found: Record<string, number>;
}

export function redactSecretsWithReport(text: string): RedactionReport {
  const found: Record<string, number> = {};
  let result = text;
  for (const { name, pattern, replace } of secretPatterns) {
    result = result.replace(pattern, (...args: unknown[]) => {
      const groups = args.slice(1, -2).map((group) => (group === undefined ? '' : String(group)));
      const replaced = replace(String(args[0]), ...groups);
      if (replaced !== args[0]) found[name] = (found[name] ?? 0) + 1;
      return replaced;
    });
  }
  return { text: result, found };
}

export function redactSecrets(text: string): string {
  return redactSecretsWithReport(text).text;
}

/**
 * `https://user:secret@host/` becomes `https://user:****@host/`, and a token given as the user name
 * (`https://<token>@host/`) becomes `https://****@host/`: the credentials of a URL are never shown.
 */
export function hideUrlCredentials(text: string): string {
  return text.replace(urlCredentials, (_match, scheme: string, user: string, password?: string) =>
    password === undefined ? `${scheme}****@` : `${scheme}${user}:****@`,
  );
}
