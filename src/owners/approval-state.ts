// Which OWNERS directories a change needs approval from, which of them are approved, and whom to
// suggest for the rest (§3.5 steps 1-7 and §3.7 of Prow's semantics).
//
//  1. d(file) = approverOwnersDir(file).
//  2. Files exempt by auto_approve_unowned_subfolders are dropped: d(file) has the option and the
//     file lies in a strict subdirectory of d(file). Because d(file) is the deepest directory with
//     approvers for the file, that subdirectory has no approvers of its own. (Prow tests whether
//     the file's grandparent path contains d(file) as a substring; we port the intent. The two
//     agree except for a root OWNERS with the option, where Prow also exempts files directly in
//     the root; here root files still need approval, files in unowned subfolders do not.)
//  3. OwnersSet = distinct d(file).
//  4. Collapse: a directory is dropped when an ancestor is in the set, unless a no_parent_owners
//     directory (itself or one in between) is reached first.
//  5. A file is approved when a current approver is in approvers(file) (every layer).
//  6-7. A directory of the collapsed set is approved when every file attributed to it is; the
//     change is approved when it has files and every directory is. Files whose d(file) was
//     collapsed away are attributed to the directory that absorbed it and are still checked
//     file by file (Prow checks the absorbing directory's approvers only, which a filter on that
//     directory's OWNERS could make too lenient for the absorbed files).
//
// Suggestions (§3.7): candidates are the leaf approvers of the unapproved files, shuffled with a
// PRNG seeded by `seed` (the PR number); a greedy cover repeatedly picks the candidate who can
// approve the most still-uncovered groups, where a group is the unapproved files of one directory
// sharing one approver set (one group per directory without filters; one per filter otherwise, so
// every unapproved file ends up covered). The result is sorted.

import { seededRandom } from '../core/seeded-random.js';
import { normLogin } from '../forge/types.js';
import { canonicalPath, parentDir } from './paths.js';
import type { FileApprovers, RepoOwners } from './repo-owners.js';

export interface OwnersDirApproval {
  dir: string;
  ownersFile: string;
  approved: boolean;
  /** current approvers who approve files of this dir, sorted */
  approvedBy: string[];
  files: string[];
}

export interface ApprovalState {
  filesApproved: boolean;
  /** the collapsed OwnersSet, sorted by dir */
  dirs: OwnersDirApproval[];
  /** greedy cover, sorted, lower-case */
  suggested: string[];
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function computeApprovalState(
  owners: RepoOwners,
  changedFiles: string[],
  approvers: Iterable<string>,
  options: { seed?: number } = {},
): ApprovalState {
  if (changedFiles.length === 0) return { filesApproved: false, dirs: [], suggested: [] };
  const current = new Set<string>();
  for (const a of approvers) {
    const login = normLogin(a);
    if (login !== '') current.add(login);
  }

  // Step 1: the approval facts of each file. RepoOwners shares one object among all files with
  // the same answers, so files are grouped by it and the rest works per group, not per file.
  // (A file listed twice lands twice in the same group; the sorted lists are deduplicated below.)
  const byFacts = new Map<FileApprovers, string[]>();
  for (const raw of changedFiles) {
    const file = canonicalPath(raw);
    const facts = owners.approval(file);
    const list = byFacts.get(facts);
    if (list) list.push(file);
    else byFacts.set(facts, [file]);
  }

  // Steps 2-3: drop auto-approved files; OwnersSet = the owners dirs of what remains.
  const groupsByDir = new Map<string, Group[]>();
  for (const [facts, allFiles] of byFacts) {
    const d = facts.ownersDir;
    const files = owners.options(d).autoApproveUnownedSubfolders ? allFiles.filter((file) => directlyIn(file, d)) : allFiles;
    if (files.length === 0) continue;
    const list = groupsByDir.get(d);
    if (list) list.push({ facts, files });
    else groupsByDir.set(d, [{ facts, files }]);
  }

  // Step 4: collapse; `into` maps every directory of the set to the kept one that absorbs it.
  const into = new Map<string, string>();
  const keptFor = (dir: string): string => {
    const known = into.get(dir);
    if (known !== undefined) return known;
    let result = dir;
    for (let p = dir; p !== '' && !owners.options(p).noParentOwners; ) {
      p = parentDir(p);
      if (groupsByDir.has(p)) {
        result = keptFor(p);
        break;
      }
    }
    into.set(dir, result);
    return result;
  };
  const groupsByKept = new Map<string, Group[]>();
  for (const [dir, groups] of groupsByDir) {
    const kept = keptFor(dir);
    const list = groupsByKept.get(kept);
    if (list) list.push(...groups);
    else groupsByKept.set(kept, [...groups]);
  }

  // Steps 5-6: a group of files is approved when a current approver may approve them.
  const dirs: OwnersDirApproval[] = [];
  const unapproved: Unapproved[] = [];
  for (const dir of [...groupsByKept.keys()].sort(byString)) {
    const groups = groupsByKept.get(dir)!;
    const approvedBy = new Set<string>();
    let approved = true;
    const files: string[] = [];
    for (const { facts, files: groupFiles } of groups) {
      let any = false;
      const [small, large] = facts.approvers.size < current.size ? [facts.approvers, current] : [current, facts.approvers];
      for (const login of small) {
        if (large.has(login)) {
          approvedBy.add(login);
          any = true;
        }
      }
      if (!any) {
        approved = false;
        unapproved.push({ dir, facts });
      }
      for (const f of groupFiles) files.push(f);
    }
    dirs.push({
      dir,
      ownersFile: owners.ownersFilePath(dir),
      approved,
      approvedBy: [...approvedBy].sort(byString),
      files: sortedUnique(files),
    });
  }

  return {
    filesApproved: unapproved.length === 0,
    dirs,
    suggested: suggestApprovers(unapproved, options.seed ?? 0),
  };
}

/** Files of one approval-facts object that survive the auto-approve exemption. */
interface Group {
  facts: FileApprovers;
  files: string[];
}
/** A group of unapproved files, under the collapsed directory it counts for. */
interface Unapproved {
  dir: string;
  facts: FileApprovers;
}

/** Whether a canonical file path lies directly in `dir` (not in a subdirectory of it). */
function directlyIn(file: string, dir: string): boolean {
  return file.lastIndexOf('/') === (dir === '' ? -1 : dir.length);
}

/** Sorts (in place) and drops repeats. */
function sortedUnique(items: string[]): string[] {
  items.sort();
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    if (i === 0 || items[i] !== items[n - 1]) items[n++] = items[i]!;
  }
  items.length = n;
  return items;
}

