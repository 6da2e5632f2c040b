// One sync of one pool: take its lock, read the forge, plan with the engine, carry the plan out,
// save. Level-triggered: everything the plan needs is read again each time (the forge, the run
// store), so a lost event or a restart costs a sync period, never a wrong merge. Merges happen only
// while the lock is held, at each change's expected head sha.
import type { Logger } from 'pino';
import { contextOf } from '../config/jobs-schema.js';
import type { RepoMergeQueueConfig } from '../config/merge-queue-schema.js';
import type { RepoConfig } from '../config/schema.js';
import { hasLabel, NEEDS_REBASE } from '../core/labels.js';
import { type Change, type Forge, type RepoRef, repoFullName } from '../forge/types.js';
import type { CiJobs } from '../jobs/ci-jobs.js';
import type { OwnersResolver } from '../owners/owners-resolver.js';
import { QUEUE_CONTEXT } from './contexts.js';
import { planPool, recordMerge } from './plan.js';
import { addHistory, emptyRecord, type HistoryEntry, type PoolRecord, type PoolStore } from './pool-store.js';
import { readPool } from './read-pool.js';
import {
  type Action,
  emptyMemory,
  type MergeOutcome,
  type PoolMemory,
  type PoolSettings,
  type TestOutcome,
  type TestRef,
  testKind,
} from './types.js';

/** Long enough for one sync's slowest step (a batch of merges); renewed while held. */
export const POOL_LOCK_TTL_MS = 60_000;

export interface PoolSyncDeps {
  forge: Forge;
  owners: OwnersResolver;
  ci: CiJobs;
  store: PoolStore;
  repo: RepoRef;
  installationId?: number;
  branch: string;
  config: RepoConfig & { mergeQueue: RepoMergeQueueConfig };
  /** the page that explains the queue (the `merge-queue` status links to it) */
  dashboardUrl?: string;
  log: Logger;
  now?: () => number;
}

export const poolKey = (repo: RepoRef, branch: string): string => `${repo.forge}/${repoFullName(repo)}:${branch}`;

export function poolSettings(config: RepoMergeQueueConfig, frozen: boolean): PoolSettings {
  return {
    policy: config.policy,
    requiredLabels: config.labels,
    missingLabels: config.missing_labels,
    batchSize: config.batch_size,
    // tide and serial keep one test in flight (tide's serial retest lane aside); only ours speculates.
    maxTestsInFlight: config.policy === 'ours' ? config.max_tests_in_flight : 1,
    priority: config.priority,
    mergeMethod: config.merge_method,
    methodLabels: { merge: config.merge_label, squash: config.squash_label, rebase: config.rebase_label },
    frozen,
  };
}

/** A test's outcome from its runs: any failed run fails it; all succeeded, it passed. */
async function outcomesOf(ci: CiJobs, memory: PoolMemory, runs: PoolRecord['runs']): Promise<Record<string, TestOutcome>> {
  // Every test's runs in one read (one Redis round trip), then split per test.
  const all = await ci.runStates(memory.tests.flatMap((test) => runs[test.id] ?? []));
  const outcomes: Record<string, TestOutcome> = {};
  let at = 0;
  for (const test of memory.tests) {
    const ids = runs[test.id] ?? [];
    const states = all.slice(at, (at += ids.length));
    // A test whose runs could not start, or have vanished, proved nothing: it counts as failed.
    const failed = states.filter((s) => !s || ['failure', 'error', 'aborted'].includes(s.state));
    if (ids.length === 0 || failed.length > 0) {
      outcomes[test.id] = { state: 'failure', failedContexts: failed.flatMap((s) => (s ? [s.context] : [])).sort() };
    } else {
      outcomes[test.id] = { state: states.every((s) => s?.state === 'success') ? 'success' : 'pending' };
    }
  }
  return outcomes;
}

/** `merged`: the branch moved, so the pool is worth another sync at once rather than a period later. */
export type SyncResult = 'merged' | 'synced' | 'busy';

