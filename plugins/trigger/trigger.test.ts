import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presubmitSchema } from '../../src/config/jobs-schema.js';
import type { PullRequestEvent, PushEvent, RerunRequestEvent } from '../../src/core/events.js';
import type { PostsubmitStart, PresubmitStart } from '../../src/jobs/ci-jobs.js';
import { createDispatchRig } from '../../test/helpers/dispatch.js';
import { commentEvent, pullRequestEvent, repoOf, reviewEvent } from '../../test/helpers/events.js';
import { DRAFT_NOTICE, HELP_HEADERS } from './messages.js';

const FULL = 'acme/widgets';
const BOT = 'ci-bot';
const HEAD = 'a'.repeat(40);
/** the base branch has moved on since the change was opened (whose baseSha is b…b) */
const BASE_TIP = 'd'.repeat(40);
const PUSHED = 'e'.repeat(40);

const PRESUBMITS = [
  { name: 'unit', runner: 'r', always_run: true },
  { name: 'docs', runner: 'r', run_if_changed: '^docs/' },
  { name: 'lint', runner: 'r', skip_if_only_changed: '\\.md$', optional: true },
  { name: 'e2e', runner: 'r' },
  { name: 'release', runner: 'r', always_run: true, branches: ['^release-'] },
  { name: 'smoke', runner: 'r', trigger: '(?m)^please run the smoke tests$', rerun_command: 'please run the smoke tests' },
];
const POSTSUBMITS = [
  { name: 'publish', runner: 'r' },
  { name: 'docs-site', runner: 'r', run_if_changed: '^docs/' },
  { name: 'release-build', runner: 'r', branches: ['^release-'] },
];

type Rig = ReturnType<typeof createDispatchRig>;

/**
 * acme/widgets#7 by alice (untrusted), changing src/a.go, on main. olga is an org member, wendy a
 * collaborator with write access; mallory and alice are strangers.
 */
function triggerRig(options: { entry?: Record<string, unknown>; author?: string } = {}): Rig {
  const rig = createDispatchRig({
    enabled: ['trigger'],
    entry: { presubmits: PRESUBMITS, postsubmits: POSTSUBMITS, ...options.entry },
  });
  rig.state.addOrgMember('acme', 'olga');
  rig.state.setPermission(FULL, 'wendy', 'write');
  rig.state.setPermission(FULL, 'rita', 'read');
  rig.state.setBranch(FULL, 'main', BASE_TIP);
  const change = rig.state.change(FULL, 7);
  change.files = ['src/a.go'];
  change.author = options.author ?? 'alice';
  return rig;
}

const trustedRig = (entry?: Record<string, unknown>) => triggerRig({ author: 'olga', entry });

const prEvent = (action: PullRequestEvent['action'], extra: Partial<PullRequestEvent> = {}): PullRequestEvent => ({
  ...pullRequestEvent(action),
  installationId: 5,
  ...extra,
});

const pushEvent = (branch: string, changedFiles: string[], deleted = false): PushEvent => ({
  kind: 'push',
  forge: 'github',
  deliveryId: `push-${branch}`,
  repo: repoOf(),
  sender: { login: 'wendy', isBot: false },
  installationId: 9,
  branch,
  before: 'f'.repeat(40),
  after: deleted ? '0'.repeat(40) : PUSHED,
  deleted,
  changedFiles,
});

const sortedJobs = (rig: Rig) => rig.ci.startedJobs().sort();
const reply = (login: string, message: string) => (c: string) => c.startsWith(`@${login}: ${message}`);

