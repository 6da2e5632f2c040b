// Merge-queue simulator ("mqsim"): one seeded trace of
// ready PRs per scenario, replayed through the real engine (src/merge-queue/plan.ts) under each
// policy, on a fake clock with a fake forge and C fake CI runners. Prints one table per scenario
// and the §4.4 bounds. Not a test: it never fails on a poor figure (bench/README.md explains the model).
//
//   node --import tsx bench/merge-queue-sim.ts [--scenario S2[,S3]] [--policy ours] [--seed 1] [--days 7]
//                                              [--warmup 1] [--batch 8] [--json]
import minimist from 'minimist';
import { planPool, recordMerge } from '../src/merge-queue/plan.js';
import type { MergePolicy } from '../src/merge-queue/types.js';
import { boundsLine, type Row, scenarioLine, table } from './merge-queue-sim/report.js';
import { SCENARIOS } from './merge-queue-sim/scenarios.js';
import { type Engine, simulate } from './merge-queue-sim/simulate.js';

const args = minimist(process.argv.slice(2), {
  string: ['scenario', 'policy'],
  boolean: ['json'],
  default: { scenario: 'S1,S2,S3,S6', policy: 'serial,tide,ours', seed: 1, days: 7, warmup: 1, batch: 8 },
});
const scenarioNames = String(args.scenario)
  .split(',')
  .map((s) => s.trim().toUpperCase())
  .filter(Boolean);
const policies = String(args.policy)
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean) as MergePolicy[];
const seed = Number(args.seed);
const days = Number(args.days);
const warmupDays = Number(args.warmup);
const batchSize = Number(args.batch);

for (const name of scenarioNames)
  if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name} (known: ${Object.keys(SCENARIOS).join(', ')})`);
for (const p of policies) if (!['serial', 'tide', 'ours'].includes(p)) throw new Error(`unknown policy ${p}`);
if (!(days > warmupDays) || !(batchSize >= 1) || !Number.isFinite(seed))
  throw new Error('need --days > --warmup, --batch >= 1 and a numeric --seed');

// The engine, timed: the wall time of a run is mostly planPool's once the pool holds hundreds of PRs.
let engineMs = 0;
const engine: Engine = {
  planPool: (snapshot, memory, settings) => {
    const t0 = performance.now();
    try {
      return planPool(snapshot, memory, settings);
    } finally {
      engineMs += performance.now() - t0;
    }
  },
  recordMerge,
};
const all: Row[] = [];
const started = performance.now();
for (const name of scenarioNames) {
  const scenario = SCENARIOS[name]!;
  const rows: Row[] = [];
  for (const policy of policies) {
    const t0 = performance.now();
    const engineBefore = engineMs;
    const result = simulate({ scenario, policy, seed, days, warmupDays, batchSize, engine });
    rows.push({ ...result, wallMs: performance.now() - t0, engineMs: engineMs - engineBefore });
  }
  all.push(...rows);
  if (!args.json) {
    console.log(`\n${scenarioLine(scenario, batchSize, days, warmupDays, seed)}`);
    console.log(boundsLine(scenario, batchSize, rows));
    console.log(table(rows));
    for (const r of rows) {
      if (r.anomalies > 0) console.log(`  ${r.policy}: ${r.anomalies} executor anomalies, e.g. ${r.anomalyExamples.join('; ')}`);
      if (r.brokenMain > 0 && r.policy !== 'serial') console.log(`  ${r.policy}: BROKEN MAIN ${r.brokenMain} times (must be 0)`);
    }
  }
}
const wallMs = performance.now() - started;
if (args.json) console.log(JSON.stringify({ seed, days, warmupDays, batchSize, wallMs, engineMs, results: all }));
else
  console.log(
    `\nwall time: ${(wallMs / 1000).toFixed(2)} s for ${all.length} runs, of which ${(engineMs / 1000).toFixed(2)} s in planPool`,
  );
