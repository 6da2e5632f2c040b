// The queue's approval verdicts, remembered between syncs. Deriving approval reads a change's
// comments, reviews and files (three or four forge calls), and every sync asks it of every
// candidate: at a 60 s period that alone would spend most of a GitHub installation's hourly budget
// on a pool of twenty. A verdict depends only on the change's head, its discussion (forges bump a
// change's `updated_at` on every comment, review and approval), the base branch's OWNERS and the
// approve settings, so it is kept while those stay the same, and for at most APPROVAL_TTL_MS in
// case a forge did not bump `updated_at`.
import { type Change, type Forge, repoFullName } from '../forge/types.js';

/** How long a verdict is trusted while nothing it depends on has visibly changed. */
export const APPROVAL_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 2000;

interface Entry {
  verdict: Promise<boolean>;
  until: number;
}

/** Per Forge instance (one per GitHub installation, one for GitLab), like the forge's read cache. */
const caches = new WeakMap<Forge, Map<string, Entry>>();

/**
 * `derive()`'s verdict for this change on this base, from memory when it was derived since the
 * change last moved. A change whose forge gives no `updatedAt` is derived every time.
 */
export function cachedApproval(
  forge: Forge,
  change: Change,
  baseSha: string,
  settings: unknown,
  now: number,
  derive: () => Promise<boolean>,
): Promise<boolean> {
  if (change.updatedAt === undefined) return derive();
  let cache = caches.get(forge);
  if (!cache) caches.set(forge, (cache = new Map()));
  const key = [
    repoFullName(change.ref.repo).toLowerCase(),
    change.ref.number,
    change.headSha,
    change.updatedAt,
    baseSha,
    JSON.stringify(settings),
  ].join('|');
  const found = cache.get(key);
  if (found && found.until > now) return found.verdict;
  const verdict = derive();
  const entry = { verdict, until: now + APPROVAL_TTL_MS };
  verdict.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  cache.delete(key);
  cache.set(key, entry);
  while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return verdict;
}
