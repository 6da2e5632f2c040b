// The Octokit class the App uses: Probot's, with its Bottleneck-based retry and throttling plugins
// swapped for our request policy (see request-policy.ts for why). A function, not an object, for
// the defaults: Probot passes its own `throttle` options down, which would re-enable the plugin.
import { ProbotOctokit } from 'probot';
import { requestPolicy } from './request-policy.js';

export const ForgeOctokit = ProbotOctokit.plugin(requestPolicy).defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object | undefined), enabled: false },
  retry: { enabled: false },
}));
