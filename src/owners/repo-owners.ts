// Every OWNERS file of a repository at one commit, and the per-file lookups of §3.4 of Prow's
// semantics: who approves / reviews a file, its labels, and which OWNERS directory it belongs to.
//
// build() parses every file once, expands aliases and keeps, per directory with an OWNERS file,
// only the non-empty (pattern, people) pairs of each role. Lookups are memoized so that a change
// touching thousands of files costs little more than one Map lookup per file:
//  * every directory shares the lookup state ("chain") of its nearest ancestor-or-self that has
//    an OWNERS file, so there is one chain per OWNERS directory; build() creates them all, with
//    the approval facts of every chain whose approvers need no regex;
//  * a lookup's result depends only on the chain and on which filter regexes on it match the
//    file, so a file's regexes are tested (few: only the patterned filters on its chain) to form
//    a signature, and the result is memoized per (chain, role, signature). Without patterned
//    filters the signature is constant and the lookup is a single Map hit.

import { parseOwnersAliases } from './owners-aliases.js';
import { type OwnersEntry, OwnersFileError, type OwnersOptions, parseOwnersFile } from './owners-file.js';
import { baseName, canonicalPath, isDeniedDir, OWNERS, OWNERS_ALIASES, ownersFilePath, parentDir, relativeTo } from './paths.js';

const APPROVERS = 0;
const REVIEWERS = 1;
const REQUIRED_REVIEWERS = 2;
const LABELS = 3;
type Role = typeof APPROVERS | typeof REVIEWERS | typeof REQUIRED_REVIEWERS | typeof LABELS;
const ROLES: readonly Role[] = [APPROVERS, REVIEWERS, REQUIRED_REVIEWERS, LABELS];
const ENTRY_FIELD: Record<Role, keyof OwnersEntry> = {
  [APPROVERS]: 'approvers',
  [REVIEWERS]: 'reviewers',
  [REQUIRED_REVIEWERS]: 'requiredReviewers',
  [LABELS]: 'labels',
};

interface RoleFilter {
  /** undefined: applies to every file */
  pattern: RegExp | undefined;
  /** never empty */
  people: ReadonlySet<string>;
}

interface DirOwners {
  options: Readonly<OwnersOptions>;
  /** per role; filters whose people expanded to nothing are dropped */
  roles: Record<Role, RoleFilter[]>;
}

const EMPTY: ReadonlySet<string> = new Set();
const DEFAULT_OPTIONS: Readonly<OwnersOptions> = Object.freeze({ noParentOwners: false, autoApproveUnownedSubfolders: false });

/** A directory with an OWNERS file, as met on a walk. */
interface Link {
  dir: string;
  node: DirOwners;
}

/** Lookup state shared by every directory whose nearest OWNERS is the same. */
interface Chain {
  /** directories with an OWNERS file from the nearest up to the root, the walk order */
  links: Link[];
  /** per role: the patterned filters along `links`, in walk order (signature bit i = patterned[i] matches) */
  patterned: Array<Array<{ dir: string; pattern: RegExp }>>;
  /** per role * 2 + leaf: signature -> result (created on first use) */
  memo: Array<Map<Signature, ReadonlySet<string>> | undefined>;
  /** signature of the approvers role -> the file's approval facts */
  approval: Map<Signature, FileApprovers>;
}

/** Which patterned filters match a file: a bit mask (a string of 0/1 past 30 filters). */
type Signature = number | string;

/**
 * What approval needs to know about a file. Memoized and shared by every file with the same
 * answers, so callers can group files by object identity; never mutate it.
 */
export interface FileApprovers {
  /** approverOwnersDir(file) */
  readonly ownersDir: string;
  /** approvers(file) */
  readonly approvers: ReadonlySet<string>;
  /** leafApprovers(file) */
  readonly leafApprovers: ReadonlySet<string>;
}

export class RepoOwners {
  readonly #dirs: ReadonlyMap<string, DirOwners>;
  /** directory -> its chain (shared with its nearest OWNERS directory) */
  readonly #chains = new Map<string, Chain>();

  private constructor(dirs: ReadonlyMap<string, DirOwners>) {
    this.#dirs = dirs;
  }

