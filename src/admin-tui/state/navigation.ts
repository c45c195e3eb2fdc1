import type { Key } from 'ink';
import {
  Command,
  firstMatch,
  globalCommands,
  matches,
  textEntryGlobalCommands,
} from '../keys/key-bindings.ts';

export const screenNames = [
  'overview',
  'review',
  'datasets',
  'training',
  'models',
  'knowledge',
  'playground',
  'insights',
] as const;
export type ScreenName = (typeof screenNames)[number];

export const screenTitles: Readonly<Record<ScreenName, string>> = {
  overview: 'Overview',
  review: 'Review',
  datasets: 'Datasets',
  training: 'Training',
  models: 'Models',
  knowledge: 'Knowledge',
  playground: 'Playground',
  insights: 'Insights',
};

export function isScreenName(value: string): value is ScreenName {
  return (screenNames as readonly string[]).includes(value);
}

/** A request from one screen to another, e.g. "train on dataset support@3". */
export type ScreenRequest =
  { kind: 'trainOnVersion'; datasetReference: string } | { kind: 'evaluateModel'; model: string };

/** A request as delivered: numbered, so the same request made twice is seen twice. */
export type ScreenIntent = ScreenRequest & { sequence: number };

export interface NavigationState {
  screen: ScreenName;
  /** Screens opened at least once: they stay mounted (hidden) so their background work goes on. */
  visited: ScreenName[];
  helpOpen: boolean;
  /** Screens whose text box has the keyboard: letters are typed there, not taken as commands. */
  textEntry: Partial<Record<ScreenName, boolean>>;
  intent: ScreenIntent | null;
  quitting: boolean;
}

export type NavigationAction =
  | { type: 'show'; screen: ScreenName }
  | { type: 'next' }
  | { type: 'previous' }
  | { type: 'toggleHelp' }
  | { type: 'closeHelp' }
  | { type: 'textEntry'; screen: ScreenName; active: boolean }
  | { type: 'intent'; screen: ScreenName; intent: ScreenRequest }
  | { type: 'quit' };

export function initialNavigation(screen: ScreenName = 'overview'): NavigationState {
  return { screen, visited: [screen], helpOpen: false, textEntry: {}, intent: null, quitting: false };
}

function show(state: NavigationState, screen: ScreenName): NavigationState {
  if (state.screen === screen && !state.helpOpen) return state;
  return {
    ...state,
    screen,
    visited: state.visited.includes(screen) ? state.visited : [...state.visited, screen],
    helpOpen: false,
  };
}

function step(state: NavigationState, by: number): NavigationState {
  const index = screenNames.indexOf(state.screen);
  return show(state, screenNames[(index + by + screenNames.length) % screenNames.length]!);
}

export function navigationReducer(state: NavigationState, action: NavigationAction): NavigationState {
  switch (action.type) {
    case 'show':
      return show(state, action.screen);
    case 'next':
      return step(state, 1);
    case 'previous':
      return step(state, -1);
    case 'toggleHelp':
      return { ...state, helpOpen: !state.helpOpen };
    case 'closeHelp':
      return state.helpOpen ? { ...state, helpOpen: false } : state;
    case 'textEntry':
      return Boolean(state.textEntry[action.screen]) === action.active
        ? state
        : { ...state, textEntry: { ...state.textEntry, [action.screen]: action.active } };
    case 'intent': {
      const sequence = (state.intent?.sequence ?? 0) + 1;
      return { ...show(state, action.screen), intent: { ...action.intent, sequence } };
    }
    case 'quit':
      return { ...state, quitting: true };
  }
}

/** True when the screen shown has a text box holding the keyboard (help hides it). */
export function isTyping(state: NavigationState): boolean {
  return !state.helpOpen && Boolean(state.textEntry[state.screen]);
}

const screenCommands: ReadonlyArray<[Command, ScreenName]> = [
  [Command.ShowOverview, 'overview'],
  [Command.ShowReview, 'review'],
  [Command.ShowDatasets, 'datasets'],
  [Command.ShowTraining, 'training'],
  [Command.ShowModels, 'models'],
  [Command.ShowKnowledge, 'knowledge'],
  [Command.ShowPlayground, 'playground'],
  [Command.ShowInsights, 'insights'],
];

/**
 * What a key press means to the dashboard as a whole, or null when it belongs to the screen.
 * While a text box has the keyboard only tab, shift+tab and ctrl+c reach here.
 */
export function globalKeyAction(input: string, key: Key, state: NavigationState): NavigationAction | null {
  const command = firstMatch(isTyping(state) ? textEntryGlobalCommands : globalCommands, input, key);
  if (state.helpOpen && !command && matches(Command.Back, input, key)) return { type: 'closeHelp' };
  switch (command) {
    case undefined:
      return null;
    case Command.NextScreen:
      return { type: 'next' };
    case Command.PreviousScreen:
      return { type: 'previous' };
    case Command.Help:
      return { type: 'toggleHelp' };
    case Command.Quit:
      return state.helpOpen ? { type: 'closeHelp' } : { type: 'quit' };
    case Command.ForceQuit:
      return { type: 'quit' };
    default: {
      const screen = screenCommands.find(([candidate]) => candidate === command)?.[1];
      return screen ? { type: 'show', screen } : null;
    }
  }
}
