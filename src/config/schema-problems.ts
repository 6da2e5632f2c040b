// zod's issues, as configuration problems located in the YAML text.
import type { z } from 'zod';
import type { ConfigProblem } from './config-problem.js';
import type { YamlSource } from './yaml-source.js';

export function schemaProblems(source: YamlSource, issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue) => {
    // An unknown keys' issue points at their parent; name each key itself.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.map(
      (path): ConfigProblem => ({
        file: source.file,
        path: path.map(String).join('.'),
        line: source.lineOf(path),
        message: describeIssue(issue, path, source.data),
      }),
    );
  });
}

function describeIssue(issue: z.core.$ZodIssue, path: readonly PropertyKey[], data: unknown): string {
  if (issue.code === 'unrecognized_keys') return `Unrecognized key: "${String(path.at(-1))}"`;
  // A bad record key carries the key's own complaint inside.
  if (issue.code === 'invalid_key') return `invalid key "${String(path.at(-1))}": ${issue.issues[0]?.message ?? issue.message}`;
  const value = path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key], data);
  if (issue.code === 'invalid_type' && value === undefined) return `required (${issue.expected})`;
  return issue.message;
}
