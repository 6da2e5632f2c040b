import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Forge, RepoRef } from '../../src/forge/types.js';
import { OwnersResolver } from '../../src/owners/index.js';
import { ForgeState } from '../fakes/forge-state.js';
import { MemoryForge } from '../fakes/memory-forge.js';

const REPO: RepoRef = { forge: 'github', owner: 'org', name: 'repo' };
const SHA1 = '1'.repeat(40);
const SHA2 = '2'.repeat(40);

/** A forge that counts its calls (and can be told to fail or to delay reads). */
function counting(inner: Forge, hooks: { beforeListTree?: () => void; readDelayMs?: number } = {}) {
  const calls: string[] = [];
  let inFlight = 0;
  const stats = { calls, maxConcurrentReads: 0 };
  const forge = new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(prop === 'readFile' ? `readFile ${String(args[1])}@${String(args[2])}` : `${String(prop)}@${String(args[1])}`);
        if (prop === 'listTree') hooks.beforeListTree?.();
        if (prop !== 'readFile') return value.apply(target, args);
        inFlight++;
        stats.maxConcurrentReads = Math.max(stats.maxConcurrentReads, inFlight);
        try {
          if (hooks.readDelayMs) await new Promise((r) => setTimeout(r, hooks.readDelayMs));
          return await value.apply(target, args);
        } finally {
          inFlight--;
        }
      };
    },
  });
  return { forge, stats };
}

function seeded(): ForgeState {
  const state = new ForgeState();
  const at = (ref: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) state.setFile('org/repo', ref, path, text);
  };
  at(SHA1, {
    OWNERS: 'approvers: [root-team]\n',
    OWNERS_ALIASES: 'aliases:\n  root-team: [alice, bob]\n',
    'src/OWNERS': 'approvers: [carol]\n',
    'src/main.go': 'package main',
    'docs/OWNERS': 'approvers: [dave]\nbogus: 1\n',
    'vendor/x/y/OWNERS': 'approvers: [vendored]\n',
    'src/NOT_OWNERS': 'approvers: [nobody]\n',
    'src/OWNERS.md': 'approvers: [nobody]\n',
  });
  // the same repo at other refs: never to be seen by a load of SHA1
  at(SHA2, { OWNERS: 'approvers: [someone-else]\n' });
  at('main', { OWNERS: 'approvers: [branch-head]\n', 'src/OWNERS': 'approvers: [branch-head]\n' });
  return state;
}

