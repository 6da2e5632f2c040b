// trigger: Prow's trigger plugin. Decides which configured jobs run: presubmits on changes (new
// pushes of trusted changes, /test, /retest, /ok-to-test...), postsubmits on pushes to branches.
// The CI service (ctx.ci) runs them and reports their statuses.
//
// The commands are declared for /help and so the dispatcher knows them, but handle() reads the
// whole comment with Prow's patterns: the trigger grammar is line-based and case-sensitive, and a
// job's custom trigger may be any sentence.
import { NEEDS_OK_TO_TEST, OK_TO_TEST } from '../../src/core/labels.js';
import { definePlugin } from '../../src/core/plugin.js';
import { selectPostsubmits } from '../../src/jobs/select-jobs.js';
import { onComment } from './on-comment.js';
import { onPullRequest } from './on-pull-request.js';
import { onRerunRequest } from './on-rerun-request.js';
import { startPostsubmits } from './start-jobs.js';

const ANYONE_TRUSTED =
  'Trusted users (org members, collaborators with write access); anyone on a trusted change or one with the ok-to-test label';

export default definePlugin({
  name: 'trigger',
  description: 'Runs the configured jobs: presubmits on changes by trusted authors (others wait for /ok-to-test), postsubmits on pushes.',
  commands: [
    {
      name: 'test',
      args: '<job>...',
      who: ANYONE_TRUSTED,
      help: 'Runs the named jobs, even those whose file filters do not match the change; "/test all" runs the jobs that run automatically; "/test ?" lists the jobs.',
      example: '/test unit e2e',
      caseSensitive: true,
    },
    {
      name: 'retest',
      who: ANYONE_TRUSTED,
      help: 'Runs the failed jobs again, and the automatic jobs that have not reported yet. Takes no arguments.',
      example: '/retest',
      caseSensitive: true,
    },
    {
      name: 'retest-required',
      who: ANYONE_TRUSTED,
      help: 'Like /retest, leaving out optional jobs.',
      example: '/retest-required',
      caseSensitive: true,
    },
    {
      name: 'test-manual-required',
      who: ANYONE_TRUSTED,
      help: 'Runs the required jobs that run only when asked for by name.',
      example: '/test-manual-required',
      caseSensitive: true,
    },
    {
      name: 'ok-to-test',
      args: '[cancel]',
      who: 'Trusted users (org members, collaborators with write access)',
      help: `Vouches for a change by an untrusted author: adds ${OK_TO_TEST} (removing ${NEEDS_OK_TO_TEST}), so its jobs run now and on every push. "/ok-to-test cancel" takes it back.`,
      example: '/ok-to-test',
      caseSensitive: true,
    },
  ],
  async handle(ctx) {
    const { event } = ctx;
    switch (event.kind) {
      case 'comment':
      case 'review':
        return onComment(ctx, event);
      case 'pull_request':
        return onPullRequest(ctx, event);
      case 'push':
        return startPostsubmits(ctx, event, selectPostsubmits(ctx.config.postsubmits, event));
      case 'rerun_request':
        return onRerunRequest(ctx, event);
      default:
        return;
    }
  },
});
