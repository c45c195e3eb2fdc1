import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { InputError } from '../errors/index.ts';

/**
 * Writes settings into config/local.yaml (the operator's own overrides, git-ignored), keeping whatever else the
 * file holds and its comments. `changes` maps a dotted setting path to its new value. The file is replaced
 * atomically, so a crash never leaves half a configuration. Returns the file written.
 */
export function writeLocalSettings(rootDir: string, changes: Record<string, unknown>): string {
  const file = path.join(rootDir, 'config', 'local.yaml');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    throw new InputError(
      `${file} is not valid YAML (${document.errors[0]!.message}): fix it before writing settings into it.`,
    );
  }
  if (document.contents === null)
    document.contents = document.createNode({}) as unknown as typeof document.contents;
  for (const [setting, value] of Object.entries(changes))
    document.setIn(setting.split('.'), document.createNode(value));
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, document.toString());
  renameSync(temporary, file);
  return file;
}
