import { Text } from 'ink';
import { useScreenKeys } from '../screen-frame.tsx';

export function KnowledgeScreen() {
  useScreenKeys({ hints: [], onKey: () => {} });
  return <Text>Knowledge</Text>;
}
