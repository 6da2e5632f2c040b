import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OwnersFile, OwnersFileError, parseOwnersFile } from '../../src/owners/index.js';

/** A parsed file as plain data: filter patterns by source ('*' for "every file"). */
const plain = (f: OwnersFile) => ({
  dir: f.dir,
  options: f.options,
  filters: f.filters.map((x) => ({ pattern: x.pattern ? x.pattern.source : '*', ...x.entry })),
});
const entry = (over: Partial<Record<'approvers' | 'reviewers' | 'requiredReviewers' | 'labels', string[]>>) => ({
  approvers: [],
  reviewers: [],
  requiredReviewers: [],
  labels: [],
  ...over,
});
const noOptions = { noParentOwners: false, autoApproveUnownedSubfolders: false };

describe('parseOwnersFile: accepted shapes', () => {
  const cases: Array<[string, string, string, ReturnType<typeof plain>]> = [
    [
      'simple form',
      'a/b/OWNERS',
      'approvers: [alice, bob]\nreviewers: [carol]\nrequired_reviewers: [dave]\nlabels: [sig/x]\n',
      {
        dir: 'a/b',
        options: noOptions,
        filters: [
          { pattern: '*', ...entry({ approvers: ['alice', 'bob'], reviewers: ['carol'], requiredReviewers: ['dave'], labels: ['sig/x'] }) },
        ],
      },
    ],
    [
      'root OWNERS has dir ""',
      'OWNERS',
      'approvers: [alice]',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['alice'] }) }] },
    ],
    [
      'path canonicalized',
      './pkg/OWNERS',
      'approvers: [alice]',
      { dir: 'pkg', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['alice'] }) }] },
    ],
    [
      'logins normalized: lower-case, no leading @, deduplicated',
      'OWNERS',
      'approvers: ["@CJWagner", cjwagner, Alice]\nreviewers: ["@Bob"]',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['cjwagner', 'alice'], reviewers: ['bob'] }) }] },
    ],
    [
      'labels keep their case',
      'OWNERS',
      'labels: [Area/Foo]',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ labels: ['Area/Foo'] }) }] },
    ],
    [
      'options',
      'x/OWNERS',
      'options:\n  no_parent_owners: true\n  auto_approve_unowned_subfolders: true\napprovers: [a]',
      {
        dir: 'x',
        options: { noParentOwners: true, autoApproveUnownedSubfolders: true },
        filters: [{ pattern: '*', ...entry({ approvers: ['a'] }) }],
      },
    ],
    [
      'YAML 1.1 booleans in options, like Go',
      'OWNERS',
      'options: {no_parent_owners: yes}\napprovers: [a]',
      {
        dir: '',
        options: { noParentOwners: true, autoApproveUnownedSubfolders: false },
        filters: [{ pattern: '*', ...entry({ approvers: ['a'] }) }],
      },
    ],
    [
      'emeritus_approvers accepted and ignored',
      'OWNERS',
      'approvers: [a]\nemeritus_approvers: [old]',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['a'] }) }] },
    ],
    [
      'filtered form',
      'OWNERS',
      'filters:\n  "\\\\.go$":\n    approvers: [gopher]\n  "^docs/":\n    reviewers: [writer]\n    labels: [kind/docs]\n',
      {
        dir: '',
        options: noOptions,
        filters: [
          { pattern: '\\.go$', ...entry({ approvers: ['gopher'] }) },
          { pattern: '^docs\\/', ...entry({ reviewers: ['writer'], labels: ['kind/docs'] }) },
        ],
      },
    ],
    [
      '".*" filter applies to every file',
      'OWNERS',
      'filters:\n  ".*":\n    approvers: [all]\n  "\\\\.md$":\n    approvers: [doc]\n',
      {
        dir: '',
        options: noOptions,
        filters: [
          { pattern: '*', ...entry({ approvers: ['all'] }) },
          { pattern: '\\.md$', ...entry({ approvers: ['doc'] }) },
        ],
      },
    ],
    [
      'mixed form: top-level approvers win, filters ignored',
      'OWNERS',
      'approvers: [top]\nfilters:\n  "\\\\.go$":\n    approvers: [gopher]\n',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['top'] }) }] },
    ],
    [
      'simple form with only emeritus falls through to filters',
      'OWNERS',
      'emeritus_approvers: [old]\nfilters:\n  "\\\\.go$":\n    approvers: [gopher]\n',
      { dir: '', options: noOptions, filters: [{ pattern: '\\.go$', ...entry({ approvers: ['gopher'] }) }] },
    ],
    [
      'options only',
      'a/OWNERS',
      'options:\n  no_parent_owners: true\n',
      { dir: 'a', options: { noParentOwners: true, autoApproveUnownedSubfolders: false }, filters: [] },
    ],
    ['empty file', 'OWNERS', '', { dir: '', options: noOptions, filters: [] }],
    [
      'byte-order mark and CRLF line endings',
      'OWNERS',
      '\ufeffapprovers:\r\n  - Alice\r\n',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ approvers: ['alice'] }) }] },
    ],
    ['comments only', 'OWNERS', '# nobody yet\n', { dir: '', options: noOptions, filters: [] }],
    [
      'null lists are empty',
      'OWNERS',
      'approvers:\nreviewers: [r]\n',
      { dir: '', options: noOptions, filters: [{ pattern: '*', ...entry({ reviewers: ['r'] }) }] },
    ],
    [
      'a null filter body',
      'OWNERS',
      'filters:\n  "\\\\.go$":\n',
      { dir: '', options: noOptions, filters: [{ pattern: '\\.go$', ...entry({}) }] },
    ],
    [
      'Go-style (?i) filter',
      'OWNERS',
      'filters:\n  "(?i)readme":\n    approvers: [a]\n',
      { dir: '', options: noOptions, filters: [{ pattern: 'readme', ...entry({ approvers: ['a'] }) }] },
    ],
  ];
  for (const [name, path, text, expected] of cases) {
    it(name, () => assert.deepEqual(plain(parseOwnersFile(path, text)), expected));
  }

  it('filter regexes are unanchored searches; (?i) is case-insensitive', () => {
    const f = parseOwnersFile('OWNERS', 'filters:\n  "\\\\.go$":\n    approvers: [a]\n  "(?i)readme":\n    approvers: [b]\n');
    const [go, readme] = f.filters.map((x) => x.pattern!);
    assert.deepEqual(
      ['x.go', 'sub/y.go', 'x.gob', 'README.md', 'docs/Readme'].map((p) => [go!.test(p), readme!.test(p)]),
      [
        [true, false],
        [true, false],
        [false, false],
        [false, true],
        [false, true],
      ],
    );
  });
});

