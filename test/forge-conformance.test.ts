// One suite, run against every Forge implementation (the GitHub adapter and the GitLab adapter over
// their HTTP fakes, and the in-memory fake), so the adapters cannot drift apart.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChangeRef } from '../src/forge/types.js';
import { type ForgeHarnessInstance, forgeHarnesses } from './fakes/harnesses.js';
import { createGitRepo } from './helpers/git-repo.js';

const HEAD = '1'.repeat(40);
const BASE = '2'.repeat(40);

for (const harness of forgeHarnesses) {
  describe(`Forge conformance: ${harness.name}`, () => {
    let h: ForgeHarnessInstance;
    let pr: ChangeRef;
    const git = createGitRepo();
    let commit: { sha: string; tree: string };
    const full = 'acme/widgets';

    before(async () => {
      h = await harness.start();
      const { state } = h;
      state.addChange(full, {
        number: 7,
        title: 'Add widgets',
        body: 'Adds widgets.',
        author: 'alice',
        headSha: HEAD,
        baseSha: BASE,
        baseRef: 'main',
        headRef: 'feature',
        labels: ['kind/feature'],
        files: ['src/a.ts', 'docs/b.md'],
      });
      state.addChange(full, { number: 8, author: 'bob', labels: ['lgtm', 'approved'], headSha: '3'.repeat(40) });
      state.addChange(full, { number: 9, author: 'carol', labels: ['lgtm'], baseRef: 'release-1' });
      state.addChange(full, { number: 10, author: 'dave', labels: ['lgtm', 'approved'], state: 'closed' });
      state.setFile(full, 'main', 'OWNERS', 'approvers:\n- alice\n');
      state.setFile(full, 'main', 'src/OWNERS', 'approvers:\n- bob\n');
      state.setPermission(full, 'bob', 'write');
      state.setPermission(full, 'carol', 'read');
      state.addOrgMember('acme', 'bob');
      state.addTeamMember('acme', 'maintainers', 'erin');
      state.setBranch(full, 'main', BASE);
      state.setBranch(full, 'release/1.0', '5'.repeat(40));
      state.repo(full).requiredContexts.set('main', ['ci/unit', 'ci/lint']);
      // A real commit, for forges that read tree hashes with git (GitLab).
      commit = git.commit({ 'README.md': 'widgets\n' });
      state.repo(full).trees.set(commit.sha, commit.tree);
      state.repo(full).cloneUrl = git.url;
      state.addReview(full, { change: 7, author: 'bob', state: 'approved', body: 'LGTM', commitSha: HEAD });
      state.addReview(full, { change: 7, author: 'carol', state: 'changes_requested', body: 'no' });
      pr = { repo: h.repo, number: 7 };
    });
    after(async () => {
      await h.close();
      git.remove();
    });

    it('reports its kind and the bot login', async () => {
      assert.equal(h.forge.kind, h.repo.forge);
      assert.equal(await h.forge.botLogin(), h.state.botLogin);
    });

    it('gets a change with its refs, shas, labels and author', async () => {
      const change = await h.forge.getChange(pr);
      assert.equal(change.ref.number, 7);
      assert.equal(change.title, 'Add widgets');
      assert.equal(change.body, 'Adds widgets.');
      assert.equal(change.author, 'alice');
      assert.equal(change.state, 'open');
      assert.equal(change.draft, false);
      assert.equal(change.baseRef, 'main');
      assert.equal(change.headRef, 'feature');
      assert.equal(change.headSha, HEAD);
      assert.equal(change.baseSha, BASE);
      assert.deepEqual(change.labels, ['kind/feature']);
      assert.match(change.url, /7/);
    });

    it('fails with a ForgeError carrying 404 for a missing change', async () => {
      await assert.rejects(h.forge.getChange({ repo: h.repo, number: 404 }), (err: Error & { status?: number }) => {
        assert.equal(err.name, 'ForgeError');
        assert.equal(err.status, 404);
        return true;
      });
    });

    it('lists changed files', async () => {
      assert.deepEqual((await h.forge.listChangedFiles(pr)).sort(), ['docs/b.md', 'src/a.ts']);
    });

    it('reads a file at a ref, and answers undefined for a missing one', async () => {
      assert.equal(await h.forge.readFile(h.repo, 'src/OWNERS', 'main'), 'approvers:\n- bob\n');
      assert.equal(await h.forge.readFile(h.repo, 'nope/OWNERS', 'main'), undefined);
    });

    it('lists the tree at a ref', async () => {
      assert.deepEqual((await h.forge.listTree(h.repo, 'main')).sort(), ['OWNERS', 'src/OWNERS']);
    });

    it('names the default branch', async () => {
      assert.equal(await h.forge.defaultBranch(h.repo), 'main');
      h.state.repo(full).defaultBranch = 'trunk';
      assert.equal(await h.forge.defaultBranch(h.repo), 'trunk');
    });

    it('gives the sha a branch points at, and a ForgeError 404 for an unknown branch', async () => {
      assert.equal(await h.forge.branchSha(h.repo, 'main'), BASE);
      assert.equal(await h.forge.branchSha(h.repo, 'release/1.0'), '5'.repeat(40));
      h.state.setBranch(full, 'release/1.0', '6'.repeat(40));
      assert.equal(await h.forge.branchSha(h.repo, 'release/1.0'), '6'.repeat(40));
      await assert.rejects(h.forge.branchSha(h.repo, 'no-such-branch'), (err: Error & { status?: number }) => {
        assert.equal(err.name, 'ForgeError');
        assert.equal(err.status, 404);
        return true;
      });
    });

    it('adds labels idempotently, creating missing ones with a colour', async () => {
      await h.forge.addLabel(pr, 'do-not-merge/hold');
      await h.forge.addLabel(pr, 'do-not-merge/hold');
      assert.deepEqual(h.state.change(full, 7).labels, ['kind/feature', 'do-not-merge/hold']);
      assert.ok(h.state.repo(full).labels.has('do-not-merge/hold'));
      assert.match(h.state.repo(full).labels.get('do-not-merge/hold')!, /^[0-9a-f]{6}$/);
      assert.deepEqual((await h.forge.getChange(pr)).labels, ['kind/feature', 'do-not-merge/hold']);
    });

    it('removes labels idempotently', async () => {
      await h.forge.removeLabel(pr, 'do-not-merge/hold');
      await h.forge.removeLabel(pr, 'do-not-merge/hold');
      assert.deepEqual(h.state.change(full, 7).labels, ['kind/feature']);
    });

    it('records label history, and names who last added a label', async () => {
      h.state.addChange(full, { number: 12, author: 'alice', state: 'closed' }); // closed: out of searchChanges' way
      const ref = { repo: h.repo, number: 12 };
      assert.equal(await h.forge.lastLabeler(ref, 'approved'), undefined);

      h.state.addLabel(full, 12, 'approved', undefined, 'mallory');
      assert.equal(await h.forge.lastLabeler(ref, 'approved'), 'mallory');
      // the bot taking it off leaves mallory as the last to add it
      await h.forge.removeLabel(ref, 'approved');
      assert.deepEqual(
        h.state.labelEvents(full, 12).map((e) => [e.action, e.label, e.by]),
        [
          ['added', 'approved', 'mallory'],
          ['removed', 'approved', h.state.botLogin],
        ],
      );
      assert.equal(await h.forge.lastLabeler(ref, 'approved'), 'mallory');

      await h.forge.addLabel(ref, 'approved');
      await h.forge.addLabel(ref, 'approved'); // already on: no second event
      assert.equal(h.state.labelEvents(full, 12).length, 3);
      assert.equal(await h.forge.lastLabeler(ref, 'approved'), h.state.botLogin);
      assert.equal(await h.forge.lastLabeler(ref, 'lgtm'), undefined);
    });

    it('finds the last labeler past the first page of history', async () => {
      h.state.addChange(full, { number: 13, author: 'alice', state: 'closed' });
      for (let i = 0; i < 60; i++) {
        h.state.addLabel(full, 13, 'lgtm', undefined, i % 2 ? 'bob' : 'carol');
        h.state.removeLabel(full, 13, 'lgtm', 'dave');
      }
      h.state.addLabel(full, 13, 'lgtm', undefined, 'erin');
      h.state.addLabel(full, 13, 'approved', undefined, 'bob');
      assert.equal(h.state.labelEvents(full, 13).length, 122);
      assert.equal(await h.forge.lastLabeler({ repo: h.repo, number: 13 }, 'lgtm'), 'erin');
      assert.equal(await h.forge.lastLabeler({ repo: h.repo, number: 13 }, 'approved'), 'bob');
    });

    it('creates, lists and updates comments', async () => {
      const created = await h.forge.createComment(pr, 'hello **there**');
      assert.equal(created.body, 'hello **there**');
      assert.equal(created.author, h.state.botLogin);
      await h.forge.updateComment(pr, created.id, 'edited');
      const comments = await h.forge.listComments(pr);
      const found = comments.find((c) => c.id === created.id);
      assert.equal(found?.body, 'edited');
      assert.equal(found?.author, h.state.botLogin);
      assert.equal(h.state.comments(full, 7).at(-1)?.body, 'edited');
    });

    it('sets commit statuses and lists the latest per context', async () => {
      await h.forge.setStatus(h.repo, HEAD, { context: 'ci/unit', state: 'pending', description: 'queued' });
      await h.forge.setStatus(h.repo, HEAD, {
        context: 'ci/unit',
        state: 'success',
        description: 'passed',
        targetUrl: 'https://ci.test/1',
      });
      await h.forge.setStatus(h.repo, HEAD, { context: 'ci/lint', state: 'failure' });
      await h.forge.setStatus(h.repo, HEAD, { context: 'ci/e2e', state: 'error', description: 'broke' });
      const byContext = Object.fromEntries((await h.forge.listStatuses(h.repo, HEAD)).map((s) => [s.context, s]));
      assert.equal(byContext['ci/unit']?.state, 'success');
      assert.equal(byContext['ci/unit']?.description, 'passed');
      assert.equal(byContext['ci/unit']?.targetUrl, 'https://ci.test/1');
      assert.equal(byContext['ci/lint']?.state, 'failure');
      assert.equal(byContext['ci/e2e']?.state, 'error');
    });

    it('creates a check run and updates it in place (GitHub only)', async (t) => {
      const { forge } = h;
      if (!forge.createCheckRun || !forge.updateCheckRun || !forge.findCheckRun) {
        assert.equal(h.repo.forge, 'gitlab', 'only GitLab lacks check runs');
        return t.skip('no Checks API');
      }
      const sha = '7'.repeat(40);
      const base = { name: 'ci/unit', externalId: 'r000000000000000000000001', summary: 'Run **r1**.' };
      const id = await forge.createCheckRun(h.repo, sha, { ...base, status: 'queued', title: 'Job triggered. BaseSHA:abc1234' });
      assert.deepEqual(
        h.state.checkRuns(full, sha).map((r) => [r.id, r.name, r.status, r.conclusion, r.externalId, r.appId]),
        [[id, 'ci/unit', 'queued', null, 'r000000000000000000000001', h.state.appId]],
      );
      // (without a details URL, what links it differs: GitHub's own page of it, or nothing)
      assert.deepEqual(
        (await forge.listStatuses(h.repo, sha)).map(({ context, state, description }) => ({ context, state, description })),
        [{ context: 'ci/unit', state: 'pending', description: 'Job triggered. BaseSHA:abc1234' }],
      );

      await forge.updateCheckRun(h.repo, id, { ...base, status: 'in_progress', title: 'Job running.', detailsUrl: 'https://ci.test/1' });
      await forge.updateCheckRun(h.repo, id, {
        ...base,
        status: 'completed',
        conclusion: 'timed_out',
        title: 'Timed out. BaseSHA:abc1234',
        summary: 'It took too long.',
        detailsUrl: 'https://ci.test/1',
      });
      const [run] = h.state.checkRuns(full, sha);
      assert.equal(h.state.checkRuns(full, sha).length, 1, 'updated in place, never a second one');
      assert.deepEqual(
        [run?.status, run?.conclusion, run?.detailsUrl, run?.output.title, run?.output.summary],
        ['completed', 'timed_out', 'https://ci.test/1', 'Timed out. BaseSHA:abc1234', 'It took too long.'],
      );
      assert.deepEqual(await forge.listStatuses(h.repo, sha), [
        { context: 'ci/unit', state: 'failure', description: 'Timed out. BaseSHA:abc1234', targetUrl: 'https://ci.test/1' },
      ]);

      assert.equal(await forge.findCheckRun(h.repo, sha, 'ci/unit', 'r000000000000000000000001'), id);
      assert.equal(await forge.findCheckRun(h.repo, sha, 'ci/unit', 'r000000000000000000000002'), undefined);
      assert.equal(await forge.findCheckRun(h.repo, sha, 'ci/lint', 'r000000000000000000000001'), undefined);
      await assert.rejects(
        forge.updateCheckRun(h.repo, 999_999_999, { ...base, status: 'queued', title: 'x' }),
        (err: Error & { status?: number }) => err.name === 'ForgeError' && err.status === 404,
      );
    });

    it('lists one result per context across statuses and check runs, the newer winning', async (t) => {
      const { forge } = h;
      if (!forge.createCheckRun || !forge.updateCheckRun) return t.skip('no Checks API');
      const sha = '8'.repeat(40);
      const check = { name: 'ci/unit', externalId: 'r000000000000000000000003', summary: 's' };
      // A status from before the switch to check runs, then the check run: the check run counts.
      await forge.setStatus(h.repo, sha, { context: 'ci/unit', state: 'failure', description: 'old BaseSHA:abc1234' });
      const id = await forge.createCheckRun(h.repo, sha, { ...check, status: 'queued', title: 'Job triggered.' });
      await forge.updateCheckRun(h.repo, id, {
        ...check,
        status: 'completed',
        conclusion: 'success',
        title: 'Job succeeded. BaseSHA:abc1234',
      });
      assert.deepEqual(
        (await forge.listStatuses(h.repo, sha)).map(({ context, state, description }) => ({ context, state, description })),
        [{ context: 'ci/unit', state: 'success', description: 'Job succeeded. BaseSHA:abc1234' }],
      );
      // And a status written after it wins in turn.
      await forge.setStatus(h.repo, sha, { context: 'ci/unit', state: 'pending', description: 'again' });
      assert.deepEqual(
        (await forge.listStatuses(h.repo, sha)).map((s) => [s.context, s.state]),
        [['ci/unit', 'pending']],
      );
    });

    it('lists the check runs of a check suite by name and external id', async (t) => {
      const { forge } = h;
      if (!forge.createCheckRun || !forge.listCheckSuiteRuns) return t.skip('no Checks API');
      const sha = '9'.repeat(40);
      await forge.createCheckRun(h.repo, sha, {
        name: 'unit',
        externalId: 'r000000000000000000000004',
        status: 'queued',
        title: 't',
        summary: 's',
      });
      await forge.createCheckRun(h.repo, sha, {
        name: 'lint',
        externalId: 'r000000000000000000000005',
        status: 'queued',
        title: 't',
        summary: 's',
      });
      const suite = h.state.checkRuns(full, sha)[0]!.checkSuiteId;
      assert.deepEqual(
        (await forge.listCheckSuiteRuns(h.repo, suite)).sort((a, b) => a.name.localeCompare(b.name)),
        [
          { name: 'lint', externalId: 'r000000000000000000000005' },
          { name: 'unit', externalId: 'r000000000000000000000004' },
        ],
      );
    });

    it('reads required contexts of a protected branch, none for an unprotected one', async () => {
      assert.deepEqual((await h.forge.requiredContexts(h.repo, 'main')).sort(), ['ci/lint', 'ci/unit']);
      assert.deepEqual(await h.forge.requiredContexts(h.repo, 'unprotected'), []);
    });

    it('lists reviews with their states', async () => {
      const reviews = await h.forge.listReviews(pr);
      const bob = reviews.find((r) => r.author === 'bob');
      assert.equal(bob?.state, 'approved');
      if (harness.reviewsKeepChangesRequested) {
        assert.equal(reviews.find((r) => r.author === 'carol')?.state, 'changes_requested');
      }
    });

    it('maps repository permissions', async () => {
      assert.equal(await h.forge.permission(h.repo, 'bob'), 'write');
      assert.equal(await h.forge.permission(h.repo, '@Bob'), 'write');
      assert.equal(await h.forge.permission(h.repo, 'carol'), 'read');
      assert.equal(await h.forge.permission(h.repo, 'mallory'), 'none');
    });

    it('checks organisation membership', async () => {
      assert.equal(await h.forge.isOrgMember(h.repo, 'bob'), true);
      assert.equal(await h.forge.isOrgMember(h.repo, 'mallory'), false);
    });

    it('checks team membership', async () => {
      // GitHub: a team slug in the repo owner's org; GitLab: a group path
      const team = h.repo.forge === 'gitlab' ? 'acme/maintainers' : 'maintainers';
      assert.equal(await h.forge.isTeamMember(h.repo, team, 'erin'), true);
      assert.equal(await h.forge.isTeamMember(h.repo, team, '@Erin'), true);
      assert.equal(await h.forge.isTeamMember(h.repo, team, 'mallory'), false);
      assert.equal(await h.forge.isTeamMember(h.repo, 'acme/maintainers', 'erin'), true); // "org/team" everywhere
      assert.equal(await h.forge.isTeamMember(h.repo, h.repo.forge === 'gitlab' ? 'acme/ghosts' : 'ghosts', 'erin'), false);
      // bob is a member of the org, not of the team: GitLab's members/all counts members of
      // ancestor groups, GitHub's team membership does not
      assert.equal(await h.forge.isTeamMember(h.repo, team, 'bob'), h.repo.forge === 'gitlab');
    });

    it('searches open changes by labels and base branch', async () => {
      const numbers = async (q: Parameters<typeof h.forge.searchChanges>[1]) =>
        (await h.forge.searchChanges(h.repo, q)).map((c) => c.ref.number).sort((a, b) => a - b);
      assert.deepEqual(await numbers({ labels: ['lgtm'] }), [8, 9]);
      assert.deepEqual(await numbers({ labels: ['lgtm', 'approved'] }), [8]);
      assert.deepEqual(await numbers({ labels: ['lgtm'], baseRef: 'release-1' }), [9]);
    });

    it('refuses to merge when the head moved, then merges with the expected sha', async () => {
      const ref = { repo: h.repo, number: 8 };
      const moved = await h.forge.merge(ref, { method: 'squash', expectedHeadSha: '9'.repeat(40) });
      assert.equal(moved.merged, false);
      assert.equal(moved.merged === false && moved.reason, 'head_moved');
      assert.equal(h.state.change(full, 8).state, 'open');
      const done = await h.forge.merge(ref, { method: 'squash', expectedHeadSha: '3'.repeat(40) });
      assert.equal(done.merged, true);
      assert.deepEqual(h.state.change(full, 8).mergedWith?.method, 'squash');
    });

    it('reports a conflict as not merged', async () => {
      h.state.addChange(full, { number: 11, headSha: '4'.repeat(40), mergeable: false });
      const result = await h.forge.merge({ repo: h.repo, number: 11 }, { method: 'merge', expectedHeadSha: '4'.repeat(40) });
      assert.equal(result.merged, false);
      assert.equal(result.merged === false && result.reason, 'conflict');
    });

    it('gives the tree hash of a commit when it can', async (t) => {
      if (!h.forge.treeHash) return t.skip('no treeHash capability');
      assert.equal(await h.forge.treeHash(h.repo, commit.sha), commit.tree);
      assert.equal(await h.forge.treeHash(h.repo, commit.sha), commit.tree, 'again, from what it keeps');
      const next = git.commit({ 'b.txt': 'b\n' });
      h.state.repo(full).trees.set(next.sha, next.tree);
      assert.equal(await h.forge.treeHash(h.repo, next.sha), next.tree);
      await assert.rejects(h.forge.treeHash(h.repo, 'f'.repeat(40)), (err: Error) => err.name === 'ForgeError');
    });
  });
}
