// zod's issues, as configuration problems located in the YAML text.
import type { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';
import type { YamlSource } from './yaml-source.js';

export function schemaProblems(source: YamlSource, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.map((issue) => {
    // An unknown key's issue points at its parent; name the key itself.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    return { file: source.file, path: path.map(String).join('.'), line: source.lineOf(path), message: describeIssue(issue, path, source.data) };
  });
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[], data: unknown): string {
  // A bad record key carries the key's own complaint inside.
  if (issue.code === 'invalid_key') return `invalid key "${String(path.at(-1))}": ${issue.issues[0]?.message ?? issue.message}`;
  const value = path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], data);
  if (issue.code === 'invalid_type' && value === undefined) return `required (${issue.expected})`;
  return issue.message;
}
