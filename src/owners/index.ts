// Prow-compatible OWNERS resolution: parsing OWNERS / OWNERS_ALIASES, per-file owners lookups,
// approval state of a change, and a per-commit cache of a repository's OWNERS read through a forge.

export { type ApprovalState, computeApprovalState, type OwnersDirApproval } from './approval-state.js';
export { compileFilterPattern, FilterPatternError, MAX_FILTER_PATTERN_LENGTH, MAX_OPEN_QUANTIFIERS } from './filter-regex.js';
export { parseOwnersAliases } from './owners-aliases.js';
export {
  MATCH_ALL_FILTER,
  type OwnersEntry,
  type OwnersFile,
  OwnersFileError,
  type OwnersFilter,
  type OwnersOptions,
  parseOwnersFile,
} from './owners-file.js';
export { OWNERS, OWNERS_ALIASES, OwnersResolver, type OwnersSnapshot } from './owners-resolver.js';
export { canonicalPath, DEFAULT_DIR_DENYLIST, isDeniedDir, ownersFilePath, parentDir } from './paths.js';
export { type FileApprovers, RepoOwners } from './repo-owners.js';
