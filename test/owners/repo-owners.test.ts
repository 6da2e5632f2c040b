import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepoOwners } from '../../src/owners/index.js';

const build = (files: Record<string, string>) => RepoOwners.build(new Map(Object.entries(files)));
const sorted = (s: Set<string>) => [...s].sort();

const FILES: Record<string, string> = {
  OWNERS: 'approvers: [root-a]\nreviewers: [root-r]\nlabels: [root-label]\n',
  OWNERS_ALIASES: 'aliases:\n  team-x: [xavier, xena]\n  empty-team:\n',
  'a/OWNERS': 'approvers: [a-appr, Team-X]\nreviewers: [a-rev]\nrequired_reviewers: [a-req]\nlabels: [area/a]\n',
  'a/b/OWNERS': 'options:\n  no_parent_owners: true\napprovers: [b-appr]\nreviewers: [b-rev]\n',
  'a/b/c/OWNERS': 'approvers: [c-appr]\n',
  'd/OWNERS': [
    'filters:',
    '  "\\\\.go$":',
    '    approvers: [go-appr]',
    '  ".*":',
    '    reviewers: [d-rev]',
    '  "^docs/":',
    '    approvers: [docs-appr]',
    '    labels: [kind/docs]',
  ].join('\n'),
  // no_parent_owners whose only filter is for markdown: other files walk on upward (rule c)
  'd/e/OWNERS': 'options:\n  no_parent_owners: true\nfilters:\n  "\\\\.md$":\n    approvers: [md-appr]\n',
  'f/OWNERS': 'approvers: [empty-team]\n',
  'g/OWNERS': 'approvers: [x]\nunknown: 1\n',
  'vendor/x/OWNERS': 'approvers: [vendor-x]\n',
  'vendor/x/y/OWNERS': 'approvers: [vendored]\n',
  '.git/OWNERS': 'approvers: [git]\n',
  '_output/OWNERS': 'approvers: [output]\n',
  'a/README.md': 'not an OWNERS file',
};

