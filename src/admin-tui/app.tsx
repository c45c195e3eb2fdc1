import { Box, type Key, useApp, useInput, useStdin, useStdout } from 'ink';
import { type ComponentType, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Core } from '../core/index.ts';
import { HelpPanel } from './components/help-panel.tsx';
import { KeyFooter } from './components/key-footer.tsx';
import { ScreenTabs } from './components/screen-tabs.tsx';
import type { KeyMap } from './keys/screen-key-maps.ts';
import { DatasetsScreen } from './screens/datasets/datasets-screen.tsx';
import { InsightsScreen } from './screens/insights/insights-screen.tsx';
import { KnowledgeScreen } from './screens/knowledge/knowledge-screen.tsx';
import { ModelsScreen } from './screens/models/models-screen.tsx';
import { OverviewScreen } from './screens/overview/overview-screen.tsx';
import { PlaygroundScreen } from './screens/playground/playground-screen.tsx';
import { ReviewScreen } from './screens/review/review-screen.tsx';
import { type ScreenFrame, ScreenFrameProvider } from './screens/screen-frame.tsx';
import { TrainingScreen } from './screens/training/training-screen.tsx';
import {
  globalKeyAction,
  initialNavigation,
  isTyping,
  navigationReducer,
  type ScreenRequest,
  type ScreenName,
  screenNames,
  screenTitles,
} from './state/navigation.ts';
import { useTerminalSize } from './terminal/terminal-size.tsx';

const screens: Readonly<Record<ScreenName, ComponentType>> = {
  overview: OverviewScreen,
  review: ReviewScreen,
  datasets: DatasetsScreen,
  training: TrainingScreen,
  models: ModelsScreen,
  knowledge: KnowledgeScreen,
  playground: PlaygroundScreen,
  insights: InsightsScreen,
};

export interface DashboardProps {
  core: Core;
  initialScreen?: ScreenName;
  reviewer: string;
  editor?: string;
}

/** Layout and screen switch: tabs on top, the screen, the footer. Screens do their own work. */
export function Dashboard({ core, initialScreen = 'overview', reviewer, editor }: DashboardProps) {
  const { columns, rows } = useTerminalSize();
  const [navigation, dispatch] = useReducer(navigationReducer, initialScreen, initialNavigation);
  const [keys, setKeys] = useState<Partial<Record<ScreenName, Pick<KeyMap, 'hints' | 'commands'>>>>({});
  const [busy, setBusy] = useState<readonly ScreenName[]>([]);
  const [outside, setOutside] = useState(false);
  const { exit } = useApp();
  const { stdin } = useStdin();
  const { stdout } = useStdout();

  // Read through a ref: a key pressed just after a render must see that render's state (see useScreenKeys).
  const latestNavigation = useRef(navigation);
  latestNavigation.current = navigation;
  const onGlobalKey = useCallback((input: string, key: Key) => {
    const action = globalKeyAction(input, key, latestNavigation.current);
    if (action) dispatch(action);
  }, []);
  useInput(onGlobalKey);
  useEffect(() => {
    if (navigation.quitting) exit();
  }, [navigation.quitting, exit]);

  // One line fewer than the terminal: a frame that fills every row makes Ink clear the screen on each render.
  const height = Math.max(6, rows - 1);
  const bodySize = useMemo(() => ({ columns, rows: height - 2 }), [columns, height]);
  // Stable per screen, so screens' effects that report hints and typing run only when those change.
  const callbacks = useMemo(
    () =>
      Object.fromEntries(
        screenNames.map((screen) => [
          screen,
          {
            setKeys: (screenKeys: Pick<KeyMap, 'hints' | 'commands'>) =>
              setKeys((previous) => ({ ...previous, [screen]: screenKeys })),
            setTextEntry: (active: boolean) => dispatch({ type: 'textEntry', screen, active }),
            setBusy: (working: boolean) =>
              setBusy((previous) =>
                previous.includes(screen) === working
                  ? previous
                  : working
                    ? [...previous, screen]
                    : previous.filter((name) => name !== screen),
              ),
            navigate: (target: ScreenName, intent?: ScreenRequest) =>
              dispatch(
                intent ? { type: 'intent', screen: target, intent } : { type: 'show', screen: target },
              ),
          },
        ]),
      ) as Record<ScreenName, Pick<ScreenFrame, 'setKeys' | 'setTextEntry' | 'setBusy' | 'navigate'>>,
    [],
  );
  const runOutside = useCallback(
    async <T,>(work: () => T): Promise<T> => {
      // A blank frame first, so that every line differs afterwards and the whole dashboard is drawn again.
      setOutside(true);
      await new Promise((resolve) => setTimeout(resolve, 80));
      stdin.setRawMode?.(false);
      try {
        return work();
      } finally {
        stdin.setRawMode?.(true);
        // Editors leave the alternate screen on exit; come back to it and start from a clean page.
        stdout.write('\u001b[?1049h\u001b[2J\u001b[H');
        setOutside(false);
      }
    },
    [stdin, stdout],
  );
  const frameFor = (screen: ScreenName): ScreenFrame => ({
    core,
    reviewer,
    editor,
    visible: navigation.screen === screen,
    active: navigation.screen === screen && !navigation.helpOpen,
    size: bodySize,
    intent: navigation.intent,
    runOutside,
    ...callbacks[screen],
  });

  const currentKeys = keys[navigation.screen] ?? { hints: [], commands: [] };
  return (
    <>
      {/* While an editor has the terminal the frame is blank but mounted, so no screen loses its state. */}
      {outside ? <Box height={height} /> : null}
      <Box
        flexDirection="column"
        width={columns}
        height={height}
        overflow="hidden"
        display={outside ? 'none' : 'flex'}
      >
        <ScreenTabs current={navigation.screen} columns={columns} busy={busy} />
        <Box flexDirection="column" height={bodySize.rows} overflow="hidden">
          {navigation.helpOpen ? (
            <HelpPanel
              screenTitle={screenTitles[navigation.screen]}
              commands={currentKeys.commands}
              height={bodySize.rows}
            />
          ) : null}
          {navigation.visited.map((screen) => {
            const Screen = screens[screen];
            const shown = screen === navigation.screen && !navigation.helpOpen;
            return (
              <Box
                key={screen}
                display={shown ? 'flex' : 'none'}
                flexDirection="column"
                height={bodySize.rows}
              >
                <ScreenFrameProvider frame={frameFor(screen)}>
                  <Screen />
                </ScreenFrameProvider>
              </Box>
            );
          })}
        </Box>
        <KeyFooter
          hints={currentKeys.hints}
          typing={isTyping(navigation)}
          helpOpen={navigation.helpOpen}
          columns={columns}
        />
      </Box>
    </>
  );
}