export async function syncPool(deps: PoolSyncDeps): Promise<SyncResult> {
  const { forge, ci, store, repo, branch, config, log } = deps;
  const now = deps.now ?? Date.now;
  const key = poolKey(repo, branch);
  const lock = await store.lock(key, POOL_LOCK_TTL_MS);
  if (!lock) return 'busy';
  const history: HistoryEntry[] = [];
  let merged = false;
  try {
    const record = (await store.load(key)) ?? emptyRecord(emptyMemory());
    const reading = await readPool({ forge, owners: deps.owners, repo, branch, config, now: now() });
    const settings = poolSettings(config.mergeQueue, reading.frozen);
    const tests = await outcomesOf(ci, record.memory, record.runs);
    const plan = planPool(
      { repo: repoFullName(repo), branch, baseSha: reading.baseSha, changes: reading.changes, tests, now: now() },
      record.memory,
      settings,
    );
    let memory = plan.memory;
    const note = (action: HistoryEntry['action'], pulls: number[], detail: string) =>
      history.push({ at: now(), action, baseSha: reading.baseSha, pulls, detail });

    // A change the queue labelled needs-rebase has been pushed to since: the label has done its job.
    for (const [number, conflicted] of Object.entries(record.needsRebase ?? {})) {
      const change = reading.forgeChanges.get(Number(number));
      if (change?.headSha === conflicted) continue;
      if (change && hasLabel(change.labels, NEEDS_REBASE)) await forge.removeLabel(change.ref, NEEDS_REBASE);
      delete record.needsRebase![number];
    }

    // Statuses first: "Merging." must be on a change before the merge that branch protection may gate on it.
    for (const [number, status] of plan.statuses) {
      const change = reading.forgeChanges.get(number);
      const written = `${status.state}|${status.description}`;
      if (!change || record.written[number] === written) continue;
      await forge.setStatus(repo, change.headSha, {
        context: QUEUE_CONTEXT,
        ...status,
        ...(deps.dashboardUrl ? { targetUrl: deps.dashboardUrl } : {}),
      });
      record.written[number] = written;
    }

    for (const action of plan.actions) {
      if (action.kind === 'cancel') {
        await ci.abortRuns(record.runs[action.testId] ?? [], 'the merge queue no longer needs this test');
        note('cancel', testPulls(record, memory, action.testId), `test ${action.testId} cancelled`);
      } else if (action.kind === 'test') {
        record.runs[action.test.id] = await startTest(deps, action.test, reading.forgeChanges);
        note(
          'test',
          action.test.pulls.map((p) => p.number),
          `${testKind(action.test)} test ${action.test.id} on ${action.test.baseSha.slice(0, 8)}${
            action.test.prefix
              ? ` on top of ${action.test.pulls
                  .slice(0, action.test.prefix)
                  .map((p) => `#${p.number}`)
                  .join(' ')}`
              : ''
          }`,
        );
      } else {
        // Never merge without the lock: another process may have taken the pool over.
        if (!(await lock.held())) break;
        for (const outcome of await merge(forge, repo, branch, reading.baseSha, action)) {
          memory = recordMerge(memory, outcome);
          merged ||= outcome.kind === 'merged';
          if (outcome.kind === 'not-merged' && outcome.reason === 'conflict')
            await askForRebase(forge, record, reading.forgeChanges.get(outcome.number));
          if (outcome.kind === 'merged')
            note(
              'merge',
              outcome.pulls.map((p) => p.number),
              `merged onto ${outcome.from.slice(0, 8)}, now ${outcome.newBaseSha.slice(0, 8)}`,
            );
          else note('refused', [outcome.number], `${outcome.reason}: ${outcome.message}`);
        }
      }
    }

    // Run ids of tests the engine no longer remembers, and statuses of closed changes, are of no further use.
    const remembered = new Set(memory.tests.map((t) => t.id));
    const runs = Object.fromEntries(Object.entries(record.runs).filter(([id]) => remembered.has(id)));
    const written = Object.fromEntries(Object.entries(record.written).filter(([n]) => reading.forgeChanges.has(Number(n))));
    const inPool = (n: number) => {
      const status = plan.statuses.get(n);
      return status !== undefined && status.state !== 'error' && !status.description.startsWith('Not mergeable');
    };
    const summary = {
      at: now(),
      baseSha: reading.baseSha,
      members: reading.changes.filter((c) => inPool(c.number)).map((c) => c.number),
      tests: memory.tests.map((t) => ({
        id: t.id,
        pulls: t.pulls.map((p) => p.number),
        prefix: t.prefix,
        kind: testKind(t),
        state: tests[t.id]?.state ?? 'pending',
        startedAt: t.startedAt,
      })),
    };
    const saved = await store.save(lock, addHistory({ ...record, memory, runs, written, view: summary }, ...history));
    if (!saved) log.warn({ pool: key }, 'merge queue: lost the pool lock during a sync; its record was not saved');
    return merged ? 'merged' : 'synced';
  } catch (err) {
    // The dashboard says why a pool is stuck; the record itself stays as the last good sync left it.
    const last = await store.load(key).catch(() => undefined);
    if (last) {
      const view = {
        at: now(),
        baseSha: last.view?.baseSha ?? '',
        members: last.view?.members ?? [],
        tests: last.view?.tests ?? [],
        error: err instanceof Error ? err.message : String(err),
      };
      await store.save(lock, { ...last, view }).catch(() => false);
    }
    throw err;
  } finally {
    // An unreachable Redis here must not hide the sync's own error; the lock then lapses by its TTL.
    await lock.release().catch((err: unknown) => log.warn({ err, pool: key }, 'merge queue: could not release the pool lock'));
  }
}

