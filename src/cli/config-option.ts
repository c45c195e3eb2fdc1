import { Option } from 'commander';

/**
 * The global `--config <file>`: one file per flag, repeatable (`-c a.yaml -c b.yaml`), so the command after it is
 * never read as one more file (`answerloop --config local.yaml start`).
 */
export function configOption(): Option {
  return new Option(
    '-c, --config <file>',
    'an extra configuration file, applied after config/default.yaml and config/local.yaml (repeat for more)',
  )
    .argParser((file: string, earlier: string[] | undefined) => [...(earlier ?? []), file])
    .default([] as string[], 'none');
}
