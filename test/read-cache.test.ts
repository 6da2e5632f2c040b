import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BRANCH_HEAD_TTL_MS,
  branchHead,
  changedFiles,
  DEFAULT_BRANCH_TTL_MS,
  defaultBranch,
  rememberBranchHead,
} from '../src/forge/read-cache.js';
import { ForgeState } from './fakes/forge-state.js';
import { MemoryForge } from './fakes/memory-forge.js';

const REPO = { forge: 'github' as const, owner: 'acme', name: 'widgets' };

function counting() {
  const state = new ForgeState();
  const forge = new MemoryForge(state);
  const counts = { files: 0, branch: 0 };
  const listChangedFiles = forge.listChangedFiles.bind(forge);
  const branchSha = forge.branchSha.bind(forge);
  forge.listChangedFiles = (ref) => {
    counts.files++;
    return listChangedFiles(ref);
  };
  forge.branchSha = (repo, branch) => {
    counts.branch++;
    return branchSha(repo, branch);
  };
  return { state, forge, counts };
}

describe('read cache', () => {
  it("reads a change's files once per head and base", async () => {
    const { state, forge, counts } = counting();
    state.addChange('acme/widgets', { number: 7, files: ['a.ts'] });
    const change = await forge.getChange({ repo: REPO, number: 7 });
    assert.deepEqual(await changedFiles(forge, change), ['a.ts']);
    assert.deepEqual(await changedFiles(forge, change), ['a.ts']);
    assert.equal(counts.files, 1);
    state.change('acme/widgets', 7).files = ['a.ts', 'b.ts'];
    assert.deepEqual(await changedFiles(forge, { ...change, headSha: '9'.repeat(40) }), ['a.ts', 'b.ts']);
    assert.equal(counts.files, 2);
  });

  it('keeps a branch head for a while, and takes pushes as the truth', async () => {
    const { state, forge, counts } = counting();
    state.setBranch('acme/widgets', 'main', '1'.repeat(40));
    const now = Date.now();
    assert.equal(await branchHead(forge, REPO, 'main', now), '1'.repeat(40));
    state.setBranch('acme/widgets', 'main', '2'.repeat(40));
    assert.equal(await branchHead(forge, REPO, 'main', now + 1000), '1'.repeat(40));
    rememberBranchHead(forge, REPO, 'main', '3'.repeat(40), now + 2000);
    assert.equal(await branchHead(forge, REPO, 'main', now + 3000), '3'.repeat(40));
    assert.equal(await branchHead(forge, REPO, 'main', now + 3000 + BRANCH_HEAD_TTL_MS), '2'.repeat(40));
    assert.equal(counts.branch, 2);
  });

  it('keeps nothing between forges', async () => {
    const a = counting();
    const b = counting();
    a.state.setBranch('acme/widgets', 'main', '1'.repeat(40));
    b.state.setBranch('acme/widgets', 'main', '2'.repeat(40));
    assert.equal(await branchHead(a.forge, REPO, 'main'), '1'.repeat(40));
    assert.equal(await branchHead(b.forge, REPO, 'main'), '2'.repeat(40));
  });

  it("keeps a repository's default branch for a few minutes", async () => {
    const { state, forge } = counting();
    let asked = 0;
    const read = forge.defaultBranch.bind(forge);
    forge.defaultBranch = (repo) => {
      asked++;
      return read(repo);
    };
    const now = Date.now();
    assert.equal(await defaultBranch(forge, REPO, now), 'main');
    state.repo('acme/widgets').defaultBranch = 'trunk';
    assert.equal(await defaultBranch(forge, REPO, now + 1000), 'main');
    assert.equal(asked, 1);
    assert.equal(await defaultBranch(forge, REPO, now + DEFAULT_BRANCH_TTL_MS + 1), 'trunk');
    assert.equal(asked, 2);
  });
});
