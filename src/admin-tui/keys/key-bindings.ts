import type { Key } from 'ink';

/**
 * Every action a key can trigger, by name. Components ask `matches(Command.Approve, input, key)` and never compare
 * raw keys, so the whole keyboard lives in the one table below: the footer, the help screen and the tests read it too.
 */
export const Command = {
  // Anywhere
  NextScreen: 'nextScreen',
  PreviousScreen: 'previousScreen',
  ShowOverview: 'showOverview',
  ShowReview: 'showReview',
  ShowDatasets: 'showDatasets',
  ShowTraining: 'showTraining',
  ShowModels: 'showModels',
  ShowKnowledge: 'showKnowledge',
  ShowPlayground: 'showPlayground',
  ShowInsights: 'showInsights',
  Help: 'help',
  Quit: 'quit',
  ForceQuit: 'forceQuit',
  // Lists and panes
  Up: 'up',
  Down: 'down',
  PageUp: 'pageUp',
  PageDown: 'pageDown',
  First: 'first',
  Last: 'last',
  Left: 'left',
  Right: 'right',
  Select: 'select',
  Filter: 'filter',
  Back: 'back',
  Refresh: 'refresh',
  NextPage: 'nextPage',
  PreviousPage: 'previousPage',
  // Confirmations
  Confirm: 'confirm',
  Deny: 'deny',
  // Text entry
  Submit: 'submit',
  SaveText: 'saveText',
  OpenEditor: 'openEditor',
  CursorUp: 'cursorUp',
  CursorDown: 'cursorDown',
  CursorLeft: 'cursorLeft',
  CursorRight: 'cursorRight',
  DeleteBackward: 'deleteBackward',
  ClearText: 'clearText',
  NewLine: 'newLine',
  // Review
  Approve: 'approve',
  Correct: 'correct',
  Reject: 'reject',
  Skip: 'skip',
  Diagnose: 'diagnose',
  CycleFeedbackFilter: 'cycleFeedbackFilter',
  CycleStatusFilter: 'cycleStatusFilter',
  CycleOutcomeFilter: 'cycleOutcomeFilter',
  PublishVerified: 'publishVerified',
  ShowVerified: 'showVerified',
  // Verified answers
  EditVerified: 'editVerified',
  ReapproveVerified: 'reapproveVerified',
  RetireVerified: 'retireVerified',
  // Datasets
  Snapshot: 'snapshot',
  Validate: 'validate',
  Export: 'export',
  TrainOnVersion: 'trainOnVersion',
  // Training
  NewJob: 'newJob',
  CancelJob: 'cancelJob',
  EditBaseModel: 'editBaseModel',
  // Models
  Evaluate: 'evaluate',
  Promote: 'promote',
  Rollback: 'rollback',
  // Knowledge
  Ingest: 'ingest',
  Search: 'search',
  NextSource: 'nextSource',
  SyncSource: 'syncSource',
  // Playground
  Ask: 'ask',
  MarkHelpful: 'markHelpful',
  MarkNotHelpful: 'markNotHelpful',
  // Insights
  ProposeDocs: 'proposeDocs',
} as const;

export type Command = (typeof Command)[keyof typeof Command];

/** Ink's named keys that a binding can use. */
export type NamedKey =
  | 'upArrow'
  | 'downArrow'
  | 'leftArrow'
  | 'rightArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'return'
  | 'escape'
  | 'tab'
  | 'backspace'
  | 'delete';

/** One key stroke: a printable character, or a named key, with the modifiers that must be held. */
export interface KeyStroke {
  /** A printable character; case matters ('G' is shift+g). */
  character?: string;
  named?: NamedKey;
  ctrl?: boolean;
  shift?: boolean;
}

export interface KeyBinding {
  strokes: KeyStroke[];
  /** What the footer prints, e.g. 'a'. */
  keys: string;
  /** A word or two for the footer. */
  label: string;
  /** A sentence for the help screen. */
  description: string;
}

const character = (value: string, modifiers: Omit<KeyStroke, 'character' | 'named'> = {}): KeyStroke => ({
  character: value,
  ...modifiers,
});
const named = (value: NamedKey, modifiers: Omit<KeyStroke, 'character' | 'named'> = {}): KeyStroke => ({
  named: value,
  ...modifiers,
});

