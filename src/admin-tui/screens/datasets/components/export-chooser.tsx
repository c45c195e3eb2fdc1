import { Box, Text } from 'ink';
import type { ExportFormat } from '../../../../core/index.ts';

export interface ExportChooserProps {
  formats: readonly ExportFormat[];
  choice: number;
  reference: string;
}

const descriptions: Record<ExportFormat, string> = {
  openai: 'OpenAI chat JSONL (what fine-tuning uploads)',
  sharegpt: 'ShareGPT conversations (open-source trainers)',
  alpaca: 'Alpaca instruction/output (open-source trainers)',
};

/** Pick the export format of a version with ←/→ and enter. */
export function ExportChooser({ formats, choice, reference }: ExportChooserProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="cyan" paddingX={1}>
      <Text bold>{`Export ${reference} as`}</Text>
      <Box>
        {formats.map((format, index) => (
          <Text key={format} inverse={index === choice}>{` ${format} `}</Text>
        ))}
      </Box>
      <Text dimColor>{descriptions[formats[choice]!]}</Text>
      <Text dimColor>←/→ choose · enter export · esc cancel</Text>
    </Box>
  );
}
