import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { useCallback } from 'react';
import { useScreenFrame } from '../screens/screen-frame.tsx';

/**
 * Edits text in the operator's $EDITOR: the dashboard steps aside, the editor gets the terminal, and the saved
 * text comes back, or an error that says why not (no editor configured, it failed to start or exited badly).
 */
export function useExternalEditor(): {
  available: boolean;
  edit(text: string): Promise<{ text?: string; error?: string }>;
} {
  const { editor, runOutside } = useScreenFrame();
  const edit = useCallback(
    async (text: string) => {
      if (!editor) return { error: 'No editor: set $VISUAL or $EDITOR before opening the dashboard.' };
      const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-edit-'));
      const file = path.join(folder, 'answer.md');
      try {
        writeFileSync(file, text);
        // Through a shell, because $EDITOR often carries arguments ("code --wait").
        const result = await runOutside(() =>
          spawnSync(`${editor} ${JSON.stringify(file)}`, { stdio: 'inherit', shell: true }),
        );
        if (result.error) return { error: `${editor} did not start: ${result.error.message}` };
        if (result.status !== 0)
          return { error: `${editor} exited with status ${result.status}; the text is unchanged.` };
        return { text: readFileSync(file, 'utf8').replace(/\n+$/, '') };
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
    [editor, runOutside],
  );
  return { available: Boolean(editor), edit };
}
