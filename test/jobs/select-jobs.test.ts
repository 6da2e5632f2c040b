import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Postsubmit, type Presubmit, postsubmitSchema, presubmitSchema } from '../../src/config/jobs-schema.js';
import type { CommitStatus } from '../../src/forge/types.js';
import {
  branchMatches,
  commentFilter,
  filterPresubmits,
  lazyChangedFiles,
  runsAgainstChanges,
  selectPostsubmits,
  shouldRun,
  testAllFilter,
} from '../../src/jobs/select-jobs.js';

const pre = (name: string, fields: Partial<Presubmit> = {}): Presubmit => presubmitSchema.parse({ name, runner: 'r', ...fields });
const post = (name: string, fields: Partial<Postsubmit> = {}): Postsubmit => postsubmitSchema.parse({ name, runner: 'r', ...fields });
const files =
  (...paths: string[]) =>
  async () =>
    paths;
const statuses = (entries: Record<string, CommitStatus['state']>) => async (): Promise<CommitStatus[]> =>
  Object.entries(entries).map(([context, state]) => ({ context, state }));

/** Names of the jobs a comment selects. */
async function selected(
  body: string,
  jobs: Presubmit[],
  options: {
    branch?: string;
    changed?: string[];
    head?: Record<string, CommitStatus['state']>;
    honourOkToTest?: boolean;
  } = {},
): Promise<string[]> {
  const filter = await commentFilter(body, options.honourOkToTest ?? true, statuses(options.head ?? {}));
  return (await filterPresubmits(jobs, filter, options.branch ?? 'main', files(...(options.changed ?? [])))).map((j) => j.name);
}

describe('Brancher.ShouldRun', () => {
  const cases: Array<[string, Partial<Presubmit>, string, boolean]> = [
    ['no filters: every branch', {}, 'anything', true],
    ['branches: unanchored search', { branches: ['main'] }, 'domain-x', true],
    ['branches: anchored', { branches: ['^main$'] }, 'main-old', false],
    ['branches: any of the list', { branches: ['^main$', '^release-'] }, 'release-1.2', true],
    ['branches: none matches', { branches: ['^main$'] }, 'dev', false],
    ['skip_branches: matched', { skip_branches: ['^release-'] }, 'release-1', false],
    ['skip_branches: not matched', { skip_branches: ['^release-'] }, 'main', true],
    ['skip_branches win over branches', { branches: ['.*'], skip_branches: ['^wip'] }, 'wip-1', false],
  ];
  for (const [title, fields, branch, expected] of cases) {
    it(title, () => assert.equal(branchMatches(pre('j', fields), branch), expected));
  }
});

describe('RunsAgainstChanges', () => {
  const cases: Array<[string, Partial<Presubmit>, string[], boolean]> = [
    ['run_if_changed: a file matches', { run_if_changed: '^docs/' }, ['src/a.go', 'docs/x.md'], true],
    ['run_if_changed: no file matches', { run_if_changed: '^docs/' }, ['src/a.go'], false],
    ['run_if_changed: unanchored search', { run_if_changed: '\\.md$' }, ['a/b/c.md'], true],
    ['skip_if_only_changed: every file matches', { skip_if_only_changed: '\\.md$' }, ['a.md', 'b.md'], false],
    ['skip_if_only_changed: a file escapes', { skip_if_only_changed: '\\.md$' }, ['a.md', 'b.go'], true],
    ['no files: run_if_changed', { run_if_changed: '.' }, [], false],
    ['no files: skip_if_only_changed', { skip_if_only_changed: '\\.md$' }, [], false],
    ['no file filter', {}, ['a'], false],
  ];
  for (const [title, fields, changed, expected] of cases) {
    it(title, () => assert.equal(runsAgainstChanges(pre('j', fields), changed), expected));
  }
});

