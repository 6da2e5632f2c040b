// The operator's in_repo_config blocks may only allow runners that exist.
import { asRecord, knownRunner, type PathProblem } from '../validate-jobs.js';

export function inRepoSettingsProblems(data: unknown): PathProblem[] {
  const root = asRecord(data);
  const runnerProblem = knownRunner(Object.keys(asRecord(root?.runners) ?? {}));
  const blocks: Array<[unknown, Array<string | number>]> = [[root?.in_repo_config, ['in_repo_config']]];
  for (const [repo, entry] of Object.entries(asRecord(root?.repos) ?? {})) {
    blocks.push([asRecord(entry)?.in_repo_config, ['repos', repo, 'in_repo_config']]);
  }
  const problems: PathProblem[] = [];
  for (const [block, at] of blocks) {
    const allowed = asRecord(block)?.allowed_runners;
    (Array.isArray(allowed) ? allowed : []).forEach((runner: unknown, i) => {
      const message = typeof runner === 'string' ? runnerProblem(runner) : undefined;
      if (message) problems.push({ path: [...at, 'allowed_runners', i], message });
    });
  }
  return problems;
}