describe('parseOwnersFile: malformed files are errors naming the file', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['bad YAML', 'approvers: [alice\n', /^invalid YAML/],
    ['bad indentation', 'approvers:\n  - a\n - b\n', /^invalid YAML/],
    ['tab indentation', 'approvers:\n\t- a\n', /^invalid YAML: Tabs are not allowed as indentation at line 2, column 1$/],
    ['duplicate key', 'approvers: [a]\napprovers: [b]\n', /^invalid YAML/],
    ['unknown top-level key', 'approvers: [a]\napprover: [b]\n', /unknown key "approver"/],
    ['unknown option', 'options:\n  no_parents: true\napprovers: [a]\n', /options: unknown key "no_parents"/],
    ['non-boolean option', 'options:\n  no_parent_owners: "sure"\napprovers: [a]\n', /options.no_parent_owners must be true or false/],
    ['a string where a list is expected', 'approvers: alice\n', /approvers must be a list, not a string/],
    ['a mapping where a list is expected', 'reviewers: {a: 1}\n', /reviewers must be a list, not a mapping/],
    ['a non-string login', 'approvers: [alice, 42]\n', /approvers: every login must be a string, not a number/],
    ['a YAML 1.1 boolean login', 'approvers: [alice, no]\n', /every login must be a string, not a boolean/],
    ['an empty login', 'approvers: ["@"]\n', /approvers: empty login/],
    ['a login with spaces', 'approvers: ["alice bob"]\n', /contains whitespace/],
    ['top level is a list', '- alice\n', /expected a mapping at the top level/],
    ['filters not a mapping', 'filters: [a]\n', /filters must be a mapping/],
    ['unknown key inside a filter', 'filters:\n  "\\\\.go$":\n    aprovers: [a]\n', /filters."\\\.go\$": unknown key "aprovers"/],
    ['options inside a filter', 'filters:\n  "\\\\.go$":\n    options: {}\n', /unknown key "options"/],
    ['invalid filter regex', 'filters:\n  "a(b":\n    approvers: [a]\n', /bad regex "a\(b": missing closing \)/],
    [
      'invalid filter regex in an ignored (mixed-form) filters section',
      'approvers: [a]\nfilters:\n  "[a":\n    approvers: [b]\n',
      /bad regex "\[a"/,
    ],
    ['catastrophic filter regex (a+)+', 'filters:\n  "(a+)+$":\n    approvers: [a]\n', /bad regex "\(a\+\)\+\$": nested quantifier/],
    ['catastrophic filter regex (.*)*', 'filters:\n  "(.*)*":\n    approvers: [a]\n', /nested quantifier/],
    ['catastrophic filter regex (a|a)*', 'filters:\n  "(a|a)*b":\n    approvers: [a]\n', /ambiguous repeated alternation/],
    ['over-long filter regex', `filters:\n  "${'a'.repeat(300)}":\n    approvers: [a]\n`, /longer than 256/],
  ];
  for (const [name, text, problem] of cases) {
    it(name, () => {
      assert.throws(
        () => parseOwnersFile('pkg/api/OWNERS', text),
        (err: unknown) => {
          assert.ok(err instanceof OwnersFileError);
          assert.equal(err.file, 'pkg/api/OWNERS');
          assert.match(err.problem, problem);
          assert.equal(err.message, `pkg/api/OWNERS: ${err.problem}`);
          return true;
        },
      );
    });
  }
});