describe('trigger: pull request events', () => {
  it('a trusted author opens a change: the automatic jobs start, tested against the current base tip', async () => {
    const rig = trustedRig();
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    const unit = rig.ci.started.find((r) => r.job.name === 'unit') as PresubmitStart;
    assert.deepEqual(
      { ...unit, job: unit.job.name },
      {
        type: 'presubmit',
        job: 'unit',
        repo: repoOf(),
        installationId: 5,
        cloneUrl: 'https://forge.test/acme/widgets.git',
        baseRef: 'main',
        baseSha: BASE_TIP,
        reason: 'pull request opened',
        pull: { number: 7, sha: HEAD, author: 'olga', title: 'Change 7', ref: 'feature-7' },
      },
    );
    assert.deepEqual(rig.comments(), []);
    assert.deepEqual(rig.labels(), []);
  });

  it('a draft by a trusted author: a comment, no jobs', async () => {
    const rig = trustedRig();
    rig.state.change(FULL, 7).draft = true;
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(rig.ci.started, []);
    assert.deepEqual(rig.comments(), [DRAFT_NOTICE]);
  });

  it('an untrusted author: the welcome message and needs-ok-to-test, no jobs', async () => {
    const rig = triggerRig();
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(rig.ci.started, []);
    assert.deepEqual(rig.labels(), ['needs-ok-to-test']);
    const [welcome] = rig.comments();
    assert.match(welcome!, /^Hi @alice\. Thanks for your change\./);
    assert.match(welcome!, /I am waiting for a member of \[acme\]\(https:\/\/forge\.test\/orgs\/acme\/people\) to verify/);
    assert.match(welcome!, /`\/ok-to-test` on its own line/);
  });

  it('an untrusted author of a change that already has ok-to-test: welcome, no needs-ok-to-test', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'ok-to-test', undefined, 'wendy');
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(rig.labels(), ['ok-to-test']);
    assert.equal(rig.comments().length, 1);
  });

  it('with ignore_ok_to_test: a different welcome, and no label', async () => {
    const rig = triggerRig({ entry: { trigger: { ignore_ok_to_test: true, trusted_org: 'partners' } } });
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(rig.labels(), []);
    assert.match(rig.comments()[0]!, /`\/ok-to-test` is turned off here/);
    assert.match(rig.comments()[0]!, /members of \[acme\]\(.*\) or \[partners\]\(https:\/\/forge\.test\/orgs\/partners\/people\)/);
  });

  it('a trusted_app author is tested without /ok-to-test', async () => {
    const rig = triggerRig({ author: 'dependabot[bot]', entry: { trigger: { trusted_apps: ['dependabot'] } } });
    await rig.dispatch(prEvent('opened'));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
  });

  it('a repo without presubmits: nothing at all, not even the welcome', async () => {
    const rig = createDispatchRig({ enabled: ['trigger'] });
    for (const action of ['opened', 'synchronize', 'closed'] as const) await rig.dispatch(prEvent(action));
    assert.deepEqual(rig.comments(), []);
    assert.deepEqual(rig.ci.calls, []);
  });

  it('synchronize aborts the old runs before starting the new ones', async () => {
    const rig = trustedRig();
    await rig.dispatch(prEvent('synchronize'));
    assert.deepEqual(rig.ci.calls, ['abort', 'start unit', 'start lint']);
    assert.deepEqual(
      rig.ci.aborted.map((a) => a.ref),
      [{ repo: repoOf(), number: 7 }],
    );
  });

  it('synchronize of an untrusted change aborts and starts nothing', async () => {
    const rig = triggerRig();
    await rig.dispatch(prEvent('synchronize'));
    assert.deepEqual(rig.ci.calls, ['abort']);
  });

  it('synchronize of a change with ok-to-test runs and drops needs-ok-to-test', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'needs-ok-to-test');
    rig.state.addLabel(FULL, 7, 'ok-to-test', undefined, 'wendy');
    await rig.dispatch(prEvent('synchronize'));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    assert.deepEqual(rig.labels(), ['ok-to-test']);
  });

  it('reopened and ready_for_review run the automatic jobs of a trusted change, not of a draft', async () => {
    const rig = trustedRig();
    await rig.dispatch(prEvent('reopened'));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    rig.state.change(FULL, 7).draft = true;
    await rig.dispatch(prEvent('reopened'));
    assert.equal(rig.ci.started.length, 2);
    rig.state.change(FULL, 7).draft = false;
    await rig.dispatch(prEvent('ready_for_review'));
    assert.equal(rig.ci.started.length, 4);
  });

  it('closed aborts the runs', async () => {
    const rig = trustedRig();
    await rig.dispatch(prEvent('closed'));
    assert.deepEqual(rig.ci.calls, ['abort']);
  });

  it('edited does nothing', async () => {
    const rig = trustedRig();
    await rig.dispatch(prEvent('edited'));
    assert.deepEqual(rig.ci.calls, []);
  });

  it('a change the forge calls unmergeable gets no jobs', async () => {
    const rig = trustedRig();
    rig.state.change(FULL, 7).mergeable = false;
    await rig.dispatch(prEvent('opened'));
    await rig.dispatch(commentEvent('/test e2e', { login: 'olga' }));
    assert.deepEqual(rig.ci.started, []);
    assert.deepEqual(rig.comments(), []);
  });

  it('ok-to-test added by a human runs the automatic jobs and drops needs-ok-to-test', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'needs-ok-to-test');
    rig.state.addLabel(FULL, 7, 'ok-to-test', undefined, 'wendy');
    await rig.dispatch(prEvent('labeled', { label: 'ok-to-test', sender: { login: 'wendy', isBot: false } }));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    assert.deepEqual(rig.labels(), ['ok-to-test']);
  });

  it('ok-to-test added by the bot starts nothing (its /ok-to-test comment did)', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'ok-to-test');
    await rig.dispatch(prEvent('labeled', { label: 'ok-to-test', sender: { login: `${BOT}[bot]`, isBot: true } }));
    assert.deepEqual(rig.ci.started, []);
  });

  it('lgtm on an untrusted change runs the automatic jobs once; on a trusted one nothing', async () => {
    const rig = triggerRig();
    await rig.dispatch(prEvent('labeled', { label: 'lgtm', sender: { login: 'wendy', isBot: false } }));
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    const trusted = trustedRig();
    await trusted.dispatch(prEvent('labeled', { label: 'lgtm', sender: { login: 'wendy', isBot: false } }));
    assert.deepEqual(trusted.ci.started, []);
  });
});

