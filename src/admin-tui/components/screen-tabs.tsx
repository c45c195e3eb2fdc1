import { Box, Text } from 'ink';
import { screenNames, screenTitles, type ScreenName } from '../state/navigation.ts';

export interface ScreenTabsProps {
  current: ScreenName;
  columns: number;
  /** Screens with work running in the background: their tab carries a star. */
  busy: readonly ScreenName[];
}

/** Labels, one space between them and two around the current one: 77 columns, so 80 shows every name. */
const fullWidth =
  screenNames.reduce((width, name, index) => width + `${index + 1} ${screenTitles[name]}`.length + 1, 0) + 3;

/** The top line: every screen with its number key; narrow terminals get numbers only, except the current screen. */
export function ScreenTabs({ current, columns, busy }: ScreenTabsProps) {
  const compact = columns < fullWidth + busy.length;
  return (
    <Box width={columns} height={1} overflow="hidden">
      {screenNames.map((name, index) => {
        const selected = name === current;
        const label = `${index + 1}${compact && !selected ? '' : ` ${screenTitles[name]}`}${busy.includes(name) ? '*' : ''}`;
        return (
          <Text
            key={name}
            inverse={selected}
            bold={selected}
            color={selected ? 'cyan' : undefined}
            dimColor={!selected}
          >
            {selected ? ` ${label} ` : label}
            {selected ? '' : ' '}
          </Text>
        );
      })}
    </Box>
  );
}
