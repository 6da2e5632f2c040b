// Whether a change is in the merge pool and, when it is not, tide's description of why (Prow §6.3
// filters and §6.8 wording). Reasons that only the author or the forge can fix (a conflict,
// contradictory method labels, a change blamed for failing) are `error`, as tide shows "not
// allowed to merge"; reasons a reviewer or a run can fix are `pending`. The first reason found is
// the one shown, in tide's order: labels before contexts.
import { APPROVED } from '../core/labels.js';
import { failingContexts, missingContexts } from './contexts.js';
import { capDescription, listPhrase } from './describe.js';
import { carriesLabel, entryName, labelsMatching } from './labels.js';
import { chooseMergeMethod } from './merge-method.js';
import type { PoolChange, PoolMemory, PoolSettings, QueueStatus } from './types.js';

export type Membership = { inPool: true } | { inPool: false; status: QueueStatus };

export interface MembershipRules {
  /** tide: a required context that never reported keeps the change out; our queue can run it instead */
  requirePresentContexts: boolean;
  /**
   * The queue itself is re-running this change (it is in a test, or failed once and awaits its
   * re-run), so a failing head context the queue's own run wrote does not throw it out.
   */
  queueOwnsFailures: boolean;
}

export const UNEARNED_APPROVAL = 'Not mergeable. Approval is not earned: approved label without approvers.';

const notMergeable = (reason: string): string => capDescription(`Not mergeable. ${reason}`);

const out = (state: QueueStatus['state'], description: string): Membership => ({ inPool: false, status: { state, description } });

/** The status of a change the queue blamed: which of its jobs failed alone, or what the forge said. */
export function blamedDescription(entry: PoolMemory['blamed'][number]): string {
  if (entry.reason !== undefined) return notMergeable(`The forge refused the merge: ${entry.reason}`);
  if (entry.contexts.length === 0) return 'Failed on its own. Push a fix to retry.';
  return capDescription(
    `Failed on its own: ${listPhrase(
      entry.contexts,
      (c) => `job ${c}`,
      (cs) => `jobs ${cs}`,
    )}. Push a fix to retry.`,
  );
}

export function membershipOf(change: PoolChange, settings: PoolSettings, blamed: PoolMemory['blamed'], rules: MembershipRules): Membership {
  if (change.mergeable === false) return out('error', notMergeable('PR has a merge conflict.'));
  const method = chooseMergeMethod(change.labels, settings);
  if (!method.ok) return out('error', method.description);
  const blame = blamed.find((b) => b.number === change.number && b.headSha === change.headSha);
  if (blame) return out('error', blamedDescription(blame));

  const missingLabels = settings.requiredLabels.filter((entry) => !carriesLabel(change.labels, entry)).map(entryName);
  if (missingLabels.length > 0) {
    return out(
      'pending',
      notMergeable(
        listPhrase(
          missingLabels,
          (l) => `Needs ${l} label.`,
          (ls) => `Needs ${ls} labels.`,
        ),
      ),
    );
  }
  const forbidden = settings.missingLabels.flatMap((entry) => labelsMatching(change.labels, entry));
  if (forbidden.length > 0) {
    return out(
      'pending',
      notMergeable(
        listPhrase(
          forbidden,
          (l) => `Should not have ${l} label.`,
          (ls) => `Should not have ${ls} labels.`,
        ),
      ),
    );
  }
  if (change.draft) return out('pending', notMergeable('PR is a draft.'));
  // The label is what the approve plugin last wrote; the queue re-derives approval from OWNERS and
  // comments, so a hand-applied label does not get a change merged.
  if (!change.approved) {
    return out('pending', carriesLabel(change.labels, APPROVED) ? UNEARNED_APPROVAL : notMergeable('Needs approval.'));
  }

  const unsuccessful = [
    ...(rules.queueOwnsFailures ? [] : failingContexts(change)),
    ...(rules.requirePresentContexts ? missingContexts(change) : []),
  ];
  if (unsuccessful.length > 0) {
    return out(
      'pending',
      notMergeable(
        listPhrase(
          unsuccessful,
          (c) => `Job ${c} has not succeeded.`,
          (cs) => `Jobs ${cs} have not succeeded.`,
        ),
      ),
    );
  }
  return { inPool: true };
}

// Every sync asks membership of every open change, and between two syncs few changes change. So
// answers are remembered per change object: a snapshot's changes are read-only, and a change whose
// content changes arrives as a new object (the bot reads new ones every sync; the simulator
// replaces a PR's object). The entry also holds every other input the answer was computed from.
// A blamed head is not remembered: it is rare, and its blame entry is one more input.
interface Remembered extends MembershipRules {
  settings: string;
  membership: Membership;
}
const remembered = new WeakMap<PoolChange, Remembered>();

/** The settings membershipOf reads, as one comparable value. */
const settingsKey = (settings: PoolSettings): string =>
  JSON.stringify([settings.requiredLabels, settings.missingLabels, settings.methodLabels, settings.mergeMethod]);

/**
 * membershipOf for the changes of one plan, answered from memory when the change object, the
 * settings it reads and the rules are those of an earlier answer. `blame` is the change's entry in
 * the plan's blamed list, if its head has one.
 */
export function membershipJudge(
  settings: PoolSettings,
): (change: PoolChange, blame: PoolMemory['blamed'][number] | undefined, rules: MembershipRules) => Membership {
  const key = settingsKey(settings);
  return (change, blame, rules) => {
    if (blame) return membershipOf(change, settings, [blame], rules);
    const entry = remembered.get(change);
    if (
      entry &&
      entry.settings === key &&
      entry.queueOwnsFailures === rules.queueOwnsFailures &&
      entry.requirePresentContexts === rules.requirePresentContexts
    )
      return entry.membership;
    const membership = membershipOf(change, settings, [], rules);
    remembered.set(change, { settings: key, ...rules, membership });
    return membership;
  };
}