describe('trigger: comments', () => {
  it('a trusted /ok-to-test swaps the labels and runs what /test all runs', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'needs-ok-to-test');
    await rig.dispatch(commentEvent('/ok-to-test', { login: 'olga' }));
    assert.deepEqual(rig.labels(), ['ok-to-test']);
    assert.deepEqual(sortedJobs(rig), ['lint', 'unit']);
    assert.equal(rig.ci.started[0]!.reason, 'comment by @olga');
    assert.deepEqual(rig.comments(), []);
  });

  it('an untrusted /test on an untrusted change is refused, saying why', async () => {
    const rig = triggerRig();
    await rig.dispatch(commentEvent('/test e2e', { login: 'mallory' }));
    assert.deepEqual(rig.ci.started, []);
    assert.equal(rig.comments().length, 1);
    assert.ok(
      reply(
        'mallory',
        'Cannot trigger testing until a trusted user reviews this change and leaves an `/ok-to-test` message. ' +
          'You are not a member of the org, not a collaborator; satisfy at least one of these conditions.',
      )(rig.comments()[0]!),
      rig.comments()[0],
    );
  });

  it('read access does not make a commenter trusted', async () => {
    const rig = triggerRig();
    await rig.dispatch(commentEvent('/ok-to-test', { login: 'rita' }));
    assert.deepEqual(rig.labels(), []);
    assert.match(rig.comments()[0]!, /^@rita: Cannot trigger testing/);
  });

  it('a trusted /test on an untrusted change runs the job', async () => {
    const rig = triggerRig();
    await rig.dispatch(commentEvent('/test e2e', { login: 'wendy' }));
    assert.deepEqual(sortedJobs(rig), ['e2e']);
  });

  it('an untrusted /test on a trusted change runs the job', async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('/test docs', { login: 'mallory' }));
    assert.deepEqual(sortedJobs(rig), ['docs']);
  });

  it('/ok-to-test cancel by an untrusted user on a trusted change is refused', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'ok-to-test', undefined, 'wendy');
    await rig.dispatch(commentEvent('/ok-to-test cancel', { login: 'mallory' }));
    assert.deepEqual(rig.labels(), ['ok-to-test']);
    assert.deepEqual(
      rig.comments().map((c) => c.split('\n')[0]),
      [
        '@mallory: Only trusted users can cancel `/ok-to-test`. You are not a member of the org, not a collaborator; satisfy at least one of these conditions.',
      ],
    );
  });

  it('/ok-to-test cancel by a trusted user restores needs-ok-to-test and runs nothing', async () => {
    const rig = triggerRig();
    rig.state.addLabel(FULL, 7, 'ok-to-test', undefined, 'wendy');
    rig.state.addLabel(FULL, 7, 'needs-ok-to-test');
    await rig.dispatch(commentEvent('/ok-to-test cancel', { login: 'olga' }));
    assert.deepEqual(rig.labels(), ['needs-ok-to-test']);
    assert.deepEqual(rig.ci.started, []);
    assert.deepEqual(rig.comments(), []);
  });

  it('/test of an unknown job: a reply listing the jobs that exist', async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('/test foo', { login: 'olga' }));
    assert.deepEqual(rig.ci.started, []);
    const [text] = rig.comments();
    assert.ok(
      text!.startsWith(
        [
          '@olga: The specified targets were not found.',
          '',
          HELP_HEADERS.required,
          '```',
          '/test docs',
          '```',
          '```',
          '/test e2e',
          '```',
          '```',
          '/test unit',
          '```',
          '```',
          'please run the smoke tests',
          '```',
          '',
          HELP_HEADERS.optional,
          '```',
          '/test lint',
          '```',
          '',
          'Use `/test all` to run the following jobs that are triggered automatically:',
          '```',
          'docs',
          '```',
          '```',
          'lint',
          '```',
          '```',
          'unit',
          '```',
          '',
          '<details>',
        ].join('\n'),
      ),
      text,
    );
  });

  it('/test ? lists the jobs of the base branch, without a note', async () => {
    const rig = trustedRig();
    rig.state.change(FULL, 7).baseRef = 'release-1';
    rig.state.setBranch(FULL, 'release-1', BASE_TIP);
    await rig.dispatch(commentEvent('/test ?', { login: 'mallory' }));
    assert.deepEqual(rig.ci.started, []);
    assert.match(rig.comments()[0]!, new RegExp(`^@mallory: ${HELP_HEADERS.required}\n`));
    assert.match(rig.comments()[0]!, /\/test release/);
  });

  it('bare /test, /retest with a target and a /test all with nothing to run get their notes', async () => {
    const rig = trustedRig({ presubmits: [{ name: 'e2e', runner: 'r' }] });
    await rig.dispatch(commentEvent('/test', { login: 'olga' }));
    await rig.dispatch(commentEvent('/retest e2e', { login: 'olga' }));
    await rig.dispatch(commentEvent('/test all', { login: 'olga' }));
    assert.deepEqual(
      rig.comments().map((c) => c.split('\n')[0]),
      [
        '@olga: The `/test` command needs one or more targets.',
        '@olga: The `/retest` command does not accept any targets.',
        '@olga: No jobs can be run with `/test all`.',
      ],
    );
  });

  it('/test ? where no job runs on the branch says so', async () => {
    const rig = trustedRig({ presubmits: [{ name: 'r1', runner: 'r', branches: ['^release-'] }] });
    await rig.dispatch(commentEvent('/test ?', { login: 'olga' }));
    assert.equal(rig.comments()[0]!.split('\n')[0], '@olga: No presubmit jobs available for acme/widgets@main.');
  });

  it('/retest re-runs the failed jobs of the head commit', async () => {
    const rig = trustedRig();
    rig.state.setStatus(FULL, HEAD, { context: 'unit', state: 'failure' });
    rig.state.setStatus(FULL, HEAD, { context: 'lint', state: 'pending' });
    rig.state.setStatus(FULL, HEAD, { context: 'e2e', state: 'error' });
    await rig.dispatch(commentEvent('/retest', { login: 'olga' }));
    assert.deepEqual(sortedJobs(rig), ['e2e', 'unit']);
  });

  it('a custom trigger that is a sentence runs its job', async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('Looks risky.\nplease run the smoke tests', { login: 'olga' }));
    assert.deepEqual(sortedJobs(rig), ['smoke']);
  });

  it("the bot's own comments and other bots' are ignored, custom triggers included", async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('please run the smoke tests', { login: BOT }));
    await rig.dispatch(commentEvent('please run the smoke tests', { login: `${BOT}[bot]` }));
    await rig.dispatch(commentEvent('please run the smoke tests\n/test e2e', { login: 'renovate[bot]', isBot: true }));
    assert.deepEqual(rig.ci.started, []);
    assert.deepEqual(rig.comments(), []);
  });

  it('commands in code blocks, quotes and edited comments do nothing', async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('```\n/test e2e\n```', { login: 'olga' }));
    await rig.dispatch(commentEvent('> /test e2e', { login: 'olga' }));
    await rig.dispatch(commentEvent('/test e2e', { login: 'olga', action: 'edited' }));
    await rig.dispatch(commentEvent('/Test e2e', { login: 'olga' }));
    assert.deepEqual(rig.ci.started, []);
    // /Test is not a trigger command: only the dispatcher's unknown-command answer
    assert.deepEqual(
      rig.comments().map((c) => c.split('\n')[0]),
      ['@olga: I did not act on these commands:'],
    );
  });

  it('a /test in a code block counts when the comment also holds a real command (Prow quirk)', async () => {
    const rig = trustedRig();
    await rig.dispatch(commentEvent('/retest\n```\n/test e2e\n```', { login: 'olga' }));
    assert.deepEqual(sortedJobs(rig), ['e2e', 'lint', 'unit']);
  });

  it('a review body works like a comment', async () => {
    const rig = trustedRig();
    await rig.dispatch(reviewEvent('/test e2e', 'commented', 'olga'));
    assert.deepEqual(sortedJobs(rig), ['e2e']);
  });

  it('a closed change is left alone', async () => {
    const rig = trustedRig();
    rig.state.change(FULL, 7).state = 'closed';
    await rig.dispatch(commentEvent('/test e2e', { login: 'olga', change: { state: 'closed' } }));
    assert.deepEqual(rig.ci.calls, []);
  });
});

