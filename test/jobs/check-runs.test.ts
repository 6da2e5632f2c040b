// Runs shown as GitHub check runs (reporting.github: checks): the job service composed as the
// server composes it, on the real Redis, writing through the GitHub adapter to the fake GitHub API,
// so what GitHub receives (one POST, then PATCHes) is what is checked.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { presubmitSchema } from '../../src/config/jobs-schema.js';
import { ForgeOctokit } from '../../src/forge/github/forge-octokit.js';
import { GitHubForge } from '../../src/forge/github/github-forge.js';
import type { Forge } from '../../src/forge/types.js';
import { CHECK_RUN_CLAIM_MS, JobService } from '../../src/jobs/job-service.js';
import { newRun } from '../../src/jobs/new-run.js';
import { RedisRunStore } from '../../src/jobs/redis-run-store.js';
import { MemoryTaskQueue } from '../../src/queue/memory-task-queue.js';
import { PostponeTask } from '../../src/queue/task-queue.js';
import { ForgeState } from '../fakes/forge-state.js';
import { startGitHubApi } from '../fakes/github-api.js';
import { MemoryForge } from '../fakes/memory-forge.js';
import { BASE, createCiRig, HEAD } from '../helpers/ci-rig.js';
import { REDIS_URL, testPrefix, until } from '../helpers/redis.js';
import { RunnerEndpoint } from '../helpers/runner-endpoint.js';

type Rig = Awaited<ReturnType<typeof createCiRig>>;
const CHECKS = { github: 'checks' };

