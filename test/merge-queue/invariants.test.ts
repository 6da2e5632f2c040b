// Random pools through the World: whatever happens (bad changes, a pair that fails only together,
// flakes, pushes behind the queue's back, pushes to changes), no policy ever merges a tree that
// fails, and ours and serial always come to rest.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MergePolicy } from '../../src/merge-queue/index.js';
import { change, ok, settings, sha, World } from './fixtures.js';

/** A small deterministic PRNG (LCG), so every run replays the same pools. */
const prng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

describe('invariants over random pools', () => {
  for (const policy of ['ours', 'serial', 'tide'] as MergePolicy[]) {
    it(`${policy}: the branch never goes red${policy === 'tide' ? '' : ', and the pool settles'}`, () => {
      for (let seed = 1; seed <= 120; seed++) {
        const random = prng(seed);
        const n = 1 + Math.floor(random() * 12);
        const bad = new Set(Array.from({ length: n }, (_, i) => i + 1).filter(() => random() < 0.15));
        const pair = random() < 0.3 ? [1 + Math.floor(random() * n), 2 + Math.floor(random() * n)] : [];
        const flakeRate = random() < 0.5 ? 0.1 : 0;
        const s = settings({ policy, batchSize: 1 + Math.floor(random() * 6), maxTestsInFlight: 1 + Math.floor(random() * 4) });
        const fails = (tree: number[]) => tree.some((x) => bad.has(x)) || (pair.length === 2 && pair.every((x) => tree.includes(x)));
        const flake = prng(seed * 7);
        const world = new World(
          Array.from({ length: n }, (_, i) => change(i + 1, { contexts: [ok('ci/unit', sha(0x99))] })),
          s,
          (tree, test) => (fails(tree) || (test.id !== 'main' && flake() < flakeRate) ? 'failure' : 'success'),
        );
        let rounds = 0;
        for (; rounds < 150; rounds++) {
          const plan = world.sync();
          if (plan.actions.length === 0 && world.running.size === 0) break;
          world.finish();
          if (random() < 0.02) world.push();
          if (random() < 0.02 && world.changes.length > 0) {
            const moved = world.changes[Math.floor(random() * world.changes.length)]!;
            world.changes = world.changes.map((c) => (c === moved ? { ...c, headSha: `${c.headSha}x`, contexts: [] } : c));
          }
        }
        assert.deepEqual(world.redMerges, [], `seed ${seed}`);
        if (policy !== 'tide') assert.ok(rounds < 150, `seed ${seed}: did not settle`);
        if (policy !== 'tide' && flakeRate === 0 && pair.length === 0) {
          const stranded = world.changes.filter((c) => !bad.has(c.number) && !world.memory.blamed.some((b) => b.number === c.number));
          assert.deepEqual(
            stranded.map((c) => c.number),
            [],
            `seed ${seed}: good changes left unmerged`,
          );
        }
      }
    });
  }
});