describe('Presubmit.ShouldRun(branch, changes, forced, default)', () => {
  const cases: Array<[string, Partial<Presubmit>, boolean, boolean, boolean]> = [
    // job, forced, default, expected (branch main, changed: src/a.go)
    ['branch filter fails before anything', { always_run: true, branches: ['^dev$'] }, true, true, false],
    ['always_run', { always_run: true }, false, false, true],
    ['forced', { run_if_changed: '^docs/' }, true, false, true],
    ['file regex matching', { run_if_changed: '^src/' }, false, false, true],
    ['file regex not matching, default false', { run_if_changed: '^docs/' }, false, false, false],
    ['file regex not matching, default true', { run_if_changed: '^docs/' }, false, true, true],
    ['no file regex: the default', {}, false, true, true],
    ['no file regex, default false', {}, false, false, false],
  ];
  for (const [title, fields, forced, dflt, expected] of cases) {
    it(title, async () => assert.equal(await shouldRun(pre('j', fields), 'main', files('src/a.go'), forced, dflt), expected));
  }

  it('fetches the changed files lazily and at most once', async () => {
    let fetches = 0;
    const changes = lazyChangedFiles(async () => {
      fetches++;
      return ['docs/a.md'];
    });
    const jobs = [pre('a', { always_run: true }), pre('b')];
    await filterPresubmits(jobs, testAllFilter, 'main', changes);
    assert.equal(fetches, 0, 'no job needed the files');
    await filterPresubmits(
      [...jobs, pre('c', { run_if_changed: '^docs/' }), pre('d', { skip_if_only_changed: '\\.md$' })],
      testAllFilter,
      'main',
      changes,
    );
    assert.equal(fetches, 1);
  });
});

describe('job selection for a comment (§5.2)', () => {
  const always = pre('always', { always_run: true });
  const docs = pre('docs', { run_if_changed: '^docs/' });
  const notDocs = pre('not-docs', { skip_if_only_changed: '^docs/' });
  const manual = pre('manual');
  const manualOptional = pre('manual-optional', { optional: true });
  const optionalAlways = pre('optional-always', { always_run: true, optional: true });
  const releaseOnly = pre('release-only', { run_if_changed: '^docs/', branches: ['^release-'] });
  const all = [always, docs, notDocs, manual, manualOptional, optionalAlways, releaseOnly];

  const cases: Array<[string, string, Parameters<typeof selected>[2], string[]]> = [
    // title, comment, world, expected jobs
    [
      '/test all: always_run plus conditional jobs whose files match',
      '/test all',
      { changed: ['src/a.go'] },
      ['always', 'not-docs', 'optional-always'],
    ],
    ['/test all on docs changes', '/test all', { changed: ['docs/a.md'] }, ['always', 'docs', 'optional-always']],
    ['/ok-to-test runs what /test all runs', '/ok-to-test', { changed: ['docs/a.md'] }, ['always', 'docs', 'optional-always']],
    ['/ok-to-test runs nothing where it is turned off', '/ok-to-test', { changed: ['docs/a.md'], honourOkToTest: false }, []],
    ['/test of a file-filtered job whose files are untouched runs it (forced)', '/test docs', { changed: ['src/a.go'] }, ['docs']],
    ['/test names several jobs', '/test manual docs', {}, ['docs', 'manual']],
    ['/test still obeys the branch filter', '/test release-only', { branch: 'main' }, []],
    ['/test on a branch the filter allows', '/test release-only', { branch: 'release-1' }, ['release-only']],
    ['/test of an unknown job selects nothing', '/test nope', {}, []],
    [
      '/retest re-runs a failed run_if_changed job whose files no longer match',
      '/retest',
      { changed: ['src/a.go'], head: { always: 'success', 'not-docs': 'success', 'optional-always': 'success', docs: 'failure' } },
      ['docs'],
    ],
    [
      '/retest skips a never-reported run_if_changed job whose files do not match',
      '/retest',
      { changed: ['src/a.go'], head: { always: 'success', 'not-docs': 'success', 'optional-always': 'success' } },
      [],
    ],
    [
      '/retest runs an always_run job that has not reported yet',
      '/retest',
      { changed: ['src/a.go'], head: { 'not-docs': 'success', 'optional-always': 'success' } },
      ['always'],
    ],
    [
      '/retest starts the failed job, not the pending one',
      '/retest',
      { changed: ['src/a.go'], head: { always: 'pending', 'not-docs': 'error', 'optional-always': 'success' } },
      ['not-docs'],
    ],
    [
      '/retest re-runs a failed explicit-trigger job',
      '/retest',
      { changed: ['src/a.go'], head: { always: 'success', 'not-docs': 'success', 'optional-always': 'success', manual: 'failure' } },
      ['manual'],
    ],
    [
      '/retest re-runs a failed optional job',
      '/retest',
      { changed: ['src/a.go'], head: { always: 'success', 'not-docs': 'success', 'optional-always': 'failure' } },
      ['optional-always'],
    ],
    [
      '/retest-required leaves a failed optional job alone',
      '/retest-required',
      { changed: ['src/a.go'], head: { always: 'success', 'not-docs': 'success', 'optional-always': 'failure' } },
      [],
    ],
    [
      '/retest-required re-runs failed required jobs',
      '/retest-required',
      { changed: ['src/a.go'], head: { always: 'failure', 'not-docs': 'success', 'optional-always': 'failure' } },
      ['always'],
    ],
    [
      '/retest-required runs an unreported required automatic job, not an optional one',
      '/retest-required',
      { changed: ['src/a.go'], head: { 'not-docs': 'success' } },
      ['always'],
    ],
    ['/test-manual-required: required explicit-trigger jobs only', '/test-manual-required', { changed: ['docs/a.md'] }, ['manual']],
    [
      '/retest and /test together: the union',
      '/retest\n/test manual',
      { changed: ['src/a.go'], head: { always: 'failure', 'not-docs': 'success', 'optional-always': 'success' } },
      ['always', 'manual'],
    ],
    ['/test all and a forced job', '/test all docs', { changed: ['src/a.go'] }, ['always', 'docs', 'not-docs', 'optional-always']],
    ['text that asks nothing selects nothing', 'looks good', { changed: ['src/a.go'] }, []],
  ];
  for (const [title, body, world, expected] of cases) {
    it(title, async () => assert.deepEqual((await selected(body, all, world)).sort(), [...expected].sort()));
  }

  it('reads the head statuses only for /retest and /retest-required, once', async () => {
    let reads = 0;
    const head = async () => {
      reads++;
      return [];
    };
    await commentFilter('/test all', true, head);
    assert.equal(reads, 0);
    await commentFilter('/retest\n/retest-required', true, head);
    assert.equal(reads, 1);
  });
});

