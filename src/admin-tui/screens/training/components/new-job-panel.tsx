import { Box, Text } from 'ink';
import { ConfirmationPanel } from '../../../components/confirmation-panel.tsx';
import { TextBox } from '../../../components/text-box.tsx';
import { dollars, thousands } from '../../../format/figures.ts';
import { chosenReference, type NewJobForm } from '../../../state/training.ts';

export interface NewJobPanelProps {
  form: NewJobForm;
  width: number;
  onBaseModelChange: (value: string) => void;
  onBaseModelDone: () => void;
}

/** The confirmation before money is spent: dataset version, base model, epochs and the estimated cost. */
export function NewJobPanel({ form, width, onBaseModelChange, onBaseModelDone }: NewJobPanelProps) {
  const reference = chosenReference(form) ?? '—';
  const estimate = form.estimate;
  const choices =
    form.references.length > 1
      ? `◂ ${reference} ▸  (${form.choice + 1} of ${form.references.length}, ←/→)`
      : reference;
  const facts: Array<[string, string]> = [
    ['Dataset', choices],
    [
      'Examples',
      estimate ? `${estimate.trainExamples} train · ${estimate.validationExamples} validation` : 'reading…',
    ],
    ['Base model', form.baseModel],
    ['Epochs', estimate ? String(estimate.epochs) : '…'],
    ['Tokens', estimate ? `${thousands(estimate.billedTokens)} billed` : '…'],
    [
      'Est. cost',
      estimate ? `${dollars(estimate.cost)} at $${estimate.pricePerMillionTokens} per million tokens` : '…',
    ],
  ];
  const warning =
    estimate && !estimate.valid
      ? `This version does not pass validation: ${estimate.problems[0] ?? 'see the Datasets screen'}`
      : null;
  return (
    <Box flexDirection="column">
      <ConfirmationPanel title="Start fine-tuning?" facts={facts} warning={warning} width={width} />
      {form.editingBaseModel ? (
        <TextBox
          label="Base model"
          value={form.baseModel}
          focused
          width={Math.min(width, 76)}
          onChange={onBaseModelChange}
          onSubmit={onBaseModelDone}
        />
      ) : (
        <Text dimColor>
          OpenAI bills the job by trained tokens; the estimate uses the price in
          training.pricePerMillionTokens.
        </Text>
      )}
    </Box>
  );
}
