import { Box, Text } from 'ink';
import { type Command, globalCommands, keyBindings } from '../keys/key-bindings.ts';

export interface HelpPanelProps {
  screenTitle: string;
  hints: readonly Command[];
  height: number;
}

function KeyRows({ commands }: { commands: readonly Command[] }) {
  return (
    <>
      {commands.map((command) => (
        <Box key={command}>
          <Box width={12}>
            <Text color="cyan">{keyBindings[command].keys}</Text>
          </Box>
          <Text wrap="truncate-end">{keyBindings[command].description}</Text>
        </Box>
      ))}
    </>
  );
}

/** Every key of the current screen and of the dashboard, with what it does. */
export function HelpPanel({ screenTitle, hints, height }: HelpPanelProps) {
  const everywhere = globalCommands.filter((command) => !/^show/.test(command));
  return (
    <Box flexDirection="column" height={height} overflow="hidden" paddingX={1}>
      <Text bold>Keys: {screenTitle}</Text>
      <KeyRows commands={hints} />
      <Box marginTop={1}>
        <Text bold>Everywhere</Text>
      </Box>
      <Box>
        <Box width={12}>
          <Text color="cyan">1-7</Text>
        </Box>
        <Text>Overview, Review, Datasets, Training, Models, Knowledge, Playground.</Text>
      </Box>
      <KeyRows commands={everywhere} />
    </Box>
  );
}