export const keyBindings: Readonly<Record<Command, KeyBinding>> = {
  nextScreen: {
    strokes: [named('tab')],
    keys: 'tab',
    label: 'next screen',
    description: 'Go to the next screen.',
  },
  previousScreen: {
    strokes: [named('tab', { shift: true })],
    keys: 'S-tab',
    label: 'previous',
    description: 'Go to the previous screen.',
  },
  showOverview: {
    strokes: [character('1')],
    keys: '1',
    label: 'overview',
    description: 'Show the Overview.',
  },
  showReview: {
    strokes: [character('2')],
    keys: '2',
    label: 'review',
    description: 'Show the review queue.',
  },
  showDatasets: {
    strokes: [character('3')],
    keys: '3',
    label: 'datasets',
    description: 'Show the datasets.',
  },
  showTraining: {
    strokes: [character('4')],
    keys: '4',
    label: 'training',
    description: 'Show fine-tuning jobs.',
  },
  showModels: {
    strokes: [character('5')],
    keys: '5',
    label: 'models',
    description: 'Show the model registry.',
  },
  showKnowledge: {
    strokes: [character('6')],
    keys: '6',
    label: 'knowledge',
    description: 'Show the knowledge base: ingest and search.',
  },
  showPlayground: {
    strokes: [character('7')],
    keys: '7',
    label: 'playground',
    description: 'Ask questions as a user would.',
  },
  showInsights: {
    strokes: [character('8')],
    keys: '8',
    label: 'insights',
    description: 'Show what the documentation misses: knowledge gaps.',
  },
  help: {
    strokes: [character('?')],
    keys: '?',
    label: 'help',
    description: 'Show or hide every key of this screen.',
  },
  quit: { strokes: [character('q')], keys: 'q', label: 'quit', description: 'Leave the dashboard.' },
  forceQuit: {
    strokes: [character('c', { ctrl: true })],
    keys: 'C-c',
    label: 'quit',
    description: 'Leave the dashboard, even while typing.',
  },

  up: {
    strokes: [named('upArrow'), character('k')],
    keys: '↑/k',
    label: 'up',
    description: 'Move up a line.',
  },
  down: {
    strokes: [named('downArrow'), character('j')],
    keys: '↓/j',
    label: 'down',
    description: 'Move down a line.',
  },
  pageUp: {
    strokes: [named('pageUp'), character('u', { ctrl: true })],
    keys: 'PgUp',
    label: 'page up',
    description: 'Move up a page.',
  },
  pageDown: {
    strokes: [named('pageDown'), character('d', { ctrl: true })],
    keys: 'PgDn',
    label: 'page down',
    description: 'Move down a page.',
  },
  first: {
    strokes: [named('home'), character('g')],
    keys: 'g',
    label: 'first',
    description: 'Go to the first line.',
  },
  last: {
    strokes: [named('end'), character('G')],
    keys: 'G',
    label: 'last',
    description: 'Go to the last line.',
  },
  left: {
    strokes: [named('leftArrow'), character('h')],
    keys: '←/h',
    label: 'left',
    description: 'Move left: the previous pane or choice.',
  },
  right: {
    strokes: [named('rightArrow'), character('l')],
    keys: '→/l',
    label: 'right',
    description: 'Move right: the next pane or choice.',
  },
  select: {
    strokes: [named('return')],
    keys: 'enter',
    label: 'open',
    description: 'Open or choose the selected line.',
  },
  filter: {
    strokes: [character('/')],
    keys: '/',
    label: 'filter',
    description: 'Type to filter the list; esc clears.',
  },
  back: {
    strokes: [named('escape')],
    keys: 'esc',
    label: 'back',
    description: 'Leave the box, close the panel or clear the filter.',
  },
  refresh: {
    strokes: [character('r')],
    keys: 'r',
    label: 'refresh',
    description: 'Read everything on this screen again.',
  },
  nextPage: {
    strokes: [character(']')],
    keys: ']',
    label: 'next page',
    description: 'Load the next page of the queue.',
  },
  previousPage: {
    strokes: [character('[')],
    keys: '[',
    label: 'prev page',
    description: 'Load the previous page of the queue.',
  },

  confirm: { strokes: [character('y'), named('return')], keys: 'y', label: 'yes', description: 'Confirm.' },
  deny: { strokes: [character('n'), named('escape')], keys: 'n/esc', label: 'no', description: 'Cancel.' },

  submit: { strokes: [named('return')], keys: 'enter', label: 'submit', description: 'Send what you typed.' },
  saveText: {
    strokes: [character('s', { ctrl: true })],
    keys: 'C-s',
    label: 'save',
    description: 'Save the text you are editing.',
  },
  openEditor: {
    strokes: [character('e', { ctrl: true })],
    keys: 'C-e',
    label: '$EDITOR',
    description: 'Edit the text in your $EDITOR.',
  },
  cursorUp: {
    strokes: [named('upArrow')],
    keys: '↑',
    label: 'line up',
    description: 'Move the text cursor up a line.',
  },
  cursorDown: {
    strokes: [named('downArrow')],
    keys: '↓',
    label: 'line down',
    description: 'Move the text cursor down a line.',
  },
  cursorLeft: {
    strokes: [named('leftArrow')],
    keys: '←',
    label: 'left',
    description: 'Move the text cursor left.',
  },
  cursorRight: {
    strokes: [named('rightArrow')],
    keys: '→',
    label: 'right',
    description: 'Move the text cursor right.',
  },
  deleteBackward: {
    strokes: [named('backspace'), named('delete')],
    keys: '⌫',
    label: 'delete',
    description: 'Delete the character before the cursor.',
  },
  clearText: {
    strokes: [character('u', { ctrl: true })],
    keys: 'C-u',
    label: 'clear',
    description: 'Clear the whole text, to write it from scratch.',
  },
  newLine: { strokes: [named('return')], keys: 'enter', label: 'new line', description: 'Start a new line.' },

  approve: {
    strokes: [character('a')],
    keys: 'a',
    label: 'approve',
    description: 'The answer is good: it becomes a training example.',
  },
  correct: {
    strokes: [character('c')],
    keys: 'c',
    label: 'correct',
    description: "Write the right answer; it replaces the bot's in training.",
  },
  reject: {
    strokes: [character('x')],
    keys: 'x',
    label: 'reject',
    description: 'Keep the conversation out of training.',
  },
  skip: {
    strokes: [character('n')],
    keys: 'n',
    label: 'skip',
    description: 'Leave this one for later and go to the next.',
  },
  diagnose: {
    strokes: [character('d')],
    keys: 'd',
    label: 'diagnose',
    description: 'Record what failed: retrieval, generation, or clear it.',
  },
  cycleFeedbackFilter: {
    strokes: [character('f')],
    keys: 'f',
    label: 'feedback',
    description: 'Filter by feedback: rated, not helpful, helpful, not rated.',
  },
  cycleStatusFilter: {
    strokes: [character('s')],
    keys: 's',
    label: 'status',
    description: 'Filter by review status: new, reviewed, any.',
  },
  cycleOutcomeFilter: {
    strokes: [character('o')],
    keys: 'o',
    label: 'outcome',
    description: 'Filter by what the bot did: all, answered, refused, silent (left to people).',
  },
  publishVerified: {
    strokes: [character('v')],
    keys: 'v',
    label: 'verify',
    description:
      'Publish the approved or corrected answer as a verified answer: the next person asking gets it at once.',
  },
  showVerified: {
    strokes: [character('V')],
    keys: 'V',
    label: 'verified',
    description: 'Show the verified answers: edit, re-approve or retire them.',
  },
  editVerified: {
    strokes: [character('e')],
    keys: 'e',
    label: 'edit',
    description: 'Edit the verified answer; saving counts as checking it again.',
  },
  reapproveVerified: {
    strokes: [character('a')],
    keys: 'a',
    label: 're-approve',
    description: 'A page it rests on changed and it still holds: back in answers.',
  },
  retireVerified: {
    strokes: [character('x')],
    keys: 'x',
    label: 'retire',
    description: 'Take the verified answer out of answers for good (asks to confirm).',
  },

  snapshot: {
    strokes: [character('s')],
    keys: 's',
    label: 'snapshot',
    description: 'Snapshot the dataset into a new immutable version.',
  },
  validate: {
    strokes: [character('v')],
    keys: 'v',
    label: 'validate',
    description: 'Validate the selected version again.',
  },
  export: {
    strokes: [character('e')],
    keys: 'e',
    label: 'export',
    description: 'Export the selected version as JSONL files.',
  },
  trainOnVersion: {
    strokes: [character('t')],
    keys: 't',
    label: 'train',
    description: 'Start fine-tuning on the selected version.',
  },

  newJob: {
    strokes: [character('n')],
    keys: 'n',
    label: 'new job',
    description: 'Start a fine-tuning job (asks to confirm the cost first).',
  },
  cancelJob: {
    strokes: [character('x')],
    keys: 'x',
    label: 'cancel job',
    description: 'Cancel the selected job (asks to confirm).',
  },
  editBaseModel: {
    strokes: [character('m')],
    keys: 'm',
    label: 'base model',
    description: 'Change the base model the new job fine-tunes.',
  },

  evaluate: {
    strokes: [character('e')],
    keys: 'e',
    label: 'evaluate',
    description: 'Evaluate the selected model against the active one.',
  },
  promote: {
    strokes: [character('p')],
    keys: 'p',
    label: 'promote',
    description: 'Make the selected model the active one (asks to confirm).',
  },
  rollback: {
    strokes: [character('b')],
    keys: 'b',
    label: 'roll back',
    description: 'Return to the model that was active before (asks to confirm).',
  },

  ingest: {
    strokes: [character('i')],
    keys: 'i',
    label: 'ingest',
    description: 'Ingest a file or folder into the knowledge base.',
  },
  search: {
    strokes: [character('/')],
    keys: '/',
    label: 'search',
    description: 'Search: hybrid, BM25 and vector side by side.',
  },
  nextSource: {
    strokes: [character('o')],
    keys: 'o',
    label: 'next source',
    description: 'Select the next source of knowledge.sources.',
  },
  syncSource: {
    strokes: [character('s')],
    keys: 's',
    label: 'sync',
    description: 'Sync the selected source now: only what changed is fetched and embedded.',
  },

  ask: {
    strokes: [character('/'), character('i')],
    keys: '/',
    label: 'ask',
    description: 'Type a question.',
  },
  markHelpful: {
    strokes: [character('+')],
    keys: '+',
    label: 'helpful',
    description: 'Record that the answer helped.',
  },
  markNotHelpful: {
    strokes: [character('-')],
    keys: '-',
    label: 'not helpful',
    description: 'Record that the answer did not help: it goes to review.',
  },
  proposeDocs: {
    strokes: [character('d')],
    keys: 'd',
    label: 'propose docs',
    description:
      'Propose a documentation page for it: a branch with a draft pushed to the git source (and a pull request with a token), or a patch file for a folder source.',
  },
};

