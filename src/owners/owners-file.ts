// One OWNERS file: parsing and validation (Prow's two YAML shapes, §3.2 of Prow's semantics).
//
//   simple form                      full (filtered) form
//   options: {...}                   options: {...}
//   approvers: [login-or-alias]      filters:
//   reviewers: [...]                   "\\.go$":            # regex on the path relative to this dir
//   required_reviewers: [...]            approvers: [...]
//   labels: [...]                        reviewers: [...]
//   emeritus_approvers: [...]            required_reviewers: [...]
//                                        labels: [...]
//
// The file is the simple form when any of approvers / reviewers / required_reviewers / labels is
// non-empty — then `filters` is ignored (a "mixed" file, as in Prow) — and the full form otherwise.
// The `.*` filter applies to every file, like the simple form.
//
// Unlike Prow, which ignores unknown keys and skips invalid filters, anything malformed is an
// OwnersFileError: bad YAML, an unknown key (top level, in options or in a filter), a non-list
// where a list is expected, a non-string or empty login, a non-boolean option, an invalid or
// unsafe filter regex (see filter-regex.ts). YAML is read with 1.1 rules, as Go's yaml does:
// `yes`/`no`/`on`/`off` are booleans (so an unquoted login `no` is an error, as in Prow).
import { parse } from 'yaml';
import { normLogin } from '../forge/types.js';
import { compileFilterPattern, FilterPatternError } from './filter-regex.js';
import { canonicalPath, parentDir } from './paths.js';

/** Logins normalized: lower-case, no leading '@'. */
export interface OwnersEntry {
  approvers: string[];
  reviewers: string[];
  requiredReviewers: string[];
  labels: string[];
}

export interface OwnersOptions {
  noParentOwners: boolean;
  autoApproveUnownedSubfolders: boolean;
}

export interface OwnersFilter {
  /** undefined = applies to every file (simple form, or the ".*" filter) */
  pattern?: RegExp;
  entry: OwnersEntry;
}

export interface OwnersFile {
  /** canonical: '' for root, no leading ./ or trailing / */
  dir: string;
  options: OwnersOptions;
  filters: OwnersFilter[];
}

export class OwnersFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'OwnersFileError';
  }
}

/** The filter key Prow stores as "applies to every file". */
export const MATCH_ALL_FILTER = '.*';

const TOP_LEVEL_KEYS = new Set(['options', 'approvers', 'reviewers', 'required_reviewers', 'labels', 'emeritus_approvers', 'filters']);
const ENTRY_KEYS = new Set(['approvers', 'reviewers', 'required_reviewers', 'labels', 'emeritus_approvers']);
const OPTION_KEYS: Record<string, keyof OwnersOptions> = {
  no_parent_owners: 'noParentOwners',
  auto_approve_unowned_subfolders: 'autoApproveUnownedSubfolders',
};

