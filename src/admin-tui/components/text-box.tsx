import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { useRef } from 'react';

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
  // Text and Enter can arrive in one read (a paste ending in a newline, a fast typist over ssh): the input then
  // takes the line break as text, or sees Enter before it re-renders with the text. A line break submits, and
  // Enter always submits the newest value.
  const latest = useRef(value);
  latest.current = value;
  const change = (next: string) => {
    const lineBreak = next.search(/[\r\n]/);
    latest.current = lineBreak >= 0 ? next.slice(0, lineBreak) : next;
    onChange(latest.current);
    if (lineBreak >= 0) onSubmit(latest.current);
  };
  return (
    <Box borderStyle="round" borderColor={focused ? 'cyan' : 'gray'} width={width} height={3} paddingX={1}>
      <Text bold={focused}>{`${label} `}</Text>
      <Box flexGrow={1} overflow="hidden">
        {focused ? (
          <TextInput
            value={value}
            placeholder={placeholder}
            onChange={change}
            onSubmit={() => onSubmit(latest.current)}
            focus
          />
        ) : (
          <Text dimColor wrap="truncate-end">
            {value || placeholder || ''}
          </Text>
        )}
      </Box>
    </Box>
  );
}
