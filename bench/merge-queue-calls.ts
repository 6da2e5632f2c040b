// Counts the forge API calls of merge-queue syncs, through the real GitHub and GitLab adapters over
// their HTTP fakes: a pool of N approved candidates whose own results are stale (so the queue must
// test them), synced again and again while nothing changes, as the sync loop does every period.
// Prints calls per sync, not timings.
import { pino } from 'pino';
import { presubmitSchema } from '../src/config/jobs-schema.js';
import { repoMergeQueueSchema } from '../src/config/merge-queue-schema.js';
import { repoEntrySchema } from '../src/config/schema.js';
import { MemoryPoolStore } from '../src/merge-queue/memory-pool-store.js';
import { syncPool } from '../src/merge-queue/sync-pool.js';
import { OwnersResolver } from '../src/owners/index.js';
import { githubHarness } from '../test/fakes/github-harness.js';
import { gitlabHarness } from '../test/fakes/gitlab-harness.js';
import { RecordingCi } from '../test/fakes/recording-ci.js';

const CANDIDATES = Number(process.argv[2] ?? 20);
const SYNCS = 10;
const FULL = 'acme/widgets';
const BASE = 'e'.repeat(40);
const STALE = 'f'.repeat(40);

for (const harness of [githubHarness, gitlabHarness]) {
  const h = await harness.start();
  h.state.setBranch(FULL, 'main', BASE);
  h.state.setFile(FULL, BASE, 'OWNERS', 'approvers:\n- carol\n');
  for (let n = 1; n <= CANDIDATES; n++) {
    const headSha = n.toString(16).padStart(40, 'a');
    h.state.addChange(FULL, { number: n, headSha, author: 'alice', labels: ['lgtm', 'approved'], files: [`dir${n}/a.ts`] });
    h.state.addComment(FULL, n, 'carol', '/approve');
    h.state.setStatus(FULL, headSha, { context: 'unit', state: 'success', description: `Job succeeded. BaseSHA:${STALE}` });
  }
  const entry = repoEntrySchema.parse({ plugins: [] });
  const unit = presubmitSchema.parse({ name: 'unit', runner: 'hook', always_run: true });
  const config = {
    ...entry,
    replyToUnknownCommands: false,
    presubmits: [unit],
    postsubmits: [],
    mergeQueue: repoMergeQueueSchema.parse({ max_tests_in_flight: 1 }),
  };
  const deps = {
    forge: h.forge,
    owners: new OwnersResolver(),
    ci: new RecordingCi(),
    store: new MemoryPoolStore(),
    repo: h.repo,
    branch: 'main',
    config,
    log: pino({ level: 'silent' }),
    now: () => Date.now(),
  };
  const perSync: number[] = [];
  for (let i = 0; i < SYNCS; i++) {
    const before = h.state.calls.length;
    await syncPool(deps);
    perSync.push(h.state.calls.length - before);
  }
  const last = h.state.calls.slice(-perSync.at(-1)!);
  const reads = last.filter((c) => c.method === 'GET').length;
  const kinds = new Map<string, number>();
  for (const c of last) {
    const k = `${c.method} ${c.path.replace(/[0-9a-f]{40}/g, 'SHA').replace(/\d+/g, 'N')}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  console.log(`\n${harness.name}: ${CANDIDATES} candidates, ${SYNCS} syncs with nothing changing`);
  console.log(`  calls per sync: ${perSync.join(', ')}`);
  console.log(`  the last sync: ${perSync.at(-1)} calls (${reads} reads); at one sync a minute, ${perSync.at(-1)! * 60} an hour`);
  for (const [k, n] of kinds) console.log(`    ${n} × ${k}`);
  await h.close();
}
