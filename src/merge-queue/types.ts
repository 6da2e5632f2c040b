// The merge queue's engine contract. The engine is pure: it reads a snapshot of one pool (a repo's
// target branch) plus its own memory, and answers with actions and statuses. The same engine runs
// inside the bot (a sync loop reads the forge and the run store, executes the actions) and inside
// the simulator in bench/ (a fake clock, forge and runners). Nothing here does I/O.
import type { MergeMethod, StatusState } from '../forge/types.js';

/** How the pool chooses its next action. `ours` is the product; `tide` and `serial` are baselines. */
export type MergePolicy = 'ours' | 'tide' | 'serial';

/** A context's latest state on a change's head commit (commit statuses and check runs alike). */
export interface ContextResult {
  context: string;
  state: StatusState;
  /** trigger writes ` BaseSHA:<sha>` here: the base the result was produced against */
  description?: string;
}

/** An open change that targets the pool's branch, as the forge shows it at this sync. */
export interface PoolChange {
  number: number;
  headSha: string;
  author: string;
  title: string;
  labels: string[];
  draft: boolean;
  /** false when the forge reports a conflict; undefined while it is still computing */
  mergeable?: boolean;
  /** approval re-derived by the queue from OWNERS and comments, never read off the `approved` label */
  approved: boolean;
  /** head-commit contexts, latest per context */
  contexts: ContextResult[];
  /**
   * Contexts this change must pass: branch protection's, plus the non-optional presubmits that
   * apply to its changed files, plus configured extras. Contexts not listed are optional.
   */
  requiredContexts: string[];
  /**
   * Required contexts that no job of the queue produces (another CI reports them). The queue cannot
   * run them again, so a success counts whatever base it ran on, and until one reports the change
   * waits (Prow's caveat: only its own jobs are re-validated when the base moves).
   */
  externalContexts?: string[];
}

/** A test the engine asked for: `pulls` merged in order onto `baseSha`, then the required jobs. */
export interface TestRef {
  id: string;
  baseSha: string;
  pulls: Array<{ number: number; headSha: string }>;
  /**
   * How many leading `pulls` are a speculative prefix: changes another test in flight covers and
   * that are expected to merge first. Only pulls after the prefix are judged by this test.
   */
  prefix: number;
  contexts: string[];
  /** ms since epoch, the engine's clock */
  startedAt: number;
  /**
   * A diagnosis, not a candidate for merging: changes tested on the base of the moment to find the
   * bad one among those taken out of the line after a failed test, or (`screen`) new changes
   * tested before they join it. Its result clears or blames them.
   */
  probe?: boolean;
  /**
   * A probe of changes not tested yet (ours, on a busy pool): a cheap first test that keeps likely
   * failures out of the line, so the line's speculative tests rarely fail.
   */
  screen?: boolean;
  /**
   * It judges changes under suspicion: one of them is probably bad. Serial re-runs a change that
   * failed alone this way; ours probes so the one change a failed batch was narrowed to (its
   * other half passed), and blames it at once if it fails again.
   */
  suspect?: boolean;
}

export type TestState = 'pending' | 'success' | 'failure';

/** What a test is for: a candidate for merging (`line`), finding a failure (`probe`), or a first look at new changes (`screen`). */
export type TestKind = 'line' | 'probe' | 'screen';

export const testKind = (test: Pick<TestRef, 'probe' | 'screen'>): TestKind => (test.screen ? 'screen' : test.probe ? 'probe' : 'line');

export interface TestOutcome {
  state: TestState;
  /** the contexts that failed, for the status text */
  failedContexts?: string[];
}

/** Per-pool settings (docs/configuration.md#merge-queue). */
export interface PoolSettings {
  policy: MergePolicy;
  /** labels every pool change needs (Prow: lgtm, approved) */
  requiredLabels: string[];
  /** labels that keep a change out; an entry ending in `/*` matches the family (`do-not-merge/*`) */
  missingLabels: string[];
  /** most changes per batch; 1 disables batching */
  batchSize: number;
  /** most tests in flight at once for this pool (speculation depth); tide and serial use 1 */
  maxTestsInFlight: number;
  /** ordered label sets; a change carrying every label of an earlier set goes first */
  priority: string[][];
  mergeMethod: MergeMethod;
  /** labels that override mergeMethod on one change */
  methodLabels: Record<MergeMethod, string>;
  /** merging is frozen (a freeze label on the branch's changes, or a configured window): test, never merge */
  frozen: boolean;
}

