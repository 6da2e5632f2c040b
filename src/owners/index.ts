// Prow-compatible OWNERS resolution: parsing OWNERS / OWNERS_ALIASES, per-file owners lookups,
// approval state of a change, and a per-commit cache of a repository's OWNERS read through a forge.
export {
  MATCH_ALL_FILTER, OwnersFileError, parseOwnersFile,
  type OwnersEntry, type OwnersFile, type OwnersFilter, type OwnersOptions,
} from './owners-file.js';
export { parseOwnersAliases } from './owners-aliases.js';
export { RepoOwners, type FileApprovers } from './repo-owners.js';
export { computeApprovalState, type ApprovalState, type OwnersDirApproval } from './approval-state.js';
export { OWNERS, OWNERS_ALIASES, OwnersResolver, type OwnersSnapshot } from './owners-resolver.js';
export {
  FilterPatternError, MAX_FILTER_PATTERN_LENGTH, MAX_OPEN_QUANTIFIERS, compileFilterPattern,
} from './filter-regex.js';
export { DEFAULT_DIR_DENYLIST, canonicalPath, isDeniedDir, ownersFilePath, parentDir } from './paths.js';
