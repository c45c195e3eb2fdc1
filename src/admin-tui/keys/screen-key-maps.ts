import { Command } from './key-bindings.ts';
import { listCommands } from '../state/list-cursor.ts';

/** The keys of one mode of a screen: what the footer shows, and every command the mode answers to. */
export interface KeyMap {
  hints: readonly Command[];
  commands: readonly Command[];
  /** A text box has the keyboard: letters are typed, only the dashboard's typing keys stay global. */
  typing: boolean;
}

function keyMap(hints: readonly Command[], extra: readonly Command[] = [], typing = false): KeyMap {
  return { hints, commands: [...new Set([...hints, ...extra])], typing };
}

const typingBox = keyMap([Command.Submit, Command.Back], [], true);
const confirmation = keyMap([Command.Confirm, Command.Deny]);
const textEditing = [
  Command.CursorUp,
  Command.CursorDown,
  Command.CursorLeft,
  Command.CursorRight,
  Command.DeleteBackward,
  Command.NewLine,
];

/**
 * Every mode of every screen, as data: the screens read their keys from here, the help screen and footer show
 * them, and a test checks that no two commands of one mode (with the global keys) share a key.
 */
export const screenKeyMaps = {
  overview: keyMap([Command.Refresh]),
  reviewBrowsing: keyMap(
    [
      Command.Approve,
      Command.Correct,
      Command.Reject,
      Command.Skip,
      Command.Diagnose,
      Command.Filter,
      Command.CycleFeedbackFilter,
      Command.CycleStatusFilter,
      Command.CycleOutcomeFilter,
      Command.PublishVerified,
      Command.ShowVerified,
    ],
    [Command.NextPage, Command.PreviousPage, Command.Refresh, ...listCommands],
  ),
  reviewVerified: keyMap(
    [
      Command.EditVerified,
      Command.ReapproveVerified,
      Command.RetireVerified,
      Command.ProposeDocs,
      Command.Back,
    ],
    [Command.Refresh, ...listCommands],
  ),
  reviewVerifiedEditing: keyMap(
    [Command.SaveText, Command.Back, Command.ClearText, Command.OpenEditor],
    textEditing,
    true,
  ),
  reviewVerifiedRetire: confirmation,
  reviewFilter: typingBox,
  reviewEditing: keyMap(
    [Command.SaveText, Command.Back, Command.ClearText, Command.OpenEditor],
    textEditing,
    true,
  ),
  datasetsBrowsing: keyMap(
    [
      Command.Snapshot,
      Command.Validate,
      Command.Export,
      Command.TrainOnVersion,
      Command.Down,
      Command.Up,
      Command.Left,
      Command.Right,
    ],
    [Command.Refresh, ...listCommands],
  ),
  datasetsExport: keyMap([Command.Left, Command.Right, Command.Select, Command.Back]),
  trainingBrowsing: keyMap(
    [Command.NewJob, Command.CancelJob, Command.Down, Command.Up, Command.Refresh],
    listCommands,
  ),
  trainingForm: keyMap([Command.Confirm, Command.Deny, Command.Left, Command.Right, Command.EditBaseModel]),
  trainingBaseModel: typingBox,
  trainingCancel: confirmation,
  modelsBrowsing: keyMap(
    [Command.Evaluate, Command.Promote, Command.Rollback, Command.Down, Command.Up, Command.Refresh],
    listCommands,
  ),
  modelsConfirm: confirmation,
  knowledgeBrowsing: keyMap(
    [
      Command.Ingest,
      Command.Search,
      Command.SyncSource,
      Command.NextSource,
      Command.Left,
      Command.Right,
      Command.Down,
      Command.Up,
      Command.Refresh,
    ],
    listCommands,
  ),
  knowledgeTyping: typingBox,
  playgroundReading: keyMap(
    [Command.Ask, Command.Down, Command.Up, Command.MarkHelpful, Command.MarkNotHelpful],
    [Command.PageDown, Command.PageUp],
  ),
  playgroundTyping: typingBox,
  insightsBrowsing: keyMap([Command.PublishVerified, Command.ProposeDocs, Command.Refresh], listCommands),
  insightsConfirm: confirmation,
} as const satisfies Record<string, KeyMap>;