describe('runs as GitHub check runs (Redis)', () => {
  let rig: Rig | undefined;
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
    for (const close of closers.splice(0)) await close();
  });

  /** A rig whose CI writes through the GitHub adapter to the fake GitHub API over its state. */
  async function githubRig(): Promise<Rig> {
    const state = new ForgeState();
    const api = await startGitHubApi(state);
    closers.push(() => api.close());
    const octokit = new ForgeOctokit({ auth: { token: 'test' }, baseUrl: api.url, requestPolicy: { writeSpacingMs: 0 } });
    const forge = new GitHubForge(octokit, { botLogin: async () => state.botLogin });
    return createCiRig({ backend: 'redis', reporting: CHECKS, state, forge: () => forge });
  }

  it('shows a run going queued, running, success as one check run updated in place', async () => {
    rig = await githubRig();
    rig.ci.work();
    const [outcome] = await rig.ci.jobs.start([rig.presubmit({ context: 'ci/unit' })]);
    const runId = outcome!.runId;
    await until(() => rig!.endpoint.received.length === 1, 'the dispatch');
    await until(() => rig!.checkRuns()[0]?.output.title?.startsWith('Job pending.') ?? false, 'the pending check run');
    let [check] = rig.checkRuns();
    assert.deepEqual(
      [check?.name, check?.status, check?.conclusion, check?.externalId, check?.detailsUrl],
      ['ci/unit', 'queued', null, runId, 'https://ci.test/job/1'],
    );
    assert.equal(check?.output.title, `Job pending. BaseSHA:${BASE}`);

    const { doc } = rig.endpoint.received[0]!;
    await RunnerEndpoint.report(doc, { state: 'running', url: 'https://ci.test/job/1/console', description: 'Building.' });
    await until(() => rig!.checkRuns()[0]?.status === 'in_progress', 'the running check run');
    await RunnerEndpoint.report(doc, { state: 'success', description: 'All 12 tests passed.' });
    await until(() => rig!.checkRuns()[0]?.status === 'completed', 'the completed check run');

    assert.equal(rig.checkRuns().length, 1, 'one check run for the run');
    [check] = rig.checkRuns();
    assert.deepEqual(
      [check?.status, check?.conclusion, check?.detailsUrl, check?.output.title],
      ['completed', 'success', 'https://ci.test/job/1/console', `All 12 tests passed. BaseSHA:${BASE}`],
    );
    assert.match(check!.output.summary!, /^All 12 tests passed\.\n\nRunner: https:\/\/ci\.test\/job\/1\/console\n/);
    assert.match(check!.output.summary!, new RegExp(`Run \`${runId}\`: ${rig.publicUrl()}/jobs/${runId}`));
    assert.equal(rig.status('ci/unit'), undefined, 'no commit status besides');
    assert.equal((await rig.ci.jobs.describe(runId))?.checkRun?.id, check!.id, 'the run record keeps the check run id');

    // What GitHub received: one creation, then updates of that check run only.
    const writes = rig.state.calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.path}`);
    assert.equal(writes[0], 'POST /repos/acme/widgets/check-runs');
    assert.deepEqual(new Set(writes.slice(1)), new Set([`PATCH /repos/acme/widgets/check-runs/${check!.id}`]));
    assert.ok(writes.length >= 3, `queued/pending, running and success were written: ${writes.join(', ')}`);
    // And the merge queue's reading of it: a success on the tested base, as a status was.
    assert.deepEqual(await rig.forge.listStatuses({ forge: 'github', owner: 'acme', name: 'widgets' }, HEAD), [
      {
        context: 'ci/unit',
        state: 'success',
        description: `All 12 tests passed. BaseSHA:${BASE}`,
        targetUrl: 'https://ci.test/job/1/console',
      },
    ]);
  });
});

describe('runs as GitHub check runs: endings and retries', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('concludes an aborted run as cancelled and a run past its timeout as timed_out', async () => {
    rig = await createCiRig({ backend: 'redis', reporting: CHECKS });
    rig.ci.work();
    await rig.ci.jobs.start([
      rig.presubmit({ name: 'unit' }),
      rig.presubmit({ name: 'slow', timeout: '1s' }, { number: 8, sha: 'd'.repeat(40) }),
    ]);
    await until(() => rig!.endpoint.received.length === 2, 'the dispatches');
    await rig.ci.jobs.abortChange({ repo: { forge: 'github', owner: 'acme', name: 'widgets' }, number: 7 }, 'a new push');
    await until(() => rig!.checkRuns()[0]?.status === 'completed', 'the aborted check run');
    assert.deepEqual(
      [rig.checkRuns()[0]?.conclusion, rig.checkRuns()[0]?.output.title],
      ['cancelled', `Aborted: a new push. BaseSHA:${BASE}`],
    );
    await until(() => rig!.checkRuns('d'.repeat(40))[0]?.status === 'completed', 'the timed-out check run');
    assert.equal(rig.checkRuns('d'.repeat(40))[0]?.conclusion, 'timed_out');
    assert.equal(rig.checkRuns().length + rig.checkRuns('d'.repeat(40)).length, 2);
  });

  it("does not create a second check run when a creation's answer was lost", async () => {
    let lose = 1;
    rig = await createCiRig({
      backend: 'redis',
      reporting: CHECKS,
      forge: (state) => {
        const forge = new MemoryForge(state);
        const create = forge.createCheckRun!;
        return Object.assign(forge, {
          createCheckRun: async (...args: Parameters<typeof create>) => {
            const id = await create(...args);
            if (lose-- > 0) throw new Error('socket hang up'); // GitHub created it; we never heard
            return id;
          },
        });
      },
    });
    rig.ci.work();
    const [outcome] = await rig.ci.jobs.start([rig.presubmit()]);
    await until(() => rig!.endpoint.received.length === 1, 'the dispatch');
    await RunnerEndpoint.report(rig.endpoint.received[0]!.doc, { state: 'success' });
    await until(() => rig!.checkRuns()[0]?.conclusion === 'success', 'the completed check run');
    assert.equal(lose, 0, 'created once: the retry found it instead of creating again');
    assert.equal(rig.checkRuns().length, 1);
    // The run records the id just after the forge write that completed it.
    await until(async () => (await rig!.ci.jobs.describe(outcome!.runId))?.checkRun?.id !== undefined, 'the recorded check run');
    assert.equal((await rig.ci.jobs.describe(outcome!.runId))?.checkRun?.id, rig.checkRuns()[0]!.id);
  });

  it('keeps commit statuses on GitLab, which has no Checks API', async () => {
    rig = await createCiRig({ backend: 'redis', reporting: CHECKS });
    rig.ci.work();
    const request = { ...rig.presubmit(), repo: { forge: 'gitlab' as const, owner: 'acme', name: 'widgets' } };
    const [outcome] = await rig.ci.jobs.start([request]);
    await until(() => rig!.status()?.state === 'pending', 'the pending status');
    assert.equal((await rig.ci.jobs.describe(outcome!.runId))?.checkRun, undefined);
    assert.equal(rig.checkRuns().length, 0);
  });

  it('keeps commit statuses by default', async () => {
    rig = await createCiRig({ backend: 'redis' });
    rig.ci.work();
    await rig.ci.jobs.start([rig.presubmit()]);
    await until(() => rig!.status()?.state === 'pending', 'the pending status');
    assert.equal(rig.checkRuns().length, 0);
  });
});

describe('check run creation under concurrent status writers (Redis)', () => {
  /** A job service whose tasks nobody works: the test runs them by hand, with its own clock. */
  async function service(forge: Forge) {
    const redis = new Redis(REDIS_URL);
    const store = new RedisRunStore(redis, testPrefix());
    let now = 1_000_000;
    const jobs = new JobService({
      store,
      tasks: new MemoryTaskQueue({ backoffMs: 10, onFailed: () => {} }),
      statusTasks: new MemoryTaskQueue({ backoffMs: 10, onFailed: () => {} }),
      runners: new Map(),
      forges: { forEvent: async () => forge, forRepo: async () => forge },
      publicUrl: () => 'http://bot.test',
      log: pino({ level: 'silent' }),
      reportsCheckRuns: () => true,
      now: () => now,
    });
    const run = newRun({
      type: 'presubmit',
      job: presubmitSchema.parse({ name: 'unit', runner: 'hook' }),
      repo: { forge: 'github', owner: 'acme', name: 'widgets' },
      installationId: 1,
      cloneUrl: 'https://forge.test/acme/widgets.git',
      baseRef: 'main',
      baseSha: BASE,
      reason: 'test',
      pull: { number: 7, sha: HEAD, author: 'alice' },
    });
    run.checkRun = {};
    await store.create(run);
    const writeStatus = () => jobs.runTask({ name: 'status', runId: run.id }, { attempt: 1, attempts: 6 });
    return {
      jobs,
      store,
      run,
      writeStatus,
      advance: (ms: number) => {
        now += ms;
      },
      close: async () => {
        await store.close();
        await redis.quit();
      },
    };
  }

  it('lets one writer create while the other waits, then updates in place', async () => {
    const state = new ForgeState();
    const s = await service(new MemoryForge(state));
    try {
      const results = await Promise.allSettled([s.writeStatus(), s.writeStatus(), s.writeStatus()]);
      assert.equal(state.checkRuns('acme/widgets', HEAD).length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof PostponeTask, String(r.reason));
      // A waiting writer that comes back finds it written and writes nothing more.
      await s.writeStatus();
      assert.equal(state.checkRuns('acme/widgets', HEAD).length, 1);
      await s.jobs.report(s.run.id, { state: 'running' });
      await s.writeStatus();
      assert.deepEqual(
        state.checkRuns('acme/widgets', HEAD).map((r) => r.status),
        ['in_progress'],
      );
    } finally {
      await s.close();
    }
  });

  it('takes over a claim whose writer died, finding the check run it had created', async () => {
    const state = new ForgeState();
    const forge = new MemoryForge(state);
    const create = forge.createCheckRun!;
    let hang = true;
    Object.assign(forge, {
      createCheckRun: async (...args: Parameters<typeof create>) => {
        await create(...args);
        if (hang) return new Promise<number>(() => {}); // created at GitHub; its writer never returns
        throw new Error('a takeover must look before creating');
      },
    });
    const s = await service(forge);
    try {
      void s.writeStatus(); // the writer that dies
      await until(() => state.checkRuns('acme/widgets', HEAD).length === 1, 'the first creation');
      hang = false;
      await assert.rejects(s.writeStatus(), PostponeTask, 'a live claim is waited for');
      s.advance(CHECK_RUN_CLAIM_MS + 1);
      await s.writeStatus();
      const [check] = state.checkRuns('acme/widgets', HEAD);
      assert.equal(state.checkRuns('acme/widgets', HEAD).length, 1);
      assert.equal((await s.store.get(s.run.id))?.checkRun?.id, check!.id);
    } finally {
      await s.close();
    }
  });
});
