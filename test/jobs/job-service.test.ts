// The life of a run through the real queue (BullMQ on the real Redis, and the embedded queue), a
// real webhook runner posting to a local endpoint, and the callback API over HTTP.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DISPATCH_ATTEMPTS } from '../../src/jobs/job-service.js';
import { BASE, createCiRig, HEAD } from '../helpers/ci-rig.js';
import { until } from '../helpers/redis.js';
import { RunnerEndpoint } from '../helpers/runner-endpoint.js';

type Rig = Awaited<ReturnType<typeof createCiRig>>;

for (const backend of ['redis', 'memory'] as const) {
  describe(`CI runs (${backend})`, () => {
    let rig: Rig;
    afterEach(() => rig?.close());

    it("dispatches a signed document, shows pending, then the runner's result with the base sha", async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      const [outcome] = await rig.ci.jobs.start([rig.presubmit({ context: 'ci/unit' })]);
      assert.equal(outcome?.outcome, 'started');
      await until(() => rig.endpoint.received.length === 1, 'the dispatch');
      const { doc, signatureValid } = rig.endpoint.received[0]!;
      assert.ok(signatureValid);
      assert.equal(doc.apiVersion, 'ci-orchestrator/v1');
      assert.deepEqual(doc.job, {
        id: outcome!.runId,
        name: 'unit',
        type: 'presubmit',
        context: 'ci/unit',
        params: {},
        timeout_seconds: 7200,
      });
      assert.deepEqual(doc.refs.pulls, [{ number: 7, sha: HEAD, author: 'alice', title: 'Add widgets', ref: 'feature' }]);
      assert.equal(doc.refs.base_sha, BASE);
      assert.equal(doc.callback.url, `${rig.publicUrl()}/api/v1/jobs/${outcome!.runId}/status`);
      await until(() => rig.status('ci/unit')?.description?.startsWith('Job pending.') ?? false, 'the pending status');
      assert.equal(rig.status('ci/unit')?.state, 'pending');
      assert.equal(rig.status('ci/unit')?.targetUrl, 'https://ci.test/job/1');

      assert.deepEqual((await RunnerEndpoint.report(doc, { state: 'running', url: 'https://ci.test/job/1/console' })).body, {
        run: outcome!.runId,
        state: 'running',
        changed: true,
      });
      const done = await RunnerEndpoint.report(doc, { state: 'success', description: 'All 12 tests passed.' });
      assert.deepEqual(done.body, { run: outcome!.runId, state: 'success', changed: true });
      await until(() => rig.status('ci/unit')?.state === 'success', 'the success status');
      assert.deepEqual(rig.status('ci/unit'), {
        context: 'ci/unit',
        state: 'success',
        description: `All 12 tests passed. BaseSHA:${BASE}`,
        targetUrl: 'https://ci.test/job/1/console',
      });
      // The run ended, so the same job on the same sha may run again (a /retest).
      assert.equal((await rig.ci.jobs.start([rig.presubmit({ context: 'ci/unit' })]))[0]?.outcome, 'started');
    });

    it('starts one run for duplicate requests', async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      const outcomes = await Promise.all([rig.ci.jobs.start([rig.presubmit()]), rig.ci.jobs.start([rig.presubmit()])]);
      assert.deepEqual(
        outcomes
          .flat()
          .map((o) => o.outcome)
          .sort(),
        ['running', 'started'],
      );
      await until(() => rig.endpoint.received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(rig.endpoint.received.length, 1);
    });

    it('retries a runner that fails twice, then dispatches once', async () => {
      rig = await createCiRig({ backend });
      rig.endpoint.answers.push(503, 500);
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit()]);
      await until(() => rig.endpoint.received.length === 1, 'the third try');
      const { doc } = rig.endpoint.received[0]!;
      await RunnerEndpoint.report(doc, { state: 'success' });
      await until(() => rig.status()?.state === 'success');
      await new Promise((resolve) => setTimeout(resolve, 200));
      // the run ids of what arrived tell a second try of this run from a dispatch of another rig
      assert.deepEqual(
        rig.endpoint.received.map((r) => r.doc.job.id),
        [doc.job.id],
      );
      // The failed tries show nowhere, and the run ends green. Status tasks of one run may run at
      // once (job-service.ts), so one status can be written twice: what is written counts, not how often.
      const states = rig.statusHistory().map((s) => s.state);
      assert.deepEqual([...new Set(states)], ['pending', 'success'], `statuses written: ${states.join(', ')}`);
      assert.equal(states.at(-1), 'success');
    });

    it('ends a run the runner refuses (4xx) as an error with the reason, at once', async () => {
      rig = await createCiRig({ backend });
      rig.endpoint.answers.push(400);
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit()]);
      await until(() => rig.status()?.state === 'error', 'the error status');
      assert.match(rig.status()!.description!, /^Dispatch failed: .*400/);
      assert.equal(rig.endpoint.received.length, 0);
    });

    it(`ends a run whose runner stays down after ${DISPATCH_ATTEMPTS} tries as an error`, async () => {
      rig = await createCiRig({ backend });
      rig.endpoint.answers.push(...Array<number>(DISPATCH_ATTEMPTS).fill(502));
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit()]);
      await until(() => rig.status()?.state === 'error', 'the error status');
      assert.match(rig.status()!.description!, /^Dispatch failed: .*502/);
      assert.equal(rig.endpoint.answers.length, 0, 'every try was made');
    });

    it("aborts a change's unfinished runs; their tokens stop working", async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit(), rig.presubmit({ name: 'lint' })]);
      await until(() => rig.endpoint.received.length === 2);
      const aborted = await rig.ci.jobs.abortChange({ repo: { forge: 'github', owner: 'acme', name: 'widgets' }, number: 7 }, 'a new push');
      assert.equal(aborted, 2);
      await until(() => rig.status('lint')?.state === 'failure');
      assert.match(rig.status('lint')!.description!, /^Aborted: a new push\. BaseSHA:/);
      const late = await RunnerEndpoint.report(rig.endpoint.received[0]!.doc, { state: 'success' });
      assert.equal(late.status, 401);
    });

    it('keeps max_concurrency: the second run waits for the first to end', async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit({ max_concurrency: 1 }, { number: 7 })]);
      await rig.ci.jobs.start([rig.presubmit({ max_concurrency: 1 }, { number: 8, sha: 'd'.repeat(40) })]);
      await until(() => rig.endpoint.received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(rig.endpoint.received.length, 1, 'the second waits');
      await RunnerEndpoint.report(rig.endpoint.received[0]!.doc, { state: 'failure' });
      await until(() => rig.endpoint.received.length === 2, 'the second dispatch');
    });

    it('ends a run that outlives its timeout as an error', async () => {
      rig = await createCiRig({ backend });
      rig.ci.work();
      await rig.ci.jobs.start([rig.presubmit({ timeout: '1s' })]);
      await until(() => rig.status()?.state === 'error', 'the timeout');
      assert.match(rig.status()!.description!, /^Timed out after 1s\./);
    });
  });
}

