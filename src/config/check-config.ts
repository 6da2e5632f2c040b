// What `ci-orchestrator check-config` checks: the operator's file as serve and worker would load
// it, including what they would refuse about the environment (runners' unset secret variables,
// invalid settings), unless the environment is left out (--skip-env); or a repository's own file
// (--repo-file), alone or against what the operator's file allows the repository.

import { parseRepoFullName } from '../forge/types.js';
import { type ConfigProblem, ENVIRONMENT } from './config-problem.js';
import { EnvError, readEnv } from './env.js';
import { mergeRepoFile } from './in-repo/merge-repo-file.js';
import { parseRepoFile } from './in-repo/repo-file.js';
import { ConfigError, embeddedConfig, loadConfigFile, readConfigText } from './load-config.js';
import { defaultRepoConfig, repoConfigResolver } from './resolve-repo-config.js';
import { type RunnerEnvironment, runnerEnvironmentOf } from './runner-env.js';

export interface OperatorCheck {
  file: string;
  knownPlugins: readonly string[];
  /** the environment serve would run in; undefined: leave it out */
  env?: NodeJS.ProcessEnv;
}

/** Every problem, in the order check-config prints them; none: serve would start on this file. */
export async function checkOperatorConfig(check: OperatorCheck): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  let environment: RunnerEnvironment | undefined;
  if (check.env) {
    try {
      environment = runnerEnvironmentOf(readEnv(check.env), check.env);
    } catch (err) {
      if (!(err instanceof EnvError)) throw err;
      problems.push({ file: ENVIRONMENT, path: '', message: err.message });
      environment = { env: check.env };
    }
  }
  try {
    await loadConfigFile(check.file, check.knownPlugins, environment ? { environment } : {});
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  return problems;
}

export interface RepoFileCheck {
  repoFile: string;
  knownPlugins: readonly string[];
  /** the operator's file: its in_repo_config allowlists and its jobs apply; undefined: the file alone */
  operatorFile?: string;
  /** "owner/name": which entry of the operator's file applies; undefined: the top-level defaults */
  repo?: string;
}

/** Every problem of a repository's file, as the bot would find them on the repository's default branch. */
export async function checkRepoFile(check: RepoFileCheck): Promise<ConfigProblem[]> {
  let text: string;
  try {
    text = await readConfigText(check.repoFile);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  const parsed = parseRepoFile(text, check.repoFile);
  const alone = (): ConfigProblem[] => {
    const verdict = mergeRepoFile(parsed, defaultRepoConfig(embeddedConfig(), check.knownPlugins), 'anything');
    return verdict.ok ? [] : verdict.problems;
  };
  if (!check.operatorFile) return alone();

  let operatorConfig;
  try {
    operatorConfig = await loadConfigFile(check.operatorFile, check.knownPlugins);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // Without a valid operator's file there is no allowlist to check against: the file alone.
    return [...err.problems, ...alone()];
  }
  const operator = check.repo
    ? repoConfigResolver(operatorConfig, check.knownPlugins)(parseRepoFullName('github', check.repo))
    : defaultRepoConfig(operatorConfig, check.knownPlugins);
  if (!operator.inRepoConfig) {
    return [
      {
        file: check.operatorFile,
        path: 'in_repo_config',
        message: `not enabled for ${check.repo ?? 'repositories without an entry'}: the bot would not read the repository's file`,
      },
    ];
  }
  const verdict = mergeRepoFile(parsed, operator, operator.inRepoConfig);
  return verdict.ok ? [] : verdict.problems;
}