/** §3.7 greedy cover over the unapproved groups. */
function suggestApprovers(unapproved: readonly Unapproved[], seed: number): string[] {
  if (unapproved.length === 0) return [];
  // Candidates: leaf approvers of the unapproved files.
  const pool = new Set<string>();
  const leafSeen = new Set<ReadonlySet<string>>();
  for (const { facts } of unapproved) {
    if (leafSeen.has(facts.leafApprovers)) continue;
    leafSeen.add(facts.leafApprovers);
    for (const login of facts.leafApprovers) pool.add(login);
  }
  // Groups to cover: one per (directory, approver set).
  const seen = new Map<string, Set<ReadonlySet<string>>>();
  const members: string[][] = []; // per group: the candidates who can approve it
  for (const { dir, facts } of unapproved) {
    let sets = seen.get(dir);
    if (!sets) seen.set(dir, (sets = new Set()));
    if (sets.has(facts.approvers)) continue;
    sets.add(facts.approvers);
    const logins: string[] = [];
    for (const login of facts.approvers) if (pool.has(login)) logins.push(login);
    members.push(logins);
  }
  const candidates = shuffle([...pool].sort(byString), seed);
  const groupsOf = new Map<string, number[]>(candidates.map((c) => [c, []]));
  members.forEach((logins, g) => {
    for (const login of logins) groupsOf.get(login)!.push(g);
  });
  const gain = new Map<string, number>(candidates.map((c) => [c, groupsOf.get(c)!.length]));
  const covered = new Array<boolean>(members.length).fill(false);
  const chosen: string[] = [];
  for (;;) {
    let best: string | undefined;
    let bestGain = 0;
    for (const c of candidates) {
      const g = gain.get(c)!;
      if (g > bestGain) {
        best = c;
        bestGain = g;
      }
    }
    if (best === undefined) break;
    chosen.push(best);
    gain.set(best, 0);
    for (const g of groupsOf.get(best)!) {
      if (covered[g]) continue;
      covered[g] = true;
      for (const login of members[g]!) gain.set(login, gain.get(login)! - 1);
    }
  }
  return chosen.sort(byString);
}

/** Fisher-Yates with a seeded generator: a deterministic order for a given seed. */
function shuffle<T>(items: T[], seed: number): T[] {
  const random = seededRandom(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
