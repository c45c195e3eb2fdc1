import { Text } from 'ink';
import { useScreenKeys } from '../screen-frame.tsx';

export function TrainingScreen() {
  useScreenKeys({ hints: [], onKey: () => {} });
  return <Text>Training</Text>;
}
