import { type Key, useInput } from 'ink';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef } from 'react';
import type { Core } from '../../core/index.ts';
import type { Command } from '../keys/key-bindings.ts';
import type { KeyMap } from '../keys/screen-key-maps.ts';
import type { ScreenIntent, ScreenName, ScreenRequest } from '../state/navigation.ts';
import type { TerminalSize } from '../terminal/terminal-size.tsx';

/** What the dashboard gives each screen: core, room to draw in, and the ways to talk back to the frame. */
export interface ScreenFrame {
  core: Core;
  /** Recorded with every review action and snapshot. */
  reviewer: string;
  /** Command that opens $EDITOR, when there is one. */
  editor?: string;
  /** The screen is the one shown. */
  visible: boolean;
  /** Shown and not covered by help: it receives keys. */
  active: boolean;
  /** Room for the screen's body, between the tabs and the footer. */
  size: TerminalSize;
  /** The newest request another screen made of this one. */
  intent: ScreenIntent | null;
  /** The keys of the screen's current mode, for the footer (hints) and the help screen (commands). */
  setKeys(keys: Pick<KeyMap, 'hints' | 'commands'>): void;
  setTextEntry(active: boolean): void;
  /** Marks the screen's tab while its background work runs, so it shows from other screens. */
  setBusy(busy: boolean): void;
  navigate(screen: ScreenName, intent?: ScreenRequest): void;
  /** Hands the terminal to another program (an editor) while `work` runs, then redraws the dashboard. */
  runOutside<T>(work: () => T): Promise<T>;
}

const ScreenFrameContext = createContext<ScreenFrame | null>(null);

export function ScreenFrameProvider({ frame, children }: { frame: ScreenFrame; children: ReactNode }) {
  return <ScreenFrameContext.Provider value={frame}>{children}</ScreenFrameContext.Provider>;
}

export function useScreenFrame(): ScreenFrame {
  const frame = useContext(ScreenFrameContext);
  if (!frame) throw new Error('useScreenFrame() is used outside a dashboard screen.');
  return frame;
}

export interface ScreenKeysOptions {
  /** The keys of the mode the screen is in (from screenKeyMaps); typing modes leave letters to the text box. */
  keyMap: KeyMap;
  /** The footer's hints when they differ from the key map's, e.g. without $EDITOR when none is set. */
  hints?: readonly Command[];
  onKey: (input: string, key: Key) => void;
}

/** A screen's keyboard: its footer and help, whether it is typing, and its key handler (only while it is active). */
export function useScreenKeys({ keyMap, hints = keyMap.hints, onKey }: ScreenKeysOptions): void {
  const frame = useScreenFrame();
  const { setKeys, setTextEntry, visible, active } = frame;
  const keysId = `${hints.join(' ')}|${keyMap.commands.join(' ')}`;
  const latestKeys = useRef({ hints, commands: keyMap.commands });
  latestKeys.current = { hints, commands: keyMap.commands };
  useEffect(() => {
    if (visible) setKeys(latestKeys.current);
  }, [visible, keysId, setKeys]);
  useEffect(() => {
    setTextEntry(keyMap.typing);
  }, [keyMap.typing, setTextEntry]);
  // Ink re-subscribes a changed handler only after the frame is drawn; a key pressed in between would reach the
  // previous render's handler and act on stale state. One stable handler that calls the newest one avoids that.
  const latestHandler = useRef(onKey);
  latestHandler.current = onKey;
  const stableHandler = useCallback((input: string, key: Key) => latestHandler.current(input, key), []);
  useInput(stableHandler, { isActive: active });
}
