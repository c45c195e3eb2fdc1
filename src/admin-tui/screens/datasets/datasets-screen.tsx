import { Text } from 'ink';
import { useScreenKeys } from '../screen-frame.tsx';

export function DatasetsScreen() {
  useScreenKeys({ hints: [], onKey: () => {} });
  return <Text>Datasets</Text>;
}