/** A merge refused for a conflict: `needs-rebase` (which keeps the change out) and a comment saying why. */
async function askForRebase(forge: Forge, record: PoolRecord, change: Change | undefined): Promise<void> {
  if (!change || hasLabel(change.labels, NEEDS_REBASE)) return;
  await forge.addLabel(change.ref, NEEDS_REBASE);
  await forge.createComment(
    change.ref,
    `The merge queue could not merge this change: it conflicts with \`${change.baseRef}\`. ` +
      `Please rebase it (or merge \`${change.baseRef}\` into it); the \`${NEEDS_REBASE}\` label goes away with the next push.`,
  );
  record.needsRebase = { ...record.needsRebase, [change.ref.number]: change.headSha };
}

const testPulls = (record: PoolRecord, memory: PoolMemory, id: string): number[] =>
  [...record.memory.tests, ...memory.tests].find((t) => t.id === id)?.pulls.map((p) => p.number) ?? [];

/**
 * Starts a test's jobs as batch runs: the changes merged in order onto the base. A single change
 * is tested the same way rather than through its own presubmit runs, because those are
 * de-duplicated per head sha and may still be running against an older base.
 */
async function startTest(deps: PoolSyncDeps, test: TestRef, changes: Map<number, Change>): Promise<string[]> {
  const { ci, forge, repo, branch, config, log } = deps;
  const jobs = config.presubmits.filter((job) => test.contexts.includes(contextOf(job)));
  const pulls = test.pulls.map((p) => {
    const change = changes.get(p.number);
    return { number: p.number, sha: p.headSha, author: change?.author ?? '', title: change?.title ?? '', ref: change?.headRef ?? '' };
  });
  try {
    const cloneUrl = await forge.cloneUrl(repo);
    const started = await ci.start(
      jobs.map((job) => ({
        type: 'batch' as const,
        job,
        repo,
        installationId: deps.installationId,
        cloneUrl,
        baseRef: branch,
        baseSha: test.baseSha,
        pulls,
        testId: test.id,
        reason: `merge queue: ${pulls.map((p) => `#${p.number}`).join(' ')}`,
      })),
    );
    return started.map((s) => s.runId);
  } catch (err) {
    // No runs: the next sync counts the test as failed and the engine decides again.
    log.error({ err, test: test.id }, 'merge queue: could not start a test');
    return [];
  }
}

/** Merges the action's changes in order, each at its expected head; stops at the first refusal. */
async function merge(
  forge: Forge,
  repo: RepoRef,
  branch: string,
  baseSha: string,
  action: Extract<Action, { kind: 'merge' }>,
): Promise<MergeOutcome[]> {
  const merged: Array<{ number: number; headSha: string }> = [];
  const outcomes: MergeOutcome[] = [];
  for (const pull of action.pulls) {
    let result;
    try {
      result = await forge.merge({ repo, number: pull.number }, { method: pull.method, expectedHeadSha: pull.headSha });
    } catch (err) {
      result = { merged: false as const, reason: 'error' as const, message: err instanceof Error ? err.message : String(err) };
    }
    if (!result.merged) {
      outcomes.push({ kind: 'not-merged', number: pull.number, reason: result.reason, message: result.message });
      break;
    }
    merged.push({ number: pull.number, headSha: pull.headSha });
  }
  if (merged.length > 0)
    outcomes.unshift({ kind: 'merged', from: baseSha, pulls: merged, newBaseSha: await forge.branchSha(repo, branch) });
  return outcomes;
}