describe('the callback API', () => {
  let rig: Rig;
  afterEach(() => rig?.close());

  it('refuses bad tokens and ids, names the bad field, and never moves a run back', async () => {
    rig = await createCiRig({ backend: 'redis' });
    rig.ci.work();
    const [outcome] = await rig.ci.jobs.start([rig.presubmit()]);
    await until(() => rig.endpoint.received.length === 1);
    const { doc } = rig.endpoint.received[0]!;

    assert.equal((await RunnerEndpoint.report(doc, { state: 'success' }, 'wrong')).status, 401);
    assert.equal((await RunnerEndpoint.report(doc, { state: 'success' }, '')).status, 401);
    const unknown = { ...doc, callback: { ...doc.callback, url: doc.callback.url.replace(outcome!.runId, 'r000000000000000000000000') } };
    assert.equal((await RunnerEndpoint.report(unknown, { state: 'success' })).status, 404);
    const badState = await RunnerEndpoint.report(doc, { state: 'done' });
    assert.equal(badState.status, 400);
    assert.match(String(badState.body.error), /^state: /);
    const badUrl = await RunnerEndpoint.report(doc, { state: 'running', url: 'javascript:alert(1)' });
    assert.equal(badUrl.status, 400);
    assert.match(String(badUrl.body.error), /^url: /);
    const extra = await RunnerEndpoint.report(doc, { state: 'running', colour: 'red' });
    assert.equal(extra.status, 400);
    assert.match(String(extra.body.error), /^colour: /);
    assert.equal((await RunnerEndpoint.report(doc, '{not json')).status, 400);
    assert.equal((await RunnerEndpoint.report(doc, { state: 'running', description: 'x'.repeat(70_000) })).status, 413);
    assert.equal((await rig.ci.jobs.describe(outcome!.runId))?.state, 'pending', 'nothing changed');

    assert.equal((await RunnerEndpoint.report(doc, { state: 'running' })).body.changed, true);
    const late = await RunnerEndpoint.report(doc, { state: 'pending' });
    assert.deepEqual(late.body, { run: outcome!.runId, state: 'running', changed: false });
    assert.equal((await RunnerEndpoint.report(doc, { state: 'failure' })).body.state, 'failure');
    // Replaying the token after the run ended.
    assert.equal((await RunnerEndpoint.report(doc, { state: 'success' })).status, 401);
    await until(() => rig.status()?.state === 'failure');
    assert.equal((await rig.ci.jobs.describe(outcome!.runId))?.state, 'failure');
  });

  it('keeps no token in Redis and shows none through the API', async () => {
    rig = await createCiRig({ backend: 'redis' });
    rig.ci.work();
    const [outcome] = await rig.ci.jobs.start([rig.presubmit()]);
    await until(() => rig.endpoint.received.length === 1);
    const { doc } = rig.endpoint.received[0]!;
    const stored = JSON.stringify(await rig.ci.store.get(outcome!.runId));
    assert.ok(!stored.includes(doc.callback.token));
    assert.ok(!stored.includes('hook-secret'));
    const shown = (await (await fetch(`${rig.publicUrl()}/api/v1/jobs/${outcome!.runId}`)).json()) as Record<string, unknown>;
    assert.equal(shown.id, outcome!.runId);
    assert.equal(shown.tokenHash, undefined);
  });
});
