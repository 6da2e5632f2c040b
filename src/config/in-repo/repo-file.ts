// A repository's own configuration file (.github/ci-orchestrator.yaml on its default branch): the
// jobs it adds and the plugin options it sets, read and checked against the schema. Whether the
// operator allows what it asks is merge-repo-file.ts's business.
import { z } from 'zod';
import type { ConfigProblem } from '../config-problem.js';
import { ConfigError } from '../config-problem.js';
import { postsubmitSchema, presubmitSchema, triggerSchema } from '../jobs-schema.js';
import { approveSchema, lgtmSchema, ownersSchema } from '../schema.js';
import { schemaProblems } from '../schema-problems.js';
import { asRecord } from '../validate-jobs.js';
import { readYaml, type YamlSource } from '../yaml-source.js';
import type { OptionBlock } from './settings.js';

/** An option block whose absent keys stay absent (they keep the operator's values). */
function withoutDefaults<S extends z.ZodRawShape>(schema: z.ZodObject<S>): z.ZodType<Partial<z.output<z.ZodObject<S>>>> {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const inner = field instanceof z.ZodDefault ? field.unwrap() : field;
      return [key, (inner as z.ZodType).optional()];
    }),
  );
  return z.strictObject(shape) as unknown as z.ZodType<Partial<z.output<z.ZodObject<S>>>>;
}

const optionBlocks = {
  approve: withoutDefaults(approveSchema),
  lgtm: withoutDefaults(lgtmSchema),
  owners: withoutDefaults(ownersSchema),
  trigger: withoutDefaults(triggerSchema),
} satisfies Record<OptionBlock, z.ZodType>;

export const repoFileSchema = z.strictObject({
  /** added to the operator's presubmits */
  presubmits: z.array(presubmitSchema).default([]),
  /** added to the operator's postsubmits */
  postsubmits: z.array(postsubmitSchema).default([]),
  ...(Object.fromEntries(Object.entries(optionBlocks).map(([name, block]) => [name, block.optional()])) as {
    [K in OptionBlock]: z.ZodOptional<(typeof optionBlocks)[K]>;
  }),
});

export type RepoFile = z.infer<typeof repoFileSchema>;

/** Keys of the operator's file that a repository's file may never set. */
const OPERATOR_ONLY = ['runners', 'repos', 'plugins', 'default_plugins', 'merge_queue', 'in_repo_config', 'reply_to_unknown_commands'];

export interface ParsedRepoFile {
  /** the text's data and lines; undefined when the text is not YAML */
  source?: YamlSource;
  /** undefined when the schema rejects it */
  file?: RepoFile;
  /** the YAML's and the schema's problems */
  problems: ConfigProblem[];
}

/** Parses the file's text; `name` names it in problems. Never throws: problems are the answer. */
export function parseRepoFile(text: string, name: string): ParsedRepoFile {
  let source: YamlSource;
  try {
    source = readYaml(text, name);
  } catch (err) {
    if (err instanceof ConfigError) return { problems: err.problems };
    throw err;
  }
  const result = repoFileSchema.safeParse(source.data);
  const problems = schemaProblems(source, result.error?.issues ?? []).map((problem) => {
    const key = problem.path;
    return OPERATOR_ONLY.includes(key) && key in (asRecord(source.data) ?? {})
      ? { ...problem, message: `${key} can only be set in the operator's configuration, not in a repository's file` }
      : problem;
  });
  return { source, ...(result.success ? { file: result.data } : {}), problems };
}
