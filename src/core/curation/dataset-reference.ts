import { InputError } from '../errors/index.ts';

/** `support@3` names version 3 of dataset `support`; `support` or `support@latest` the newest version. */
export interface DatasetReference {
  dataset: string;
  version: number | 'latest';
}

const datasetNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function assertDatasetName(name: string): void {
  if (!datasetNamePattern.test(name)) {
    throw new InputError(
      `Dataset name ${JSON.stringify(name)} is not valid: use letters, digits, '.', '_' and '-'.`,
    );
  }
}

export function parseDatasetReference(text: string): DatasetReference {
  const [dataset = '', version, ...rest] = text.trim().split('@');
  assertDatasetName(dataset);
  if (rest.length > 0)
    throw new InputError(
      `Dataset reference ${JSON.stringify(text)} has more than one '@': write name@version.`,
    );
  if (version === undefined || version === 'latest' || version === '') return { dataset, version: 'latest' };
  const number = Number(version.replace(/^v/, ''));
  if (!Number.isInteger(number) || number < 1) {
    throw new InputError(
      `Dataset version ${JSON.stringify(version)} is not a positive whole number: write e.g. ${dataset}@1.`,
    );
  }
  return { dataset, version: number };
}

export function formatDatasetReference(dataset: string, version: number): string {
  return `${dataset}@${version}`;
}
