import type { estypes } from '@elastic/elasticsearch';
import type { EvaluationRecord, ModelRecord, ModelRegistry, TrainingJobRecord } from '../../ports/index.ts';
import { createRecordIndex } from './record-index.ts';
import type { StoreContext } from './store-context.ts';

const newestFirst: estypes.SortCombinations[] = [{ created_at: 'desc' }, { record_id: 'desc' }];

export function createModelRecords(context: StoreContext): ModelRegistry {
  const models = createRecordIndex<ModelRecord>(context, 'models', {
    idOf: (record) => record.name,
    fieldsOf: (record) => ({ name: record.name, status: record.status, created_at: record.createdAt }),
  });
  const jobs = createRecordIndex<TrainingJobRecord>(context, 'training-jobs', {
    idOf: (record) => record.id,
    fieldsOf: (record) => ({ status: record.status, created_at: record.createdAt }),
  });
  const evaluations = createRecordIndex<EvaluationRecord>(context, 'evaluations', {
    idOf: (record) => record.id,
    fieldsOf: (record) => ({ candidate: record.candidate, created_at: record.createdAt }),
  });

  return {
    saveModel: (model) => models.put(model),
    getModel: (name) => models.get(name),
    async listModels() {
      return (await models.search({ sort: newestFirst })).items;
    },
    saveTrainingJob: (job) => jobs.put(job),
    getTrainingJob: (id) => jobs.get(id),
    async listTrainingJobs() {
      return (await jobs.search({ sort: newestFirst })).items;
    },
    saveEvaluation: (evaluation) => evaluations.put(evaluation),
    async listEvaluations(candidate) {
      const filter = candidate === undefined ? [] : [{ term: { candidate } }];
      return (await evaluations.search({ filter, sort: newestFirst })).items;
    },
  };
}
