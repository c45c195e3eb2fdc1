import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';

export interface TextBoxProps {
  label: string;
  value: string;
  placeholder?: string;
  focused: boolean;
  width: number;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
}

/** A one-line input with a label; shows its value dimmed when it does not have the keyboard. */
export function TextBox({ label, value, placeholder, focused, width, onChange, onSubmit }: TextBoxProps) {
  return (
    <Box borderStyle="round" borderColor={focused ? 'cyan' : 'gray'} width={width} height={3} paddingX={1}>
      <Text bold={focused}>{`${label} `}</Text>
      <Box flexGrow={1} overflow="hidden">
        {focused ? (
          <TextInput value={value} placeholder={placeholder} onChange={onChange} onSubmit={onSubmit} focus />
        ) : (
          <Text dimColor wrap="truncate-end">
            {value || placeholder || ''}
          </Text>
        )}
      </Box>
    </Box>
  );
}
