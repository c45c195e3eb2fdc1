import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors/index.ts';
import { hideUrlCredentials } from '../logging/redact-secrets.ts';
import { type Config, type Secrets, secretEnvironmentNames, settingsSchema } from './schema.ts';

type PlainObject = Record<string, unknown>;

export const defaultConfigFile = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

export interface LoadConfigOptions {
  /** Override files applied in order after default.yaml (a missing one is an error). */
  files?: string[];
  /** The environment; only this function reads it. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths and config/local.yaml are found from. */
  cwd?: string;
  /** Values applied last, for tests and programmatic use. */
  overrides?: PlainObject;
}

/** Environment short names operators reach for most, and the standard names of the SDKs. */
const environmentAliases: Record<string, string> = {
  ANSWERLOOP_STORE: 'store.kind',
  ANSWERLOOP_DATA_DIR: 'dataDir',
  ELASTICSEARCH_URL: 'store.elasticsearch.url',
  OPENAI_BASE_URL: 'openai.baseUrl',
};

const environmentNotSettings = new Set(['ANSWERLOOP_CONFIG']);

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const result: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] =
      isPlainObject(current) && isPlainObject(value) && Object.keys(current).length > 0
        ? deepMerge(current, value)
        : value;
  }
  return result;
}

/** Leaf paths of the defaults: the settings an environment variable can set. */
function leafPaths(value: PlainObject, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) => {
    const childPath = prefix ? `${prefix}.${key}` : key;
    return isPlainObject(child) && Object.keys(child).length > 0 ? leafPaths(child, childPath) : [childPath];
  });
}

/** `store.elasticsearch.numCandidates` -> `ANSWERLOOP_STORE__ELASTICSEARCH__NUM_CANDIDATES`. */
export function environmentNameFor(settingPath: string): string {
  const parts = settingPath
    .split('.')
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase());
  return `ANSWERLOOP_${parts.join('__')}`;
}

function setPath(target: PlainObject, settingPath: string, value: unknown): void {
  const keys = settingPath.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as PlainObject;
  }
  node[keys[keys.length - 1] as string] = value;
}

function recordSources(value: unknown, source: string, sources: Record<string, string>, prefix = ''): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      recordSources(child, source, sources, prefix ? `${prefix}.${key}` : key);
    }
  } else if (prefix) {
    sources[prefix] = source;
  }
}

function readYamlFile(file: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`${file}: cannot be read (${(error as Error).message})`]);
  }
  const document = YAML.parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(document.errors.map((error) => `${file}: ${error.message.split('\n')[0]}`));
  }
  const parsed: unknown = document.toJS() ?? {};
  if (!isPlainObject(parsed))
    throw new ConfigError([`${file}: expected a mapping of settings at the top level`]);
  return parsed;
}

function parseEnvironmentValue(raw: string): unknown {
  try {
    return YAML.parse(raw);
  } catch {
    return raw;
  }
}

function describeIssue(
  issue: z.core.$ZodIssue,
  merged: PlainObject,
  sources: Record<string, string>,
): string {
  const issuePath = issue.path.map(String).join('.');
  let value: unknown = merged;
  for (const key of issue.path)
    value = isPlainObject(value) || Array.isArray(value) ? (value as PlainObject)[key as string] : undefined;
  const source =
    sources[issuePath] ?? Object.entries(sources).find(([key]) => key.startsWith(`${issuePath}.`))?.[1];
  if (issue.code === 'unrecognized_keys') {
    const where = issuePath ? `${issuePath}: ` : '';
    // Which file (or variable) holds them, so the typo can be found among several configuration files.
    const origins = [
      ...new Set(
        issue.keys.flatMap((key) => {
          const keyPath = issuePath ? `${issuePath}.${key}` : key;
          return Object.entries(sources)
            .filter(([setting]) => setting === keyPath || setting.startsWith(`${keyPath}.`))
            .map(([, origin]) => origin);
        }),
      ),
    ];
    return `${where}unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} (${origins.length > 0 ? `in ${origins.join(', ')}; ` : ''}check the spelling against config/default.yaml)`;
  }
  // A value may hold a URL with credentials (a git source's location): they are masked here too.
  const shown = value === undefined ? 'nothing' : hideUrlCredentials(JSON.stringify(value));
  return `${issuePath || '(root)'}: got ${shown}${source ? ` (from ${source})` : ''}; expected ${issue.message.replace(/^[^:]*: expected /, '')}`;
}

