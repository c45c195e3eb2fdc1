import { Box, Text } from 'ink';
import { visibleWindow } from '../state/list-cursor.ts';
import { displayRows, type TextEditorState } from '../state/text-editor.ts';

export interface MultiLineEditorProps {
  title: string;
  editor: TextEditorState;
  height: number;
  width: number;
}

/** The text being edited, wrapped to the box and scrolled so the cursor shows; the cursor is drawn inverse. */
export function MultiLineEditor({ title, editor, height, width }: MultiLineEditorProps) {
  const inner = Math.max(1, width - 4);
  const { rows, cursorRow, cursorColumn } = displayRows(editor, inner);
  const room = Math.max(1, height - 3);
  const { start, end } = visibleWindow(cursorRow, rows.length, room);
  return (
    <Box
      flexDirection="column"
      borderStyle="round"
      borderColor="cyan"
      width={width}
      height={height}
      paddingX={1}
      flexShrink={0}
    >
      <Text bold>{title}</Text>
      {rows.slice(start, end).map((text, offset) => {
        const index = start + offset;
        if (index !== cursorRow) return <Text key={index}>{text || ' '}</Text>;
        return (
          <Text key={index}>
            {text.slice(0, cursorColumn)}
            <Text inverse>{text[cursorColumn] ?? ' '}</Text>
            {text.slice(cursorColumn + 1)}
          </Text>
        );
      })}
    </Box>
  );
}