describe('postsubmit selection', () => {
  const push = (branch: string, changedFiles: string[], extra: { deleted?: boolean; after?: string } = {}) => ({
    branch,
    changedFiles,
    deleted: extra.deleted ?? false,
    after: extra.after ?? 'c'.repeat(40),
  });
  const jobs = [
    post('build'),
    post('never', { always_run: false }),
    post('docs', { run_if_changed: '^docs/' }),
    post('code', { skip_if_only_changed: '\\.md$' }),
    post('release', { branches: ['^release-'] }),
    post('not-main', { skip_branches: ['^main$'] }),
  ];
  const cases: Array<[string, ReturnType<typeof push>, string[]]> = [
    ['always_run defaults to true without a file filter', push('main', ['src/a.go']), ['build', 'code']],
    ['file filters apply to the pushed files', push('main', ['docs/a.md']), ['build', 'docs']],
    ['branch filters apply', push('release-1', ['x.md']), ['build', 'not-main', 'release']],
    ['no changed files: file-filtered jobs do not run', push('main', []), ['build']],
    ['a deleted branch runs nothing', push('main', ['src/a.go'], { deleted: true }), []],
    ['an all-zero after sha is a deletion', push('main', ['src/a.go'], { after: '0'.repeat(40) }), []],
  ];
  for (const [title, event, expected] of cases) {
    it(title, () =>
      assert.deepEqual(
        selectPostsubmits(jobs, event)
          .map((j) => j.name)
          .sort(),
        [...expected].sort(),
      ),
    );
  }
});
