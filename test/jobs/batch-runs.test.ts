// Batch runs (merge-queue tests: several changes merged onto the base) through the real queue and a
// webhook runner on a local endpoint, on both backends; and reading and aborting runs by id.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { presubmitSchema } from '../../src/config/jobs-schema.js';
import type { ForgeProvider } from '../../src/forge/forge-provider.js';
import type { CommitStatus, RepoRef } from '../../src/forge/types.js';
import type { BatchStart } from '../../src/jobs/ci-jobs.js';
import { JobService } from '../../src/jobs/job-service.js';
import { MemoryRunStore } from '../../src/jobs/memory-run-store.js';
import type { DispatchDocument, Pull } from '../../src/jobs/protocol.js';
import { RedisRunStore } from '../../src/jobs/redis-run-store.js';
import type { RunStore } from '../../src/jobs/run-store.js';
import { MemoryTaskQueue } from '../../src/queue/memory-task-queue.js';
import type { Runner } from '../../src/runners/runner.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';
import { BASE, createCiRig, HEAD } from '../helpers/ci-rig.js';
import { redisClient, testPrefix, until } from '../helpers/redis.js';
import { RunnerEndpoint } from '../helpers/runner-endpoint.js';

type Rig = Awaited<ReturnType<typeof createCiRig>>;

const REPO: RepoRef = { forge: 'github', owner: 'acme', name: 'widgets' };
const PULLS: Pull[] = [
  { number: 7, sha: HEAD, author: 'alice', title: 'Add widgets', ref: 'feature' },
  { number: 8, sha: 'd'.repeat(40), author: 'bob' },
  { number: 9, sha: 'e'.repeat(40), author: 'carol', title: 'Faster widgets' },
];
const TEST_ID = 'acme/widgets:main:0';
const UNKNOWN_ID = `r${'0'.repeat(24)}`;

function batch(job: Record<string, unknown> = {}, testId = TEST_ID, pulls = PULLS): BatchStart {
  return {
    type: 'batch',
    job: presubmitSchema.parse({ name: 'unit', runner: 'hook', always_run: true, ...job }),
    repo: REPO,
    installationId: 1,
    cloneUrl: 'https://forge.test/acme/widgets.git',
    baseRef: 'main',
    baseSha: BASE,
    pulls,
    testId,
    reason: 'merge queue',
  };
}

/** Every commit status the rig's forge is asked to write, on any sha. */
function recordStatuses(rig: Rig): Array<{ sha: string; status: CommitStatus }> {
  const written: Array<{ sha: string; status: CommitStatus }> = [];
  const setStatus = rig.forge.setStatus.bind(rig.forge);
  rig.forge.setStatus = async (repo, sha, status) => {
    written.push({ sha, status });
    return setStatus(repo, sha, status);
  };
  return written;
}

const dispatchOf = (rig: Rig, runId: string): DispatchDocument | undefined =>
  rig.endpoint.received.find((r) => r.doc.job.id === runId)?.doc;

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

