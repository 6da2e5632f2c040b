// OWNERS approval benchmark (prints figures; not a test).
//
//   node --import tsx bench/owners-approval.ts [--owners 2000] [--files 5000] [--runs 50] [--warmup 10] [--seed 1]
//
// Builds a synthetic repository — OWNERS files in a tree 1-5 directories deep, some with filters,
// some with no_parent_owners or auto_approve_unowned_subfolders, approvers drawn from logins and
// OWNERS_ALIASES aliases — and a change touching many files across it, then reports:
//   build      RepoOwners.build over every OWNERS text (parse + alias expansion)
//   approval   computeApprovalState with RepoOwners already built: the first call (empty
//              per-directory memo, unoptimized code), then --warmup calls for the JIT, then the
//              median / p95 of --runs calls (the target is <= 50 ms for 5,000 files over 2,000
//              OWNERS files); the measured runs alternate between two approver sets
//   resolver   forge calls of a cold OwnersResolver.load through the in-memory forge (one
//              listTree plus one readFile per OWNERS file and the aliases file) and of a warm one
import minimist from 'minimist';
import { seededRandom } from '../src/core/seeded-random.js';
import type { Forge, RepoRef } from '../src/forge/types.js';
import { computeApprovalState, OwnersResolver, RepoOwners } from '../src/owners/index.js';
import { ForgeState } from '../test/fakes/forge-state.js';
import { MemoryForge } from '../test/fakes/memory-forge.js';

const args = minimist(process.argv.slice(2), { default: { owners: 2000, files: 5000, runs: 50, warmup: 10, seed: 1 } });
const OWNERS_COUNT = Number(args.owners);
const FILE_COUNT = Number(args.files);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const TARGET_MS = 50;

// ---------------------------------------------------------------------------------------------
// a deterministic synthetic repository

const random = seededRandom(Number(args.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const users = Array.from({ length: 800 }, (_, i) => `user-${i}`);
const aliasNames = Array.from({ length: 120 }, (_, i) => `team-${i}`);

// Directories: 24 top-level ones, then children under random parents up to depth 5.
const dirs: string[] = Array.from({ length: 24 }, (_, i) => `top${i}`);
const depth = (d: string) => d.split('/').length;
while (dirs.length < Math.round(OWNERS_COUNT * 1.8)) {
  const parent = pick(dirs);
  if (depth(parent) >= 5) continue;
  dirs.push(`${parent}/m${dirs.length}`);
}
// OWNERS in the root and in OWNERS_COUNT - 1 of the directories, shallow ones first so the tree
// has owners at every level.
const ownedDirs = ['', ...[...dirs].sort((a, b) => depth(a) - depth(b) || (random() < 0.5 ? -1 : 1)).slice(0, OWNERS_COUNT - 1)];

const people = (n: number): string[] => Array.from({ length: n }, () => (random() < 0.3 ? pick(aliasNames) : pick(users)));
const list = (xs: string[]) => `[${[...new Set(xs)].join(', ')}]`;
const texts = new Map<string, string>();
let filtered = 0;
let noParent = 0;
let autoApprove = 0;
for (const dir of ownedDirs) {
  const path = dir === '' ? 'OWNERS' : `${dir}/OWNERS`;
  const lines: string[] = [];
  const r = random();
  if (dir !== '' && r < 0.03) {
    lines.push('options:', '  no_parent_owners: true');
    noParent++;
  } else if (dir !== '' && r < 0.05) {
    lines.push('options:', '  auto_approve_unowned_subfolders: true');
    autoApprove++;
  }
  if (dir !== '' && random() < 0.08) {
    filtered++;
    lines.push(
      'filters:',
      '  "\\\\.go$":',
      `    approvers: ${list(people(2))}`,
      '  "\\\\.md$":',
      `    approvers: ${list(people(2))}`,
      '    labels: [kind/docs]',
      '  ".*":',
      `    reviewers: ${list(people(3))}`,
    );
  } else {
    lines.push(`approvers: ${list(people(dir === '' ? 4 : 2 + Math.floor(random() * 3)))}`);
    lines.push(`reviewers: ${list(people(3))}`);
    if (random() < 0.2) lines.push(`labels: [area/${dir.split('/')[0] || 'root'}]`);
    if (random() < 0.1) lines.push(`emeritus_approvers: ${list(people(1))}`);
  }
  texts.set(path, `${lines.join('\n')}\n`);
}
texts.set(
  'OWNERS_ALIASES',
  `aliases:\n${aliasNames.map((a) => `  ${a}:\n${Array.from({ length: 3 + Math.floor(random() * 6) }, () => `    - ${pick(users)}`).join('\n')}`).join('\n')}\n`,
);

// The change: files in existing directories and in new unowned subfolders.
const exts = ['.go', '.go', '.go', '.md', '.yaml', '.txt'];
const changed = new Set<string>();
while (changed.size < FILE_COUNT) {
  const dir = pick(dirs);
  const sub = random() < 0.1 ? `/new${Math.floor(random() * 5)}` : '';
  changed.add(`${dir}${sub}/f${Math.floor(random() * 50)}${pick(exts)}`);
}
const changedFiles = [...changed];

// ---------------------------------------------------------------------------------------------
// measurements

const ms = (t0: number) => performance.now() - t0;
const fmt = (x: number) => `${x.toFixed(2)} ms`;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

console.log(
  `synthetic repo: ${texts.size - 1} OWNERS files (${filtered} filtered, ${noParent} no_parent_owners, ` +
    `${autoApprove} auto_approve_unowned_subfolders), ${aliasNames.length} aliases, ${dirs.length} directories; ` +
    `change of ${changedFiles.length} files`,
);

const buildTimes: number[] = [];
let built!: ReturnType<typeof RepoOwners.build>;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  built = RepoOwners.build(texts);
  buildTimes.push(ms(t0));
}
if (built.errors.length > 0) throw new Error(`unexpected errors: ${built.errors.map((e) => e.message).join('; ')}`);
console.log(`build:    first ${fmt(buildTimes[0]!)}, median of 5 ${fmt(quantile(buildTimes, 0.5))}`);

const owners = built.owners;
const currentApprovers = [...users.slice(0, 40), 'team-3', 'USER-41'];
let t0 = performance.now();
const first = computeApprovalState(owners, changedFiles, currentApprovers, { seed: 1234 });
const firstMs = ms(t0);
const otherApprovers = [...users.slice(100, 110)];
for (let i = 0; i < WARMUP; i++) computeApprovalState(owners, changedFiles, i % 2 ? otherApprovers : currentApprovers, { seed: i });
const times: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const who = i % 2 ? otherApprovers : currentApprovers;
  t0 = performance.now();
  computeApprovalState(owners, changedFiles, who, { seed: 1234 + i });
  times.push(ms(t0));
}
const median = quantile(times, 0.5);
const p95 = quantile(times, 0.95);
const unapproved = first.dirs.filter((d) => !d.approved).length;
console.log(
  `approval: ${first.dirs.length} owners dirs after collapse, ${unapproved} unapproved, ` +
    `${first.suggested.length} suggested approvers, filesApproved=${first.filesApproved}`,
);
console.log(
  `approval: first call (cold memo, cold JIT) ${fmt(firstMs)}; after ${WARMUP} warm-up calls, ${RUNS} runs: ` +
    `median ${fmt(median)}, p95 ${fmt(p95)}, max ${fmt(Math.max(...times))} ` +
    `(target <= ${TARGET_MS} ms: ${p95 <= TARGET_MS ? 'met' : 'MISSED'})`,
);
const fresh = RepoOwners.build(texts).owners;
t0 = performance.now();
computeApprovalState(fresh, changedFiles, currentApprovers, { seed: 1234 });
console.log(`approval: first call on a freshly built RepoOwners (memo as build() leaves it, warm JIT) ${fmt(ms(t0))}`);
const withSuggested = computeApprovalState(owners, changedFiles, [...currentApprovers, ...first.suggested]);
console.log(`approval: with the suggested approvers added, filesApproved=${withSuggested.filesApproved}`);

