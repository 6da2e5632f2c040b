// What `ci-orchestrator check-config` checks: the operator's file as serve and worker would load
// it, including what they would refuse about the environment (runners' unset secret variables,
// invalid settings), unless the environment is left out (--skip-env).
import { ENVIRONMENT, type ConfigProblem } from './config-problem.js';
import { EnvError, readEnv } from './env.js';
import { ConfigError, loadConfigFile } from './load-config.js';
import { runnerEnvironmentOf, type RunnerEnvironment } from './runner-env.js';

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