describe('RepoOwners per-file lookups', () => {
  const { owners, errors } = build(FILES);

  it('reports the broken file and nothing else', () => {
    assert.deepEqual(
      errors.map((e) => [e.file, e.problem]),
      [
        [
          'g/OWNERS',
          'unknown key "unknown" (allowed: options, approvers, reviewers, required_reviewers, labels, emeritus_approvers, filters)',
        ],
      ],
    );
  });

  type Row = {
    approvers: string[];
    leafApprovers: string[];
    reviewers: string[];
    leafReviewers: string[];
    requiredReviewers: string[];
    labels: string[];
    ownersDir: string;
  };
  const cases: Array<[string, string, Row]> = [
    [
      'a root file',
      'README.md',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      'nested OWNERS: every layer, alias expanded case-insensitively',
      'a/x.go',
      {
        approvers: ['a-appr', 'root-a', 'xavier', 'xena'],
        leafApprovers: ['a-appr', 'xavier', 'xena'],
        reviewers: ['a-rev', 'root-r'],
        leafReviewers: ['a-rev'],
        requiredReviewers: ['a-req'],
        labels: ['area/a', 'root-label'],
        ownersDir: 'a',
      },
    ],
    [
      'no_parent_owners cuts off the roles it has, not the others',
      'a/b/x.go',
      {
        approvers: ['b-appr'],
        leafApprovers: ['b-appr'],
        reviewers: ['b-rev'],
        leafReviewers: ['b-rev'],
        requiredReviewers: ['a-req'],
        labels: ['area/a', 'root-label'],
        ownersDir: 'a/b',
      },
    ],
    [
      'below no_parent_owners: layers up to and including it',
      'a/b/c/deep/x.go',
      {
        approvers: ['b-appr', 'c-appr'],
        leafApprovers: ['c-appr'],
        reviewers: ['b-rev'],
        leafReviewers: ['b-rev'],
        requiredReviewers: ['a-req'],
        labels: ['area/a', 'root-label'],
        ownersDir: 'a/b/c',
      },
    ],
    [
      'filter matches',
      'd/main.go',
      {
        approvers: ['go-appr', 'root-a'],
        leafApprovers: ['go-appr'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: 'd',
      },
    ],
    [
      'filter on the path relative to the OWNERS dir',
      'd/docs/guide.md',
      {
        approvers: ['docs-appr', 'root-a'],
        leafApprovers: ['docs-appr'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['kind/docs', 'root-label'],
        ownersDir: 'd',
      },
    ],
    [
      'no approver filter matches: owners dir is higher',
      'd/notes.txt',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      'no_parent_owners with a matching filter stops the walk',
      'd/e/readme.md',
      {
        approvers: ['md-appr'],
        leafApprovers: ['md-appr'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: 'd/e',
      },
    ],
    [
      'rule (c): no_parent_owners whose filters do not match lets the walk continue',
      'd/e/x.go',
      {
        approvers: ['go-appr', 'root-a'],
        leafApprovers: ['go-appr'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: 'd',
      },
    ],
    [
      'filter matched deeper below the OWNERS dir',
      'd/e/docs/x.md',
      {
        approvers: ['md-appr'],
        leafApprovers: ['md-appr'],
        reviewers: ['d-rev', 'root-r'],
        leafReviewers: ['d-rev'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: 'd/e',
      },
    ],
    [
      'an empty alias expands to nothing',
      'f/x',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      'a broken OWNERS contributes nothing',
      'g/x',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      'vendor/x is read, vendor/x/y is denylisted',
      'vendor/x/y/z.go',
      {
        approvers: ['root-a', 'vendor-x'],
        leafApprovers: ['vendor-x'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: 'vendor/x',
      },
    ],
    [
      '.git is denylisted',
      '.git/x',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      '_output is denylisted',
      '_output/x',
      {
        approvers: ['root-a'],
        leafApprovers: ['root-a'],
        reviewers: ['root-r'],
        leafReviewers: ['root-r'],
        requiredReviewers: [],
        labels: ['root-label'],
        ownersDir: '',
      },
    ],
    [
      'a non-canonical path',
      './a/x.go',
      {
        approvers: ['a-appr', 'root-a', 'xavier', 'xena'],
        leafApprovers: ['a-appr', 'xavier', 'xena'],
        reviewers: ['a-rev', 'root-r'],
        leafReviewers: ['a-rev'],
        requiredReviewers: ['a-req'],
        labels: ['area/a', 'root-label'],
        ownersDir: 'a',
      },
    ],
  ];
  for (const [name, file, expected] of cases) {
    it(`${name} (${file})`, () => {
      // twice: the second answer comes from the per-directory memo
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(
          {
            approvers: sorted(owners.approvers(file)),
            leafApprovers: sorted(owners.leafApprovers(file)),
            reviewers: sorted(owners.reviewers(file)),
            leafReviewers: sorted(owners.leafReviewers(file)),
            requiredReviewers: sorted(owners.requiredReviewers(file)),
            labels: sorted(owners.labels(file)),
            ownersDir: owners.approverOwnersDir(file),
          },
          expected,
        );
      }
    });
  }

  it('approval() bundles ownersDir, approvers and leaf approvers, shared by files alike', () => {
    const facts = owners.approval('d/e/x.go');
    assert.deepEqual(
      { ownersDir: facts.ownersDir, approvers: [...facts.approvers].sort(), leaf: [...facts.leafApprovers].sort() },
      { ownersDir: 'd', approvers: ['go-appr', 'root-a'], leaf: ['go-appr'] },
    );
    assert.equal(owners.approval('d/e/y.go'), facts); // same filter matches on the same chain
    assert.equal(owners.approval('d/e/f/g/z.go'), facts); // no OWNERS below d/e: same chain
    assert.notEqual(owners.approval('d/e/z.md'), facts);
    assert.equal(owners.approval('a/b/c/1/2/3'), owners.approval('a/b/c/x'));
  });

  it('returned sets are copies', () => {
    owners.approvers('a/x.go').add('intruder');
    owners.leafApprovers('a/x.go').clear();
    assert.deepEqual(sorted(owners.approvers('a/x.go')), ['a-appr', 'root-a', 'xavier', 'xena']);
    assert.deepEqual(sorted(owners.leafApprovers('a/x.go')), ['a-appr', 'xavier', 'xena']);
  });

  it('options and OWNERS paths per directory', () => {
    assert.deepEqual(owners.options('a/b'), { noParentOwners: true, autoApproveUnownedSubfolders: false });
    assert.deepEqual(owners.options('a/b/'), { noParentOwners: true, autoApproveUnownedSubfolders: false });
    assert.deepEqual(owners.options('a'), { noParentOwners: false, autoApproveUnownedSubfolders: false });
    assert.deepEqual(owners.options('nowhere'), { noParentOwners: false, autoApproveUnownedSubfolders: false });
    assert.deepEqual(
      ['', 'a/b', './x/'].map((d) => owners.ownersFilePath(d)),
      ['OWNERS', 'a/b/OWNERS', 'x/OWNERS'],
    );
    assert.deepEqual(owners.ownersDirs(), ['', 'a', 'a/b', 'a/b/c', 'd', 'd/e', 'f', 'vendor/x']);
  });
});

describe('RepoOwners.build with broken aliases', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a string alias value', 'aliases:\n  team-x: ""\n', /alias group must contain a list of members/],
    ['a nested alias', 'aliases:\n  team-x: [xavier, leads]\n  leads: [lee]\n', /nested alias "leads"/],
    ['bad YAML', 'aliases:\n  team-x: [xavier\n', /invalid YAML/],
  ];
  for (const [name, aliases, problem] of cases) {
    it(`${name}: reported, and aliases treated as empty`, () => {
      const { owners, errors } = build({ OWNERS: 'approvers: [team-x, root]\n', OWNERS_ALIASES: aliases });
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.file, 'OWNERS_ALIASES');
      assert.match(errors[0]!.problem, problem);
      assert.deepEqual(sorted(owners.approvers('x.go')), ['root', 'team-x']);
    });
  }

  it('an OWNERS_ALIASES below the root is not an aliases file', () => {
    const { owners, errors } = build({ OWNERS: 'approvers: [team-x]\n', 'sub/OWNERS_ALIASES': 'aliases:\n  team-x: [xavier]\n' });
    assert.deepEqual(errors, []);
    assert.deepEqual(sorted(owners.approvers('x.go')), ['team-x']);
  });

  it('aliases expand in approvers, reviewers and required_reviewers, not labels', () => {
    const { owners } = build({
      OWNERS: 'approvers: [t]\nreviewers: [t, r]\nrequired_reviewers: [T]\nlabels: [t]\n',
      OWNERS_ALIASES: 'aliases:\n  t: [m1, m2]\n',
    });
    assert.deepEqual([owners.approvers('x'), owners.reviewers('x'), owners.requiredReviewers('x'), owners.labels('x')].map(sorted), [
      ['m1', 'm2'],
      ['m1', 'm2', 'r'],
      ['m1', 'm2'],
      ['t'],
    ]);
  });

  it('a repo without OWNERS files has no owners', () => {
    const { owners, errors } = build({});
    assert.deepEqual(errors, []);
    assert.deepEqual([sorted(owners.approvers('a/b.go')), owners.approverOwnersDir('a/b.go')], [[], '']);
  });
});