describe('trigger: pushes', () => {
  it('a push to a branch runs its postsubmits, file filters applied, on the pushed commit', async () => {
    const rig = trustedRig();
    await rig.dispatch(pushEvent('main', ['docs/index.md']));
    assert.deepEqual(sortedJobs(rig), ['docs-site', 'publish']);
    const publish = rig.ci.started.find((r) => r.job.name === 'publish') as PostsubmitStart;
    assert.deepEqual(
      { ...publish, job: publish.job.name },
      {
        type: 'postsubmit',
        job: 'publish',
        repo: repoOf(),
        installationId: 9,
        cloneUrl: 'https://forge.test/acme/widgets.git',
        baseRef: 'main',
        baseSha: PUSHED,
        reason: 'push to main by @wendy',
      },
    );
  });

  it('branch filters apply to postsubmits', async () => {
    const rig = trustedRig();
    await rig.dispatch(pushEvent('release-1', ['src/a.go']));
    assert.deepEqual(sortedJobs(rig), ['publish', 'release-build']);
  });

  it('a deleted branch runs nothing', async () => {
    const rig = trustedRig();
    await rig.dispatch(pushEvent('main', ['docs/index.md'], true));
    assert.deepEqual(rig.ci.calls, []);
  });
});

describe('trigger: GitHub re-run requests (check_run and check_suite rerequested)', () => {
  const NEW_HEAD = '9'.repeat(40);
  const rerun = (extra: Partial<RerunRequestEvent> = {}, login = 'wendy', isBot = false): RerunRequestEvent => ({
    kind: 'rerun_request',
    forge: 'github',
    deliveryId: `rerun-${login}`,
    repo: repoOf(),
    sender: { login, isBot },
    installationId: 5,
    sha: HEAD,
    changeNumbers: [7],
    ...extra,
  });
  /** A finished run of `job` on #7 at HEAD (its check run's external id), the head having moved since. */
  async function earlierRun(rig: Rig, job = 'e2e'): Promise<string> {
    const [outcome] = await rig.ci.start([
      {
        type: 'presubmit',
        job: presubmitSchema.parse(PRESUBMITS.find((j) => j.name === job)),
        repo: repoOf(),
        installationId: 5,
        cloneUrl: 'x',
        baseRef: 'main',
        baseSha: BASE_TIP,
        reason: 'earlier',
        pull: { number: 7, sha: HEAD, author: 'alice' },
      },
    ]);
    rig.ci.setState(outcome!.runId, 'failure');
    rig.ci.started.length = 0;
    rig.ci.calls.length = 0;
    rig.state.change(FULL, 7).headSha = NEW_HEAD;
    return outcome!.runId;
  }

  it("runs the check run's job again on the change's current head, as /test <job> would", async () => {
    const rig = triggerRig();
    const runId = await earlierRun(rig);
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }));
    assert.deepEqual(sortedJobs(rig), ['e2e']);
    const started = rig.ci.started[0] as PresubmitStart;
    assert.deepEqual(
      [started.pull.number, started.pull.sha, started.baseSha, started.reason],
      [7, NEW_HEAD, BASE_TIP, 're-run requested by @wendy on GitHub'],
    );
    assert.deepEqual(rig.comments(), [], 'nothing is said on the change');
  });

  it('refuses a sender who could not /test the change, and ignores bots', async () => {
    const rig = triggerRig();
    const runId = await earlierRun(rig);
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }, 'rita')); // read access
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }, 'helper[bot]', true));
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }, BOT));
    assert.deepEqual(rig.ci.calls, []);
    assert.ok(rig.logs.some((l) => l.msg === 're-run refused: untrusted user on an untrusted change'));
    // On a trusted change anyone GitHub lets press the button may.
    rig.state.addLabel(FULL, 7, 'ok-to-test');
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }, 'rita'));
    assert.deepEqual(sortedJobs(rig), ['e2e']);
  });

  it('does nothing on a closed change', async () => {
    const rig = triggerRig();
    const runId = await earlierRun(rig);
    rig.state.change(FULL, 7).state = 'closed';
    await rig.dispatch(rerun({ checkRun: { name: 'e2e', externalId: runId } }));
    assert.deepEqual(rig.ci.calls, []);
  });

  it("finds the job by the check run's name when the run is no longer kept, on the changes GitHub names", async () => {
    const rig = triggerRig();
    await rig.dispatch(rerun({ checkRun: { name: 'unit', externalId: 'r0123456789abcdef01234567' } }));
    assert.deepEqual(sortedJobs(rig), ['unit']);
    await rig.dispatch(rerun({ checkRun: { name: 'not-a-job' } }));
    assert.deepEqual(sortedJobs(rig), ['unit']);
  });

  it('"Re-run all checks" runs every check run of the suite again', async () => {
    const rig = triggerRig();
    const e2e = await earlierRun(rig, 'e2e');
    const unit = await earlierRun(rig, 'unit');
    await rig.forge.createCheckRun!(repoOf(), HEAD, {
      name: 'e2e',
      externalId: e2e,
      status: 'completed',
      conclusion: 'failure',
      title: 't',
      summary: 's',
    });
    await rig.forge.createCheckRun!(repoOf(), HEAD, {
      name: 'unit',
      externalId: unit,
      status: 'completed',
      conclusion: 'failure',
      title: 't',
      summary: 's',
    });
    const suite = rig.state.checkRuns(FULL, HEAD)[0]!.checkSuiteId;
    await rig.dispatch(rerun({ checkSuiteId: suite }));
    assert.deepEqual(sortedJobs(rig), ['e2e', 'unit']);
    assert.ok(rig.ci.started.every((r) => r.type === 'presubmit' && r.pull.sha === NEW_HEAD));
  });

  it('runs a postsubmit again on its commit, for a trusted sender only', async () => {
    const rig = trustedRig();
    await rig.dispatch(pushEvent('main', ['src/a.go']));
    const [publish] = [...rig.ci.runs.values()];
    rig.ci.setState(publish!.id, 'failure');
    rig.ci.started.length = 0;
    await rig.dispatch(rerun({ sha: PUSHED, changeNumbers: [], checkRun: { name: 'publish', externalId: publish!.id } }, 'rita'));
    assert.equal(rig.ci.started.length, 0, 'rita may not');
    await rig.dispatch(rerun({ sha: PUSHED, changeNumbers: [], checkRun: { name: 'publish', externalId: publish!.id } }));
    const again = rig.ci.started[0] as PostsubmitStart;
    assert.deepEqual(
      [again.job.name, again.baseRef, again.baseSha, again.reason],
      ['publish', 'main', PUSHED, 're-run requested by @wendy on GitHub'],
    );
  });
});