function strokeMatches(stroke: KeyStroke, input: string, key: Key): boolean {
  if (Boolean(stroke.ctrl) !== key.ctrl) return false;
  // Ink reports escape itself with meta set; any other meta chord is not ours.
  if (key.meta && !(stroke.named === 'escape' && key.escape)) return false;
  if (stroke.named) {
    if (!key[stroke.named]) return false;
    // Shift matters for named keys only: shift+tab is another command than tab.
    return Boolean(stroke.shift) === key.shift;
  }
  return stroke.character !== undefined && input === stroke.character;
}

/** True when the key press is one of the command's strokes. */
export function matches(command: Command, input: string, key: Key): boolean {
  return keyBindings[command].strokes.some((stroke) => strokeMatches(stroke, input, key));
}

/** The first of the commands the key press matches, for handlers that dispatch over a screen's set. */
export function firstMatch(commands: readonly Command[], input: string, key: Key): Command | undefined {
  return commands.find((command) => matches(command, input, key));
}

/** Commands that work on every screen whenever no text box has the keyboard. */
export const globalCommands: readonly Command[] = [
  Command.NextScreen,
  Command.PreviousScreen,
  Command.ShowOverview,
  Command.ShowReview,
  Command.ShowDatasets,
  Command.ShowTraining,
  Command.ShowModels,
  Command.ShowKnowledge,
  Command.ShowPlayground,
  Command.ShowInsights,
  Command.Help,
  Command.Quit,
  Command.ForceQuit,
];

/** While a text box has the keyboard only these reach the dashboard; every other key is typed. */
export const textEntryGlobalCommands: readonly Command[] = [
  Command.NextScreen,
  Command.PreviousScreen,
  Command.ForceQuit,
];
