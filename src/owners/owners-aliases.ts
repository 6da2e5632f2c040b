// The root OWNERS_ALIASES file (§3.3 of Prow's semantics):
//
//   aliases:
//     team-a:
//       - alice
//       - bob
//     team-b: {carol, dave}     # flow-mapping form: the keys are the members
//     empty-team:               # null: an empty alias
//
// Alias names and members are normalized like logins. Expansion (done by RepoOwners) is one level
// deep: a member is always a login, never another alias, so a member that names an alias is
// reported here ("nested alias") instead of being silently treated as a login nobody has.
//
// Any problem makes the whole file an error; RepoOwners then treats the aliases as empty (Prow
// keeps an unpredictable subset) and reports the error.

import { normLogin } from '../forge/types.js';
import { OwnersFileError, parseYaml, readNameList, yamlType } from './owners-file.js';

/** Parses OWNERS_ALIASES: alias name -> members (normalized). Throws OwnersFileError naming the file. */
export function parseOwnersAliases(path: string, text: string): Map<string, string[]> {
  try {
    const aliases = new Map<string, string[]>();
    const doc = parseYaml(text);
    if (doc === null || doc === undefined) return aliases;
    if (!(doc instanceof Map)) throw new Error(`expected a mapping at the top level, not ${yamlType(doc)}`);
    for (const key of doc.keys()) {
      if (key !== 'aliases') throw new Error(`unknown key "${String(key)}" (allowed: aliases)`);
    }
    const groups = doc.get('aliases');
    if (groups === null || groups === undefined) return aliases;
    if (!(groups instanceof Map)) throw new Error(`aliases must be a mapping of alias name to members, not ${yamlType(groups)}`);

    for (const [key, value] of groups) {
      if (typeof key !== 'string') throw new Error(`alias name ${String(key)} must be a string; quote it`);
      const name = normLogin(key.trim());
      if (name === '') throw new Error('empty alias name');
      if (aliases.has(name)) throw new Error(`alias "${key}" is defined twice (names are case-insensitive)`);
      let members: string[];
      if (value instanceof Map) {
        // `{carol, dave}`: a flow mapping whose keys are the members
        for (const [member, v] of value) {
          if (v !== null && v !== undefined) {
            throw new Error(`alias "${key}": alias group must contain a list of members`);
          }
          if (typeof member !== 'string') {
            throw new Error(`alias "${key}": every member must be a string, not ${yamlType(member)}; quote it`);
          }
        }
        members = readNameList([...value.keys()], `alias "${key}"`, 'member');
      } else if (value === null || value === undefined || Array.isArray(value)) {
        members = readNameList(value, `alias "${key}"`, 'member');
      } else {
        throw new Error(`alias "${key}": alias group must contain a list of members, not ${yamlType(value)}`);
      }
      aliases.set(name, members);
    }

    for (const [name, members] of aliases) {
      const nested = members.filter((m) => aliases.has(m));
      if (nested.length > 0) {
        throw new Error(
          `alias "${name}": nested alias ${nested.map((n) => `"${n}"`).join(', ')} ` +
            '(aliases are expanded one level only; list the members instead)',
        );
      }
    }
    return aliases;
  } catch (err) {
    if (err instanceof OwnersFileError) throw err;
    throw new OwnersFileError(path, (err as Error).message);
  }
}