/**
 * Reads config/default.yaml, then config/local.yaml and any override files, then ANSWERLOOP_* variables,
 * validates the result, and returns it frozen. Throws a ConfigError listing every bad setting at once.
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const cwd = options.cwd ?? process.cwd();
  const sources: Record<string, string> = {};

  const defaults = readYamlFile(defaultConfigFile);
  recordSources(defaults, 'default', sources);
  let merged = defaults;

  const files: string[] = [];
  const localFile = path.join(cwd, 'config', 'local.yaml');
  if (existsSync(localFile)) files.push(localFile);
  if (env.ANSWERLOOP_CONFIG) files.push(...env.ANSWERLOOP_CONFIG.split(path.delimiter).filter(Boolean));
  files.push(...(options.files ?? []));
  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    if (!existsSync(absolute)) throw new ConfigError([`${file}: config file not found`]);
    const layer = readYamlFile(absolute);
    recordSources(layer, absolute, sources);
    merged = deepMerge(merged, layer);
  }

  const problems: string[] = [];
  const byEnvironmentName = new Map(
    leafPaths(defaults).map((settingPath) => [environmentNameFor(settingPath), settingPath]),
  );
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || raw === '') continue;
    const settingPath = byEnvironmentName.get(name) ?? environmentAliases[name];
    if (settingPath) {
      setPath(merged, settingPath, parseEnvironmentValue(raw));
      sources[settingPath] = name;
    } else if (name.startsWith('ANSWERLOOP_') && !environmentNotSettings.has(name)) {
      problems.push(
        `${name}: no such setting (names are ANSWERLOOP_ + the path in upper snake case, e.g. ANSWERLOOP_STORE__KIND)`,
      );
    }
  }
  if (options.overrides) {
    merged = deepMerge(merged, options.overrides);
    recordSources(options.overrides, 'override', sources);
  }

  const result = settingsSchema.safeParse(merged);
  if (!result.success)
    problems.push(...result.error.issues.map((issue) => describeIssue(issue, merged, sources)));
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);

  const secrets: Secrets = {};
  for (const [key, name] of Object.entries(secretEnvironmentNames) as Array<[keyof Secrets, string]>) {
    const value = env[name];
    if (value) secrets[key] = value;
  }

  return deepFreeze({ ...result.data, secrets, sources, rootDir: cwd });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Resolves a configured path against the directory the configuration was loaded in. */
export function resolveConfigPath(config: Pick<Config, 'rootDir'>, configuredPath: string): string {
  return path.resolve(config.rootDir, configuredPath);
}

/** The configuration as operators should see it: every secret masked. */
export function describeConfig(config: Config): { settings: PlainObject; secrets: Record<string, string> } {
  const { secrets, sources: _sources, rootDir: _rootDir, ...settings } = config;
  const masked: Record<string, string> = {};
  for (const [key, name] of Object.entries(secretEnvironmentNames) as Array<[keyof Secrets, string]>) {
    masked[name] = maskSecret(secrets[key]);
  }
  return { settings: withoutUrlCredentials(settings) as PlainObject, secrets: masked };
}

/** A setting may hold a URL with credentials (`ELASTICSEARCH_URL`, a git source's location): they are masked. */
function withoutUrlCredentials(value: unknown): unknown {
  if (typeof value === 'string') return hideUrlCredentials(value);
  if (Array.isArray(value)) return value.map(withoutUrlCredentials);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [key, withoutUrlCredentials(child)]),
    );
  return value;
}

export function maskSecret(value: string | undefined): string {
  if (!value) return '(not set)';
  // A few characters tell an API key or token apart; a password of ordinary length shows none.
  return value.length < 20 ? '****' : `${value.slice(0, 4)}****${value.slice(-2)}`;
}