// Resolver: the repository in the in-memory forge at one sha, with ordinary files around the OWNERS.
const forgeState = new ForgeState();
const SHA = 'a'.repeat(40);
for (const [path, text] of texts) forgeState.setFile('bench/repo', SHA, path, text);
for (const dir of dirs) for (let i = 0; i < 8; i++) forgeState.setFile('bench/repo', SHA, `${dir}/f${i}.go`, 'package x');
const calls = { listTree: 0, readFile: 0 };
const inner = new MemoryForge(forgeState);
const forge = new Proxy(inner, {
  get(target, prop) {
    const value = Reflect.get(target, prop, target) as unknown;
    if (typeof value !== 'function') return value;
    return (...a: unknown[]) => {
      if (prop === 'listTree' || prop === 'readFile') calls[prop]++;
      return value.apply(target, a);
    };
  },
}) as Forge;
const repo: RepoRef = { forge: 'github', owner: 'bench', name: 'repo' };
const resolver = new OwnersResolver();
t0 = performance.now();
const cold = await resolver.load(forge, repo, SHA);
const coldMs = ms(t0);
const coldCalls = { ...calls };
t0 = performance.now();
await resolver.load(forge, repo, SHA);
const warmMs = ms(t0);
console.log(
  `resolver: tree of ${forgeState.tree('bench/repo', SHA).size} files; cold load ${fmt(coldMs)}, ` +
    `${coldCalls.listTree} listTree + ${coldCalls.readFile} readFile = ${coldCalls.listTree + coldCalls.readFile} forge calls ` +
    `(${cold.owners.ownersDirs().length} OWNERS dirs, ${cold.errors.length} errors)`,
);
console.log(`resolver: warm load ${fmt(warmMs)}, ${calls.listTree + calls.readFile - coldCalls.listTree - coldCalls.readFile} forge calls`);
