import { AnswerloopError } from '../../errors/index.ts';
import type { DatasetRecord, DatasetStore, DatasetVersionRecord, ExampleRecord } from '../../ports/index.ts';
import { createRecordIndex } from './record-index.ts';
import type { StoreContext } from './store-context.ts';

const versionId = (dataset: string, version: number) => `${dataset}@${version}`;

export function createDatasetRecords(context: StoreContext): DatasetStore {
  const datasets = createRecordIndex<DatasetRecord>(context, 'datasets', {
    idOf: (record) => record.name,
    fieldsOf: (record) => ({ name: record.name, created_at: record.createdAt }),
  });
  const examples = createRecordIndex<ExampleRecord>(context, 'examples', {
    idOf: (record) => record.id,
    fieldsOf: (record) => ({
      dataset: record.dataset,
      origin_conversation_id: record.originConversationId,
      source_doc_ids: record.sourceDocIds,
      stale: record.stale,
      split: record.split,
      created_at: record.createdAt,
    }),
  });
  const versions = createRecordIndex<DatasetVersionRecord>(context, 'dataset-versions', {
    idOf: (record) => versionId(record.dataset, record.version),
    fieldsOf: (record) => ({
      dataset: record.dataset,
      version: record.version,
      created_at: record.createdAt,
    }),
  });

  return {
    saveDataset: (dataset) => datasets.put(dataset),
    async listDatasets() {
      return (await datasets.search({ sort: [{ record_id: 'asc' }] })).items;
    },
    saveExample: (example) => examples.put(example),
    getExample: (id) => examples.get(id),
    async listExamples(query) {
      const filter = [];
      if (query.dataset !== undefined) filter.push({ term: { dataset: query.dataset } });
      if (query.stale !== undefined) filter.push({ term: { stale: query.stale } });
      if (query.originConversationId !== undefined)
        filter.push({ term: { origin_conversation_id: query.originConversationId } });
      if (query.sourceDocId !== undefined) filter.push({ term: { source_doc_ids: query.sourceDocId } });
      return (await examples.search({ filter, sort: [{ created_at: 'asc' }, { record_id: 'asc' }] })).items;
    },
    deleteExample: (id) => examples.remove(id),
    async saveDatasetVersion(version) {
      // Versions are immutable: `create` fails on an existing id, even when two processes race.
      const stored = await versions.putIfAbsent(version);
      if (!stored) {
        throw new AnswerloopError(
          'conflict',
          `Dataset "${version.dataset}" already has version ${version.version}: versions never change; snapshot a new version instead.`,
          { details: { dataset: version.dataset, version: version.version } },
        );
      }
    },
    getDatasetVersion: (dataset, version) => versions.get(versionId(dataset, version)),
    async listDatasetVersions(dataset) {
      const filter = dataset === undefined ? [] : [{ term: { dataset } }];
      return (
        await versions.search({
          filter,
          sort: [{ created_at: 'desc' }, { version: 'desc' }, { record_id: 'desc' }],
        })
      ).items;
    },
  };
}
