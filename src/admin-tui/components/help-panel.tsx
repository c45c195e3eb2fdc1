import { Box, Text } from 'ink';
import { Command, keyBindings } from '../keys/key-bindings.ts';

export interface HelpPanelProps {
  screenTitle: string;
  commands: readonly Command[];
  height: number;
}

interface HelpRow {
  keys: string;
  description: string;
}

const listMoves: readonly Command[] = [
  Command.Up,
  Command.Down,
  Command.PageUp,
  Command.PageDown,
  Command.First,
  Command.Last,
];

/** The screen's commands as rows; moving in a list is one row, so the whole help fits 80x24. */
export function helpRows(commands: readonly Command[]): HelpRow[] {
  const moves = listMoves.filter((command) => commands.includes(command));
  const rows: HelpRow[] = [];
  if (moves.length > 2)
    rows.push({ keys: '↑↓ jk g G PgUp/Dn', description: 'Move in the list: a line, first, last, a page.' });
  for (const command of commands) {
    if (moves.length > 2 && moves.includes(command)) continue;
    rows.push({ keys: keyBindings[command].keys, description: keyBindings[command].description });
  }
  return rows;
}

const everywhere: readonly HelpRow[] = [
  { keys: '1-8', description: 'Jump to a screen: the numbers on the top line.' },
  {
    keys: `${keyBindings.nextScreen.keys} ${keyBindings.previousScreen.keys}`,
    description: 'Next screen, previous screen (also while typing).',
  },
  { keys: keyBindings.help.keys, description: keyBindings.help.description },
  {
    keys: `${keyBindings.quit.keys} ${keyBindings.forceQuit.keys}`,
    description: 'Leave the dashboard (C-c also while typing).',
  },
];

function Rows({ rows }: { rows: readonly HelpRow[] }) {
  return (
    <>
      {rows.map((row) => (
        <Box key={row.keys}>
          <Box width={19} flexShrink={0}>
            <Text color="cyan">{row.keys}</Text>
          </Box>
          <Text wrap="truncate-end">{row.description}</Text>
        </Box>
      ))}
    </>
  );
}

/** Every key of the current screen and of the dashboard, with what it does. */
export function HelpPanel({ screenTitle, commands, height }: HelpPanelProps) {
  return (
    <Box flexDirection="column" height={height} overflow="hidden" paddingX={1}>
      <Text bold>Keys: {screenTitle}</Text>
      <Rows rows={helpRows(commands)} />
      <Box marginTop={1}>
        <Text bold>Everywhere</Text>
      </Box>
      <Rows rows={everywhere} />
    </Box>
  );
}