for (const backend of ['redis', 'memory'] as const) {
  describe(`batch runs (${backend})`, () => {
    let rig: Rig;
    afterEach(() => rig?.close());

    it('dispatches one signed document per job, of type batch, with every pull in order', async () => {
      rig = await createCiRig({ backend });
      const statuses = recordStatuses(rig);
      rig.ci.work();
      const outcomes = await rig.ci.jobs.start([batch(), batch({ name: 'lint', context: 'ci/lint', params: { LEVEL: 'strict' } })]);
      assert.deepEqual(
        outcomes.map((o) => [o.job, o.outcome]),
        [
          ['unit', 'started'],
          ['lint', 'started'],
        ],
      );
      await until(() => rig.endpoint.received.length === 2, 'both dispatches');
      for (const [i, job] of [
        ['unit', 'unit', {}],
        ['lint', 'ci/lint', { LEVEL: 'strict' }],
      ].entries()) {
        const [name, context, params] = job as [string, string, Record<string, string>];
        const received = rig.endpoint.received.find((r) => r.doc.job.name === name)!;
        assert.ok(received.signatureValid);
        const { doc } = received;
        assert.deepEqual(doc.job, { id: outcomes[i]!.runId, name, type: 'batch', context, params, timeout_seconds: 7200 });
        assert.deepEqual(doc.refs, {
          forge: 'github',
          repo: 'acme/widgets',
          clone_url: 'https://forge.test/acme/widgets.git',
          base_ref: 'main',
          base_sha: BASE,
          pulls: PULLS,
        });
        assert.equal(doc.callback.url, `${rig.publicUrl()}/api/v1/jobs/${outcomes[i]!.runId}/status`);
        // The stored run: a batch on the base, no change, keyed by its test; no secret in it.
        const stored = await rig.ci.store.get(outcomes[i]!.runId);
        assert.equal(stored?.type, 'batch');
        assert.equal(stored?.change, undefined);
        assert.equal(stored?.sha, BASE);
        assert.equal(stored?.testId, TEST_ID);
        assert.equal(stored?.activeKey, `github/acme/widgets/batch/${TEST_ID}/${name}`);
        assert.ok(!JSON.stringify(stored).includes(doc.callback.token));
        assert.ok(!JSON.stringify(stored).includes('hook-secret'));
      }
      await until(
        async () => (await rig.ci.jobs.runStates(outcomes.map((o) => o.runId))).every((s) => s?.state === 'pending'),
        'both pending',
      );
      await settle();
      assert.deepEqual(statuses, [], 'no status for a batch');
    });

    it("runs a test's job once while unfinished; another test gets its own run", async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      const [a, b] = await Promise.all([rig.ci.jobs.start([batch()]), rig.ci.jobs.start([batch()])]);
      const both = [a![0]!, b![0]!];
      assert.deepEqual(both.map((o) => o.outcome).sort(), ['running', 'started']);
      assert.equal(both[0]!.runId, both[1]!.runId, '`running` names the unfinished run');
      // Another test of the same pulls on the same base is another run.
      const [other] = await rig.ci.jobs.start([batch({}, 'acme/widgets:main:1')]);
      assert.equal(other?.outcome, 'started');
      assert.notEqual(other?.runId, both[0]!.runId);
      // A presubmit of one of the pulls is not held by the batch either.
      assert.equal((await rig.ci.jobs.start([rig.presubmit()]))[0]?.outcome, 'started');
      await until(() => rig.endpoint.received.length === 3, 'three dispatches');
      await settle();
      assert.equal(rig.endpoint.received.length, 3);

      // Once the test's run has ended, the test may run the job again (a flake re-run).
      await RunnerEndpoint.report(dispatchOf(rig, both[0]!.runId)!, { state: 'failure' });
      assert.equal((await rig.ci.jobs.start([batch()]))[0]?.outcome, 'started');
    });

    it("moves on its runner's callbacks and never writes a commit status", async () => {
      rig = await createCiRig({ backend });
      const statuses = recordStatuses(rig);
      rig.ci.work();
      const [run] = await rig.ci.jobs.start([batch({ context: 'ci/unit' })]);
      await until(() => rig.endpoint.received.length === 1, 'the dispatch');
      const { doc } = rig.endpoint.received[0]!;
      assert.deepEqual((await RunnerEndpoint.report(doc, { state: 'running', url: 'https://ci.test/job/1/console' })).body, {
        run: run!.runId,
        state: 'running',
        changed: true,
      });
      const summary = { id: run!.runId, job: 'unit', type: 'batch', repo: REPO, baseRef: 'main', sha: BASE, context: 'ci/unit' };
      assert.deepEqual(await rig.ci.jobs.runStates([run!.runId]), [
        {
          ...summary,
          state: 'running',
          description: 'Job running.',
          url: 'https://ci.test/job/1/console',
        },
      ]);
      assert.equal((await RunnerEndpoint.report(doc, { state: 'pending' })).body.changed, false, 'never back');
      const done = await RunnerEndpoint.report(doc, { state: 'success', description: 'All 812 tests passed.' });
      assert.deepEqual(done.body, { run: run!.runId, state: 'success', changed: true });
      assert.equal((await RunnerEndpoint.report(doc, { state: 'failure' })).status, 401, 'the token is spent');
      assert.deepEqual(await rig.ci.jobs.runStates([run!.runId]), [
        {
          ...summary,
          state: 'success',
          description: 'All 812 tests passed.',
          url: 'https://ci.test/job/1/console',
        },
      ]);

      // A status task for it (one queued by anything) writes nothing and does not fail.
      await rig.ci.jobs.runTask({ name: 'status', runId: run!.runId }, { attempt: 1, attempts: 1 });
      // A presubmit's status goes through the same status queue: once it is written, the queue has
      // had every chance to write the batch's.
      await rig.ci.jobs.start([rig.presubmit({ context: 'ci/unit' })]);
      await until(() => rig.status('ci/unit')?.state === 'pending', "the presubmit's status");
      await settle();
      assert.ok(statuses.length > 0);
      assert.deepEqual(
        statuses.filter((s) => s.sha !== HEAD),
        [],
        'nothing on the base sha',
      );
      assert.ok(
        statuses.every((s) => s.status.description?.startsWith('Job ')),
        "only the presubmit's",
      );
      assert.equal(rig.state.statuses('acme/widgets', BASE).length, 0);
    });

    it('ends as an error, without a status, when the runner refuses it or it times out', async () => {
      rig = await createCiRig({ backend });
      const statuses = recordStatuses(rig);
      rig.endpoint.answers.push(400);
      rig.ci.work();
      const [refused] = await rig.ci.jobs.start([batch()]);
      const [late] = await rig.ci.jobs.start([batch({ name: 'slow', timeout: '1s' })]);
      await until(
        async () => (await rig.ci.jobs.runStates([refused!.runId, late!.runId])).every((s) => s?.state === 'error'),
        'both errors',
      );
      const [a, b] = await rig.ci.jobs.runStates([refused!.runId, late!.runId]);
      assert.match(a!.description, /^Dispatch failed: .*400/);
      assert.match(b!.description, /^Timed out after 1s\./);
      await settle();
      assert.deepEqual(statuses, []);
    });

    it('answers run states in the order asked, undefined for unknown ids', async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      const [b] = await rig.ci.jobs.start([batch()]);
      const [p] = await rig.ci.jobs.start([rig.presubmit({ name: 'lint' })]);
      await until(() => rig.endpoint.received.length === 2, 'the dispatches');
      await until(async () => (await rig.ci.jobs.runStates([b!.runId, p!.runId])).every((s) => s?.state === 'pending'));
      await RunnerEndpoint.report(dispatchOf(rig, p!.runId)!, { state: 'failure', description: '3 tests failed.' });
      const lint = {
        id: p!.runId,
        job: 'lint',
        type: 'presubmit',
        repo: REPO,
        change: 7,
        baseRef: 'main',
        sha: HEAD,
        context: 'lint',
        state: 'failure',
        description: '3 tests failed.',
        url: 'https://ci.test/job/1',
      };
      assert.deepEqual(await rig.ci.jobs.runStates([p!.runId, UNKNOWN_ID, b!.runId, 'not-a-run-id', p!.runId]), [
        lint,
        undefined,
        {
          id: b!.runId,
          job: 'unit',
          type: 'batch',
          repo: REPO,
          baseRef: 'main',
          sha: BASE,
          context: 'unit',
          state: 'pending',
          description: 'Job pending.',
          url: 'https://ci.test/job/1',
        },
        undefined,
        lint,
      ]);
      assert.deepEqual(await rig.ci.jobs.runStates([]), []);
      assert.deepEqual(await rig.ci.jobs.runStates([UNKNOWN_ID]), [undefined]);
    });

    it('aborts unfinished runs by id, leaves finished ones, and answers how many', async () => {
      rig = await createCiRig({ backend });
      const statuses = recordStatuses(rig);
      rig.ci.work();
      const [unit, lint] = await rig.ci.jobs.start([batch(), batch({ name: 'lint' })]);
      const [pre] = await rig.ci.jobs.start([rig.presubmit({ name: 'e2e' })]);
      await until(() => rig.endpoint.received.length === 3, 'the dispatches');
      await RunnerEndpoint.report(dispatchOf(rig, lint!.runId)!, { state: 'success' });

      const ids = [unit!.runId, lint!.runId, pre!.runId, UNKNOWN_ID, unit!.runId];
      assert.equal(await rig.ci.jobs.abortRuns(ids, 'the queue moved on'), 2);
      const states = await rig.ci.jobs.runStates([unit!.runId, lint!.runId, pre!.runId]);
      assert.deepEqual(
        states.map((s) => [s?.state, s?.description]),
        [
          ['aborted', 'Aborted: the queue moved on.'],
          ['success', 'Job succeeded.'],
          ['aborted', 'Aborted: the queue moved on.'],
        ],
      );
      // Their tokens are dead; aborting again aborts nothing.
      assert.equal((await RunnerEndpoint.report(dispatchOf(rig, unit!.runId)!, { state: 'success' })).status, 401);
      assert.equal(await rig.ci.jobs.abortRuns(ids, 'again'), 0);
      assert.equal(await rig.ci.jobs.abortRuns([], 'nothing'), 0);
      // The presubmit shows it aborted (as a failure, as Prow); the batch shows nothing.
      await until(() => rig.status('e2e')?.state === 'failure', "the presubmit's aborted status");
      assert.match(rig.status('e2e')!.description!, /^Aborted: the queue moved on\. BaseSHA:/);
      await settle();
      assert.deepEqual(
        statuses.filter((s) => s.status.context !== 'e2e'),
        [],
      );
      // The test's job is free again.
      assert.equal((await rig.ci.jobs.start([batch()]))[0]?.outcome, 'started');
    });

    it("frees an aborted batch's max_concurrency slot for the next run", async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      const [first] = await rig.ci.jobs.start([batch({ max_concurrency: 1 })]);
      const [second] = await rig.ci.jobs.start([batch({ max_concurrency: 1 }, 'acme/widgets:main:1')]);
      await until(() => rig.endpoint.received.length === 1, 'the first dispatch');
      await settle();
      assert.equal(rig.endpoint.received.length, 1, 'the second waits');
      assert.equal(rig.endpoint.received[0]!.doc.job.id, first!.runId);
      assert.equal(await rig.ci.jobs.abortRuns([first!.runId], 'superseded'), 1);
      await until(() => rig.endpoint.received.length === 2, 'the second dispatch');
      assert.equal(rig.endpoint.received[1]!.doc.job.id, second!.runId);
    });
  });
}