/** YAML text to a JS value with Go-yaml-like (1.1) scalars; mappings become Maps. Throws the problem. */
export function parseYaml(text: string): unknown {
  try {
    return parse(text, { version: '1.1', mapAsMap: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new Error(`invalid YAML: ${(err as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`);
  }
}

/** Describes a YAML value's type for error messages. */
export function yamlType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Map) return 'a mapping';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/**
 * A list of logins (`kind` "login") or labels: null means empty; each item must be a non-empty
 * string without whitespace. Logins are normalized and deduplicated.
 */
export function readNameList(value: unknown, where: string, kind: 'login' | 'label' | 'member'): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be a list, not ${yamlType(value)}`);
  const out = new Set<string>();
  for (const item of value) {
    if (typeof item !== 'string') {
      throw new Error(`${where}: every ${kind} must be a string, not ${yamlType(item)} (${String(item)}); quote it`);
    }
    const name = kind === 'label' ? item.trim() : normLogin(item.trim());
    if (name === '') throw new Error(`${where}: empty ${kind}`);
    if (kind !== 'label' && /\s/.test(name)) throw new Error(`${where}: ${kind} "${item}" contains whitespace`);
    out.add(name);
  }
  return [...out];
}

function readEntry(map: Map<unknown, unknown>, where: string, allowed: ReadonlySet<string>): OwnersEntry {
  for (const key of map.keys()) {
    if (typeof key !== 'string' || !allowed.has(key)) {
      throw new Error(`${where}unknown key "${String(key)}" (allowed: ${[...allowed].join(', ')})`);
    }
  }
  readNameList(map.get('emeritus_approvers'), `${where}emeritus_approvers`, 'login'); // validated, grants nothing
  return {
    approvers: readNameList(map.get('approvers'), `${where}approvers`, 'login'),
    reviewers: readNameList(map.get('reviewers'), `${where}reviewers`, 'login'),
    requiredReviewers: readNameList(map.get('required_reviewers'), `${where}required_reviewers`, 'login'),
    labels: readNameList(map.get('labels'), `${where}labels`, 'label'),
  };
}

function readOptions(value: unknown): OwnersOptions {
  const options: OwnersOptions = { noParentOwners: false, autoApproveUnownedSubfolders: false };
  if (value === null || value === undefined) return options;
  if (!(value instanceof Map)) throw new Error(`options must be a mapping, not ${yamlType(value)}`);
  for (const [key, v] of value) {
    const name = typeof key === 'string' ? OPTION_KEYS[key] : undefined;
    if (!name) {
      throw new Error(`options: unknown key "${String(key)}" (allowed: ${Object.keys(OPTION_KEYS).join(', ')})`);
    }
    if (v === null || v === undefined) continue;
    if (typeof v !== 'boolean') throw new Error(`options.${String(key)} must be true or false, not ${yamlType(v)}`);
    options[name] = v;
  }
  return options;
}

const isEmptyEntry = (e: OwnersEntry): boolean =>
  e.approvers.length === 0 && e.reviewers.length === 0 && e.requiredReviewers.length === 0 && e.labels.length === 0;

function readFilters(value: unknown): OwnersFilter[] {
  if (value === null || value === undefined) return [];
  if (!(value instanceof Map)) throw new Error(`filters must be a mapping of regex to owners, not ${yamlType(value)}`);
  const filters: OwnersFilter[] = [];
  for (const [key, body] of value) {
    if (typeof key !== 'string') throw new Error(`filters: key ${String(key)} must be a string regex; quote it`);
    const where = `filters."${key}": `;
    let entry: OwnersEntry;
    if (body === null || body === undefined) entry = { approvers: [], reviewers: [], requiredReviewers: [], labels: [] };
    else if (body instanceof Map) entry = readEntry(body, where, ENTRY_KEYS);
    else throw new Error(`${where}must be a mapping, not ${yamlType(body)}`);
    if (key === MATCH_ALL_FILTER) {
      filters.push({ entry });
      continue;
    }
    let pattern: RegExp;
    try {
      pattern = compileFilterPattern(key);
    } catch (err) {
      if (err instanceof FilterPatternError) throw new Error(`filters: bad regex "${key}": ${err.message}`);
      throw err;
    }
    filters.push({ pattern, entry });
  }
  return filters;
}

/** Parses the OWNERS file at `path` (repo-relative). Throws OwnersFileError naming the file. */
export function parseOwnersFile(path: string, text: string): OwnersFile {
  const file = canonicalPath(path);
  const dir = parentDir(file);
  try {
    const doc = parseYaml(text);
    const options: OwnersOptions = { noParentOwners: false, autoApproveUnownedSubfolders: false };
    if (doc === null || doc === undefined) return { dir, options, filters: [] };
    if (!(doc instanceof Map)) throw new Error(`expected a mapping at the top level, not ${yamlType(doc)}`);
    const simple = readEntry(doc, '', TOP_LEVEL_KEYS);
    Object.assign(options, readOptions(doc.get('options')));
    // Validated even when the simple form makes them irrelevant: a broken filter is still broken.
    const filters = readFilters(doc.get('filters'));
    return { dir, options, filters: isEmptyEntry(simple) ? filters : [{ entry: simple }] };
  } catch (err) {
    if (err instanceof OwnersFileError) throw err;
    throw new OwnersFileError(path, (err as Error).message);
  }
}