describe('OwnersResolver', () => {
  it('reads the OWNERS files and the root OWNERS_ALIASES at the given sha only', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()));
    const snap = await new OwnersResolver().load(forge, REPO, SHA1);
    assert.equal(snap.sha, SHA1);
    assert.deepEqual([...snap.owners.approvers('README.md')].sort(), ['alice', 'bob']);
    assert.deepEqual([...snap.owners.approvers('src/main.go')].sort(), ['alice', 'bob', 'carol']);
    assert.deepEqual(snap.owners.ownersDirs(), ['', 'src']);
    assert.deepEqual(
      snap.errors.map((e) => e.file),
      ['docs/OWNERS'],
    );
    assert.deepEqual(stats.calls.sort(), [
      `listTree@${SHA1}`,
      `readFile OWNERS@${SHA1}`,
      `readFile OWNERS_ALIASES@${SHA1}`,
      `readFile docs/OWNERS@${SHA1}`,
      `readFile src/OWNERS@${SHA1}`,
    ]);
  });

  it('a second load of the same sha makes zero forge calls', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()));
    const resolver = new OwnersResolver();
    const first = await resolver.load(forge, REPO, SHA1);
    const before = stats.calls.length;
    const second = await resolver.load(forge, REPO, SHA1.toUpperCase());
    assert.equal(stats.calls.length - before, 0);
    assert.equal(second, first);
  });

  it('another sha is another snapshot', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()));
    const resolver = new OwnersResolver();
    await resolver.load(forge, REPO, SHA1);
    const other = await resolver.load(forge, REPO, SHA2);
    assert.deepEqual([...other.owners.approvers('src/main.go')], ['someone-else']);
    assert.deepEqual(
      stats.calls.filter((c) => c.endsWith(SHA2)),
      [`listTree@${SHA2}`, `readFile OWNERS@${SHA2}`],
    );
  });

  it('concurrent loads of the same key share one read', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()), { readDelayMs: 5 });
    const resolver = new OwnersResolver();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => resolver.load(forge, REPO, SHA1)));
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(stats.calls.filter((x) => x.startsWith('listTree')).length, 1);
    assert.equal(stats.calls.length, 5);
  });

  it('a failed load is not cached', async () => {
    let fail = true;
    const { forge, stats } = counting(new MemoryForge(seeded()), {
      beforeListTree: () => {
        if (fail) throw new Error('forge down');
      },
    });
    const resolver = new OwnersResolver();
    await assert.rejects(resolver.load(forge, REPO, SHA1), /forge down/);
    fail = false;
    const snap = await resolver.load(forge, REPO, SHA1);
    assert.deepEqual([...snap.owners.approvers('x')].sort(), ['alice', 'bob']);
    assert.equal(stats.calls.filter((x) => x.startsWith('listTree')).length, 2);
  });

  it('evicts the least recently used snapshot beyond maxEntries', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()));
    const resolver = new OwnersResolver({ maxEntries: 2 });
    const listTrees = () => stats.calls.filter((x) => x.startsWith('listTree')).length;
    const SHA3 = '3'.repeat(40);
    await resolver.load(forge, REPO, SHA1);
    await resolver.load(forge, REPO, SHA2);
    await resolver.load(forge, REPO, SHA1); // SHA1 is now the most recent
    await resolver.load(forge, REPO, SHA3); // evicts SHA2
    assert.equal(listTrees(), 3);
    await resolver.load(forge, REPO, SHA1);
    assert.equal(listTrees(), 3);
    await resolver.load(forge, REPO, SHA2);
    assert.equal(listTrees(), 4);
  });

  it('keys by forge and repo as well as sha', async () => {
    const state = seeded();
    state.setFile('org/other', SHA1, 'OWNERS', 'approvers: [other-owner]\n');
    const one = counting(new MemoryForge(state));
    const two = counting(new MemoryForge(state));
    const resolver = new OwnersResolver();
    await resolver.load(one.forge, REPO, SHA1);
    await resolver.load(two.forge, REPO, SHA1);
    const other = await resolver.load(one.forge, { ...REPO, name: 'other' }, SHA1);
    assert.deepEqual([...other.owners.approvers('x')], ['other-owner']);
    assert.equal(one.stats.calls.filter((x) => x.startsWith('listTree')).length, 2);
    assert.equal(two.stats.calls.filter((x) => x.startsWith('listTree')).length, 1);
  });

  it('a branch name is read through every time, never cached', async () => {
    const { forge, stats } = counting(new MemoryForge(seeded()));
    const resolver = new OwnersResolver();
    const snap = await resolver.load(forge, REPO, 'main');
    await resolver.load(forge, REPO, 'main');
    assert.deepEqual([...snap.owners.approvers('src/x.go')], ['branch-head']);
    assert.equal(stats.calls.filter((x) => x.startsWith('listTree')).length, 2);
  });

  it('reads at most 16 files at a time', async () => {
    const state = new ForgeState();
    for (let i = 0; i < 100; i++) state.setFile('org/repo', SHA1, `d${i}/OWNERS`, `approvers: [u${i}]\n`);
    const { forge, stats } = counting(new MemoryForge(state), { readDelayMs: 2 });
    const snap = await new OwnersResolver().load(forge, REPO, SHA1);
    assert.equal(snap.owners.ownersDirs().length, 100);
    assert.equal(stats.calls.length, 101);
    assert.equal(stats.maxConcurrentReads, 16);
  });

  it('an empty repository has no owners', async () => {
    const { forge } = counting(new MemoryForge(new ForgeState()));
    const snap = await new OwnersResolver().load(forge, REPO, SHA1);
    assert.deepEqual([snap.owners.ownersDirs(), snap.errors], [[], []]);
  });
});
