import { Text } from 'ink';
import { useScreenKeys } from '../screen-frame.tsx';

export function ReviewScreen() {
  useScreenKeys({ hints: [], onKey: () => {} });
  return <Text>Review</Text>;
}