/** One pool, as observed now. */
export interface PoolSnapshot {
  repo: string;
  branch: string;
  /** the branch's current head */
  baseSha: string;
  /** every open change targeting the branch (the engine decides membership) */
  changes: PoolChange[];
  /** outcomes of the tests in memory, by test id, read from the run store (level-triggered) */
  tests: Record<string, TestOutcome>;
  now: number;
}

/** What the engine remembers between syncs; the bot keeps it in Redis under the pool's lock. */
export interface PoolMemory {
  /** tests started and not yet acted on */
  tests: TestRef[];
  /**
   * Bases the engine produced itself: after merging `pulls` onto `from`, the branch became `sha`.
   * A test on `from` with those pulls as its prefix is therefore a test on `sha`.
   */
  lineage: Array<{ sha: string; from: string; pulls: Array<{ number: number; headSha: string }> }>;
  /** per change head: failed tests it was judged by (a flake gets one re-run before blame) */
  failures: Array<{ number: number; headSha: string; count: number }>;
  /** changes blamed for failing on their own; out of the pool until their head changes */
  blamed: Array<{
    number: number;
    headSha: string;
    contexts: string[];
    /** set when the forge, not a test, refused the change twice (the forge's message) */
    reason?: string;
  }>;
  /** the next test's sequence number: test ids are `<repo>:<branch>:<seq>`, deterministic */
  seq?: number;
  /** merges the forge refused since the last plan (recordMerge writes, the next plan consumes) */
  refusals?: Array<{ number: number; reason: 'head_moved' | 'conflict' | 'not_mergeable' | 'error'; message: string }>;
  /**
   * Recent test outcomes, decayed: changes judged, tests failed and tests. They estimate how
   * likely one change is to fail, which sets how many go in one batch (ours). `tests` is absent
   * in records written before it was counted (then one test per change is assumed).
   */
  outcomes?: { judged: number; failed: number; tests?: number };
  /** ours: the line of segments (small batches) waiting to merge, front first */
  line?: Array<Array<{ number: number; headSha: string }>>;
  /** ours: changes a probe passed at their head (very likely good, so they batch in large segments) */
  cleared?: Array<{ number: number; headSha: string }>;
  /** ours: changes split off a failed test, waiting for a runner to probe them (`suspect`: see TestRef) */
  probing?: Array<{ pulls: Array<{ number: number; headSha: string }>; suspect?: boolean }>;
  /** ours: halves of a failed test held back while their `sibling` half is probed */
  heldBack?: Array<{ pulls: Array<{ number: number; headSha: string }>; sibling: Array<{ number: number; headSha: string }> }>;
}

export const emptyMemory = (): PoolMemory => ({ tests: [], lineage: [], failures: [], blamed: [], seq: 0, refusals: [] });

export type Action =
  /** merge these changes in order, each only at its expected head; `testId` names the test that proved them */
  | { kind: 'merge'; pulls: Array<{ number: number; headSha: string; method: MergeMethod }>; testId?: string }
  /** start the test's jobs (one pull and no prefix: the trigger's ordinary presubmit path) */
  | { kind: 'test'; test: TestRef }
  /** abort a test whose result can no longer be used */
  | { kind: 'cancel'; testId: string };

/** The `merge-queue` context for one change, with Prow tide's wording where tide has one. */
export interface QueueStatus {
  state: StatusState;
  description: string;
}

export interface Plan {
  actions: Action[];
  memory: PoolMemory;
  /** by change number: every open change that targets the branch gets one */
  statuses: Map<number, QueueStatus>;
}

/** What happened when the executor carried out a plan's merge; fed back before the next plan. */
export type MergeOutcome =
  | { kind: 'merged'; from: string; pulls: Array<{ number: number; headSha: string }>; newBaseSha: string }
  | { kind: 'not-merged'; number: number; reason: 'head_moved' | 'conflict' | 'not_mergeable' | 'error'; message: string };