  /**
   * Builds from the text of every OWNERS file (any path whose base name is OWNERS) and the root
   * OWNERS_ALIASES. A file that fails to parse is reported and contributes nothing; a broken
   * OWNERS_ALIASES is reported and treated as empty. OWNERS files under denylisted directories
   * (`.git`, `_output`, `vendor/x/y`) are ignored.
   */
  static build(files: ReadonlyMap<string, string>): { owners: RepoOwners; errors: OwnersFileError[] } {
    const errors: OwnersFileError[] = [];
    const paths = [...files.keys()].map((p) => [canonicalPath(p), p] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

    let aliases = new Map<string, string[]>();
    for (const [path, original] of paths) {
      if (path !== OWNERS_ALIASES) continue;
      try {
        aliases = parseOwnersAliases(original, files.get(original)!);
      } catch (err) {
        if (!(err instanceof OwnersFileError)) throw err;
        errors.push(err);
      }
    }
    const expand = (logins: readonly string[]): Set<string> => {
      const out = new Set<string>();
      for (const login of logins) {
        const members = aliases.get(login);
        if (members) for (const m of members) out.add(m);
        else out.add(login);
      }
      return out;
    };

    const dirs = new Map<string, DirOwners>();
    for (const [path, original] of paths) {
      if (baseName(path) !== OWNERS) continue;
      const dir = parentDir(path);
      if (isDeniedDir(dir)) continue;
      let parsed;
      try {
        parsed = parseOwnersFile(original, files.get(original)!);
      } catch (err) {
        if (!(err instanceof OwnersFileError)) throw err;
        errors.push(err);
        continue;
      }
      const node: DirOwners = {
        options: Object.freeze({ ...parsed.options }),
        roles: { [APPROVERS]: [], [REVIEWERS]: [], [REQUIRED_REVIEWERS]: [], [LABELS]: [] },
      };
      for (const filter of parsed.filters) {
        for (const role of ROLES) {
          const names = filter.entry[ENTRY_FIELD[role]];
          const people = role === LABELS ? new Set(names) : expand(names);
          if (people.size === 0) continue;
          node.roles[role].push({ pattern: filter.pattern, people });
        }
      }
      // A duplicate (e.g. "a/OWNERS" and "./a/OWNERS") cannot happen in a real tree; the first wins.
      if (!dirs.has(dir)) dirs.set(dir, node);
    }
    const owners = new RepoOwners(dirs);
    owners.#precompute();
    return { owners, errors };
  }

  /** Approvers of a file: every layer up to the root or a no_parent_owners cut-off. */
  approvers(file: string): Set<string> {
    return new Set(this.approversView(file));
  }

  /** Approvers from the nearest OWNERS that names any for the file. */
  leafApprovers(file: string): Set<string> {
    return new Set(this.leafApproversView(file));
  }

  reviewers(file: string): Set<string> {
    return new Set(this.#lookup(file, REVIEWERS, false));
  }

  leafReviewers(file: string): Set<string> {
    return new Set(this.#lookup(file, REVIEWERS, true));
  }

  requiredReviewers(file: string): Set<string> {
    return new Set(this.#lookup(file, REQUIRED_REVIEWERS, false));
  }

  /** Labels of every layer (the owners-label plugin's FindLabelsForFile). */
  labels(file: string): Set<string> {
    return new Set(this.#lookup(file, LABELS, false));
  }

  /** approvers(file) without the copy: a shared, memoized set that must not be mutated. */
  approversView(file: string): ReadonlySet<string> {
    return this.approval(file).approvers;
  }

  /** leafApprovers(file) without the copy: a shared, memoized set that must not be mutated. */
  leafApproversView(file: string): ReadonlySet<string> {
    return this.approval(file).leafApprovers;
  }

  /**
   * Prow's FindApproverOwnersForFile: the deepest directory below the root whose OWNERS has
   * approvers applicable to the file (filters considered, no_parent_owners not); '' otherwise.
   */
  approverOwnersDir(file: string): string {
    return this.approval(file).ownersDir;
  }

  /** approverOwnersDir, approvers and leafApprovers of a file in one lookup (shared; do not mutate). */
  approval(file: string): FileApprovers {
    const path = canonicalPath(file);
    const chain = this.#chain(parentDir(path));
    const signature = signatureOf(chain, APPROVERS, path);
    let facts = chain.approval.get(signature);
    if (facts) return facts;
    let ownersDir = '';
    let bit = 0;
    search: for (const { dir, node } of chain.links) {
      if (dir === '') break;
      for (const f of node.roles[APPROVERS]) {
        if (!f.pattern || matched(signature, bit++)) {
          ownersDir = dir;
          break search;
        }
      }
    }
    facts = {
      ownersDir,
      approvers: walk(chain, APPROVERS, false, signature),
      leafApprovers: walk(chain, APPROVERS, true, signature),
    };
    chain.approval.set(signature, facts);
    return facts;
  }

  /** Options of the OWNERS file of a directory (all false when it has none); a frozen object. */
  options(dir: string): OwnersOptions {
    return this.#dirs.get(canonicalPath(dir))?.options ?? DEFAULT_OPTIONS;
  }

  /** path of the OWNERS file of a dir ('OWNERS' for root, 'a/b/OWNERS') */
  ownersFilePath(dir: string): string {
    return ownersFilePath(canonicalPath(dir));
  }

  /** Directories that have a (valid, not denylisted) OWNERS file, sorted. */
  ownersDirs(): string[] {
    return [...this.#dirs.keys()].sort();
  }

  /**
   * Builds the chain of every OWNERS directory (parents first, so each extends its parent's) and
   * the approval facts of those whose approvers need no regex, so that the first approval
   * computation after a build costs about as much as the next ones.
   */
  #precompute(): void {
    for (const dir of [...this.#dirs.keys()].sort()) {
      const chain = this.#chain(dir);
      if (chain.patterned[APPROVERS]!.length === 0) this.approval(dir === '' ? 'x' : `${dir}/x`);
    }
  }

  #lookup(file: string, role: Role, leaf: boolean): ReadonlySet<string> {
    const path = canonicalPath(file);
    const chain = this.#chain(parentDir(path));
    return walk(chain, role, leaf, signatureOf(chain, role, path));
  }

  #chain(dir: string): Chain {
    let chain = this.#chains.get(dir);
    if (chain) return chain;
    const node = this.#dirs.get(dir);
    if (!node) {
      chain = dir === '' ? { links: [], patterned: ROLES.map(() => []), memo: [], approval: new Map() } : this.#chain(parentDir(dir));
    } else {
      const parent = dir === '' ? undefined : this.#chain(parentDir(dir));
      chain = {
        links: [{ dir, node }, ...(parent?.links ?? [])],
        patterned: ROLES.map((role) => [
          ...node.roles[role].filter((f) => f.pattern).map((f) => ({ dir, pattern: f.pattern! })),
          ...(parent?.patterned[role] ?? []),
        ]),
        memo: [],
        approval: new Map(),
      };
    }
    this.#chains.set(dir, chain);
    return chain;
  }
}

/**
 * entriesForFile (§3.4): walk up the chain collecting the role's people from filters that apply
 * to the file (per the signature); stop (a) for a leaf lookup once something was collected,
 * (b) after the root, (c) at a no_parent_owners directory once something was collected — so a
 * no_parent_owners OWNERS whose filters do not match the file does not stop the walk.
 */
function walk(chain: Chain, role: Role, leaf: boolean, signature: Signature): ReadonlySet<string> {
  const memo = (chain.memo[role * 2 + (leaf ? 1 : 0)] ??= new Map());
  const hit = memo.get(signature);
  if (hit) return hit;
  let out: Set<string> | undefined;
  let single: ReadonlySet<string> | undefined; // the only set collected so far, not yet copied
  let bit = 0;
  for (const { node } of chain.links) {
    for (const f of node.roles[role]) {
      if (f.pattern && !matched(signature, bit++)) continue;
      if (!single && !out) {
        single = f.people;
      } else {
        if (!out) out = new Set(single);
        for (const p of f.people) out.add(p);
      }
    }
    const collected = single !== undefined || out !== undefined;
    if (leaf && collected) break;
    if (node.options.noParentOwners && collected) break;
  }
  const result = out ?? single ?? EMPTY;
  memo.set(signature, result);
  return result;
}

/** Tests the role's patterned filters on the file's chain against the file. */
function signatureOf(chain: Chain, role: Role, path: string): Signature {
  const filters = chain.patterned[role]!;
  if (filters.length === 0) return 0;
  if (filters.length > 30) {
    return filters.map(({ dir, pattern }) => (pattern.test(relativeTo(dir, path)) ? '1' : '0')).join('');
  }
  let signature = 0;
  for (let i = 0; i < filters.length; i++) {
    const { dir, pattern } = filters[i]!;
    if (pattern.test(relativeTo(dir, path))) signature |= 1 << i;
  }
  return signature;
}

const matched = (signature: Signature, bit: number): boolean =>
  typeof signature === 'number' ? (signature & (1 << bit)) !== 0 : signature[bit] === '1';