// The runner side of an abort, with a runner that can be told to stop (webhook runners cannot).
for (const backend of ['redis', 'memory'] as const) {
  describe(`aborting runs by id tells the runner (${backend})`, () => {
    const queues: MemoryTaskQueue[] = [];
    afterEach(async () => {
      await Promise.all(queues.splice(0).map((q) => q.close()));
    });

    it('asks the runner to stop each dispatched run it aborts, and no other', async () => {
      const store: RunStore = backend === 'redis' ? new RedisRunStore(redisClient(), testPrefix()) : new MemoryRunStore();
      const dispatched: string[] = [];
      const aborted: Array<{ id: string; type: string; externalId?: string; pulls: number[] }> = [];
      const runner: Runner = {
        type: 'webhook',
        async dispatch(doc) {
          dispatched.push(doc.job.id);
          return { url: `https://ci.test/${doc.job.id}`, externalId: `ext-${doc.job.id}` };
        },
        async abort(doc, externalId) {
          aborted.push({ id: doc.job.id, type: doc.job.type, externalId, pulls: doc.refs.pulls.map((p) => p.number) });
        },
      };
      const state = new ForgeState();
      const forge = new MemoryForge(state);
      const forges: ForgeProvider = { forEvent: async () => forge, forRepo: async () => forge };
      const onFailed = () => {};
      const tasks = new MemoryTaskQueue({ backoffMs: 10, onFailed });
      const statusTasks = new MemoryTaskQueue({ backoffMs: 10, onFailed });
      queues.push(tasks, statusTasks);
      const jobs = new JobService({
        store,
        tasks,
        statusTasks,
        runners: new Map([['hook', runner]]),
        forges,
        publicUrl: () => 'http://127.0.0.1:1',
        log: pino({ level: 'silent' }),
      });
      tasks.work((t, a) => jobs.runTask(t, a), { concurrency: 4 });
      statusTasks.work((t, a) => jobs.runTask(t, a), { concurrency: 4 });

      const [unit, lint, later] = await jobs.start([batch(), batch({ name: 'lint' }), batch({ name: 'later', runner: 'nowhere' })]);
      await until(() => dispatched.length === 2, 'the dispatches');
      await until(async () => (await jobs.runStates([later!.runId]))[0]?.state === 'error', 'the undispatchable run');
      await jobs.report(lint!.runId, { state: 'failure' });

      assert.equal(await jobs.abortRuns([unit!.runId, lint!.runId, later!.runId], 'superseded'), 1);
      assert.deepEqual(aborted, [{ id: unit!.runId, type: 'batch', externalId: `ext-${unit!.runId}`, pulls: [7, 8, 9] }]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(state.repo('acme/widgets').statuses.size, 0, 'no status for batch runs');
    });
  });
}
