import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Presubmit, presubmitSchema } from '../../src/config/jobs-schema.js';
import {
  HELP_NOTES,
  helpNote,
  isRelevant,
  OK_TO_TEST_CANCEL_RE,
  OK_TO_TEST_RE,
  RETEST_RE,
  rerunCommandOf,
  stripCodeBlocks,
  TEST_ALL_RE,
  triggerOf,
} from '../../src/jobs/job-patterns.js';

const job = (fields: Partial<Presubmit> & { name: string }): Presubmit => presubmitSchema.parse({ runner: 'r', ...fields });

/** The names of `jobs` whose trigger matches `body`. */
const triggered = (body: string, names: string[]) => names.filter((name) => triggerOf(job({ name })).test(body));

describe('per-job trigger (Prow §1.3)', () => {
  const cases: Array<[string, string[], string[]]> = [
    // comment, jobs, expected to trigger
    ['/test a b c', ['a', 'b', 'c'], ['a', 'b', 'c']],
    ['/test foo, bar', ['foo', 'bar'], ['foo', 'bar']],
    // Prow's regex wants whitespace or the end of the line after "name,": neither job runs (the
    // reference's prose says "foo only", which its own pattern contradicts).
    ['/test foo,bar', ['foo', 'bar'], []],
    ['/test foo, bar,', ['foo', 'bar'], ['foo', 'bar']],
    ['/test foobar', ['foo', 'foobar'], ['foobar']],
    ['/test all foo', ['foo', 'all'], ['foo', 'all']],
    ['/test foo\r\n', ['foo'], ['foo']],
    ['thanks!\n/test foo\nmore text', ['foo'], ['foo']],
    [' /test foo', ['foo'], []],
    ['> /test foo', ['foo'], []],
    ['/Test foo', ['foo'], []],
    ['/testfoo', ['foo'], []],
    // the name goes in unescaped: "." matches any character, as in Prow
    ['/test unitXtest', ['unit.test'], ['unit.test']],
  ];
  for (const [body, names, expected] of cases) {
    it(JSON.stringify(body), () => assert.deepEqual(triggered(body, names), expected));
  }

  it('/test all foo both matches test-all and triggers foo', () => {
    assert.ok(TEST_ALL_RE.test('/test all foo'));
    assert.deepEqual(triggered('/test all foo', ['foo']), ['foo']);
  });

  it('uses a custom trigger (Go flags included) and its rerun command', () => {
    const custom = job({ name: 'e2e', trigger: '(?m)^/e2e( please)?\\s*$', rerun_command: '/e2e' });
    assert.ok(triggerOf(custom).test('hi\n/e2e please'));
    assert.ok(!triggerOf(custom).test('/test e2e'));
    assert.equal(rerunCommandOf(custom), '/e2e');
    assert.equal(rerunCommandOf(job({ name: 'unit' })), '/test unit');
  });

  it('a custom trigger without (?m) is anchored at the start of the text, as in Go', () => {
    const custom = job({ name: 'x', trigger: '^please test', rerun_command: 'please test' });
    assert.ok(triggerOf(custom).test('please test this'));
    assert.ok(!triggerOf(custom).test('hello\nplease test this'));
  });
});

describe('command patterns', () => {
  it('/retest \\r\\n/other is a /retest: the \\r is whitespace, not a target', () => {
    assert.ok(RETEST_RE.test('/retest \r\n/other-command'));
    assert.equal(helpNote('/retest \r\n/other-command', 1), undefined);
  });

  it('/ok-to-test and its cancel are told apart', () => {
    assert.ok(OK_TO_TEST_RE.test('/ok-to-test  '));
    assert.ok(!OK_TO_TEST_RE.test('/ok-to-test cancel'));
    assert.ok(OK_TO_TEST_CANCEL_RE.test('/ok-to-test   cancel'));
    assert.ok(!OK_TO_TEST_RE.test('not /ok-to-test'));
  });
});

describe('help notes, in Prow order', () => {
  const cases: Array<[string, number, string | undefined]> = [
    ['/test ?', 0, ''],
    ['/test\t?  ', 3, ''],
    ['/test', 0, HELP_NOTES.noTarget],
    // the "?" is on the next line: a bare /test
    ['/test \r\n?', 0, HELP_NOTES.noTarget],
    ['/retest foo', 1, HELP_NOTES.retestWithTarget],
    ['/test all', 0, HELP_NOTES.noTestAllJobs],
    ['/test all', 2, undefined],
    ['/test foo', 0, HELP_NOTES.targetNotFound],
    ['/test foo', 1, undefined],
    ['/retest', 0, undefined],
  ];
  for (const [body, selected, note] of cases) {
    it(`${JSON.stringify(body)} with ${selected} selected`, () => assert.equal(helpNote(body, selected), note));
  }
});

describe('relevance gate', () => {
  const jobs = [
    job({ name: 'unit' }),
    job({ name: 'e2e', trigger: '(?m)^run the e2e tests please$', rerun_command: 'run the e2e tests please' }),
  ];
  const relevant = (body: string, honour = true) => isRelevant(stripCodeBlocks(body), jobs, honour);

  it('passes every trigger command, help-ish text and custom triggers', () => {
    for (const body of [
      '/retest',
      '/retest-required',
      '/test-manual-required',
      '/ok-to-test',
      '/ok-to-test cancel',
      '/test all',
      '/test',
      '/test ?',
      '/retest foo',
      '/test whatever',
      'run the e2e tests please',
    ]) {
      assert.ok(relevant(body), body);
    }
  });

  it('ignores other text, quoted lines, code blocks and HTML comments', () => {
    for (const body of [
      '/lgtm',
      'please /retest',
      '> /retest',
      '```\n/retest\n```',
      '~~~~\n/test all\n~~~~\n',
      '<!-- /retest -->',
      '/Retest',
    ]) {
      assert.ok(!relevant(body), body);
    }
  });

  it('ignores /ok-to-test where it is turned off', () => {
    assert.ok(!relevant('/ok-to-test', false));
    assert.ok(!relevant('/ok-to-test cancel', false));
  });

  it('strips each fenced block, and only up to its own closing fence', () => {
    assert.equal(stripCodeBlocks('a\n```\n/retest\n```\nb\n~~~\nx\n```\n~~~\nc'), 'a\nb\nc');
    assert.equal(stripCodeBlocks('````\n```\n/retest\n````\n/test x'), '/test x');
  });
});
