// Builders for merge-queue engine tests, and a tiny deterministic world that executes plans: it
// runs tests with a verdict function, merges, and reports merges back through recordMerge.
import assert from 'node:assert/strict';
import {
  type ContextResult,
  emptyMemory,
  type Plan,
  type PoolChange,
  type PoolMemory,
  type PoolSettings,
  type PoolSnapshot,
  planPool,
  recordMerge,
  type TestOutcome,
  type TestRef,
} from '../../src/merge-queue/index.js';

/** Hex, so baseShaOf reads it back. */
export const sha = (n: number): string => `ba5e${n.toString(16).padStart(6, '0')}`;
export const BASE = sha(1);

export const ok = (context: string, base = BASE): ContextResult => ({
  context,
  state: 'success',
  description: `Job succeeded. BaseSHA:${base}`,
});
export const failed = (context: string, base = BASE): ContextResult => ({
  context,
  state: 'failure',
  description: `Job failed. BaseSHA:${base}`,
});
export const running = (context: string, base = BASE): ContextResult => ({
  context,
  state: 'pending',
  description: `Job triggered. BaseSHA:${base}`,
});

export function change(number: number, over: Partial<PoolChange> = {}): PoolChange {
  return {
    number,
    headSha: `head${number}`,
    author: 'alice',
    title: `change ${number}`,
    labels: ['lgtm', 'approved'],
    draft: false,
    mergeable: true,
    approved: true,
    contexts: [],
    requiredContexts: ['ci/unit'],
    ...over,
  };
}

export function settings(over: Partial<PoolSettings> = {}): PoolSettings {
  return {
    policy: 'ours',
    requiredLabels: ['lgtm', 'approved'],
    missingLabels: ['do-not-merge/*', 'needs-rebase'],
    batchSize: 5,
    maxTestsInFlight: 3,
    priority: [],
    mergeMethod: 'merge',
    methodLabels: { merge: 'tide/merge-method-merge', squash: 'tide/merge-method-squash', rebase: 'tide/merge-method-rebase' },
    frozen: false,
    ...over,
  };
}

export function snapshot(changes: PoolChange[], over: Partial<PoolSnapshot> = {}): PoolSnapshot {
  return { repo: 'acme/widgets', branch: 'main', baseSha: BASE, changes, tests: {}, now: 1_000, ...over };
}

export const kinds = (plan: Plan): string[] => plan.actions.map((a) => a.kind);
export const tests = (plan: Plan): TestRef[] => plan.actions.flatMap((a) => (a.kind === 'test' ? [a.test] : []));
export const merged = (plan: Plan): number[] => plan.actions.flatMap((a) => (a.kind === 'merge' ? a.pulls.map((p) => p.number) : []));
export const cancelled = (plan: Plan): string[] => plan.actions.flatMap((a) => (a.kind === 'cancel' ? [a.testId] : []));
export const numbers = (test: TestRef | undefined): number[] => test?.pulls.map((p) => p.number) ?? [];

/** A verdict on a tree: the changes already on the test's base, then every pull, prefix included. */
export type Verdict = (tree: number[], test: TestRef) => 'success' | 'failure';

/**
 * A pool that executes its plans. Tests run when `finish()` is called; a test of one change alone
 * also reports on that change's head (the trigger path), and an aborted one shows there as failed. Every merge is checked against `verdict`
 * applied to the whole branch content, so a test can assert that the branch never went red.
 */
export class World {
  base = BASE;
  memory: PoolMemory = emptyMemory();
  changes: PoolChange[];
  outcomes: Record<string, TestOutcome> = {};
  running = new Map<string, TestRef>();
  started: TestRef[] = [];
  cancelledIds: string[] = [];
  branch: number[] = [];
  /** what each base sha contains, to build a test's whole tree */
  contents = new Map<string, number[]>([[BASE, []]]);
  redMerges: number[][] = [];
  plans: Plan[] = [];
  private shas = 1;
  now = 1_000;

  constructor(
    changes: PoolChange[],
    public settings: PoolSettings,
    public verdict: Verdict,
  ) {
    this.changes = changes;
  }

  snapshot(): PoolSnapshot {
    return { repo: 'acme/widgets', branch: 'main', baseSha: this.base, changes: this.changes, tests: this.outcomes, now: this.now };
  }

  sync(): Plan {
    const plan = planPool(this.snapshot(), this.memory, this.settings);
    this.plans.push(plan);
    this.memory = plan.memory;
    assert.ok(plan.actions.filter((a) => a.kind === 'merge').length <= 1, 'at most one merge per plan');
    for (const action of plan.actions) {
      if (action.kind === 'cancel') {
        const test = this.running.get(action.testId);
        // an aborted run shows on the forge as a failure (src/jobs/run-record.ts)
        if (test && test.pulls.length === 1 && test.prefix === 0) this.report(test, 'failure');
        this.running.delete(action.testId);
        this.cancelledIds.push(action.testId);
      } else if (action.kind === 'test') {
        this.running.set(action.test.id, action.test);
        this.started.push(action.test);
      } else {
        const from = this.base;
        const pulls = action.pulls.map(({ number, headSha }) => ({ number, headSha }));
        for (const p of pulls)
          assert.ok(
            this.changes.some((c) => c.number === p.number && c.headSha === p.headSha),
            `merge of #${p.number} at its head`,
          );
        this.branch.push(...pulls.map((p) => p.number));
        if (this.verdict(this.branch, { id: 'main', baseSha: from, pulls, prefix: 0, contexts: [], startedAt: 0 }) === 'failure')
          this.redMerges.push([...this.branch]);
        this.changes = this.changes.filter((c) => !pulls.some((p) => p.number === c.number));
        this.base = sha(++this.shas);
        this.contents.set(this.base, [...this.branch]);
        this.memory = recordMerge(this.memory, { kind: 'merged', from, pulls, newBaseSha: this.base });
      }
    }
    this.now += 60_000;
    return plan;
  }

  /** Every running test ends with the verdict on its tree. */
  finish(): void {
    for (const [id, test] of this.running) {
      const state = this.verdict([...(this.contents.get(test.baseSha) ?? []), ...test.pulls.map((p) => p.number)], test);
      this.outcomes[id] = state === 'failure' ? { state, failedContexts: test.contexts } : { state };
      if (test.pulls.length === 1 && test.prefix === 0) this.report(test, state);
    }
    this.running.clear();
  }

  private report(test: TestRef, state: 'success' | 'failure'): void {
    const pull = test.pulls[0]!;
    this.changes = this.changes.map((c) => {
      if (c.number !== pull.number || c.headSha !== pull.headSha) return c;
      const others = c.contexts.filter((r) => !test.contexts.includes(r.context));
      return {
        ...c,
        contexts: [...others, ...test.contexts.map((ctx) => (state === 'success' ? ok(ctx, test.baseSha) : failed(ctx, test.baseSha)))],
      };
    });
  }

  /** Someone pushes to the branch behind the queue's back. */
  push(): void {
    const content = this.contents.get(this.base) ?? [];
    this.base = sha(++this.shas);
    this.contents.set(this.base, content);
  }

  /** Sync and finish until nothing is left to do (or `limit` rounds). */
  settle(limit = 50): void {
    for (let round = 0; round < limit; round++) {
      const plan = this.sync();
      if (plan.actions.length === 0 && this.running.size === 0) return;
      this.finish();
    }
    assert.fail('the pool did not settle');
  }
}
