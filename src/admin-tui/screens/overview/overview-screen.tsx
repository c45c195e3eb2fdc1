import { Text } from 'ink';
import { useScreenKeys } from '../screen-frame.tsx';

export function OverviewScreen() {
  useScreenKeys({ hints: [], onKey: () => {} });
  return <Text>Overview</Text>;
}
