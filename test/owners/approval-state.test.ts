import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeApprovalState, RepoOwners } from '../../src/owners/index.js';

const build = (files: Record<string, string>) => {
  const { owners, errors } = RepoOwners.build(new Map(Object.entries(files)));
  assert.deepEqual(errors, []);
  return owners;
};
const approvers = (...logins: string[]) => `approvers: [${logins.join(', ')}]\n`;
const NPO = 'options:\n  no_parent_owners: true\n';
const fileIn = (dir: string) => (dir === '' ? 'root.go' : `${dir}/file.go`);

describe('computeApprovalState: collapse of the OwnersSet (§3.5 step 4 examples)', () => {
  const cases: Array<[string, Record<string, string>, string[], string[]]> = [
    ['{"", "a"} -> {""}', { OWNERS: approvers('r'), 'a/OWNERS': approvers('x') }, ['', 'a'], ['']],
    [
      '{"a","a/combo","a/d","b","c"} -> {"a","b","c"}',
      {
        'a/OWNERS': approvers('x'),
        'a/combo/OWNERS': approvers('x'),
        'a/d/OWNERS': approvers('x'),
        'b/OWNERS': approvers('x'),
        'c/OWNERS': approvers('x'),
      },
      ['a', 'a/combo', 'a/d', 'b', 'c'],
      ['a', 'b', 'c'],
    ],
    [
      '{"a","a/combo"} with no_parent_owners on a/combo -> both kept',
      { 'a/OWNERS': approvers('x'), 'a/combo/OWNERS': NPO + approvers('x') },
      ['a', 'a/combo'],
      ['a', 'a/combo'],
    ],
    [
      '{"a","a/b/combo"} with no_parent_owners on a/b -> both kept',
      { 'a/OWNERS': approvers('x'), 'a/b/OWNERS': NPO, 'a/b/combo/OWNERS': approvers('x') },
      ['a', 'a/b/combo'],
      ['a', 'a/b/combo'],
    ],
    [
      '{"a","a/b","a/b/combo"} with no_parent_owners on a/b -> {"a","a/b"}',
      { 'a/OWNERS': approvers('x'), 'a/b/OWNERS': NPO + approvers('x'), 'a/b/combo/OWNERS': approvers('x') },
      ['a', 'a/b', 'a/b/combo'],
      ['a', 'a/b'],
    ],
  ];
  for (const [name, files, ownersDirs, expected] of cases) {
    it(name, () => {
      const owners = build(files);
      assert.deepEqual(
        ownersDirs.map((d) => owners.approverOwnersDir(fileIn(d))),
        ownersDirs,
      );
      const state = computeApprovalState(owners, ownersDirs.map(fileIn), []);
      assert.deepEqual(
        state.dirs.map((d) => d.dir),
        expected,
      );
    });
  }

  it('files of a collapsed directory are listed under the directory that absorbed it', () => {
    const owners = build({ OWNERS: approvers('r'), 'a/OWNERS': approvers('x'), 'a/d/OWNERS': approvers('yan') });
    const state = computeApprovalState(owners, ['a/d/z.go', 'a/x.go', 'top.md'], ['x']);
    assert.deepEqual(state.dirs, [
      { dir: '', ownersFile: 'OWNERS', approved: false, approvedBy: ['x'], files: ['a/d/z.go', 'a/x.go', 'top.md'] },
    ]);
  });
});

describe('computeApprovalState: approvals', () => {
  const owners = build({
    OWNERS: approvers('root'),
    OWNERS_ALIASES: 'aliases:\n  a-team: [ann, al]\n',
    'a/OWNERS': approvers('a-team'),
    'b/OWNERS': approvers('bob', 'both'),
    'c/OWNERS': approvers('carl', 'both'),
    'n/OWNERS': NPO + approvers('nina'),
    'm/OWNERS': 'filters:\n  "\\\\.go$":\n    approvers: [gopher]\n  "\\\\.md$":\n    approvers: [writer]\n',
  });
  type Row = { approved: boolean; dirs: Array<[string, boolean, string[]]> };
  const view = (files: string[], logins: string[]): Row => {
    const s = computeApprovalState(owners, files, logins);
    return { approved: s.filesApproved, dirs: s.dirs.map((d) => [d.dir, d.approved, d.approvedBy]) };
  };
  const cases: Array<[string, string[], string[], Row]> = [
    ['zero files is not approved', [], ['root'], { approved: false, dirs: [] }],
    [
      'no approvals',
      ['a/x', 'b/y'],
      [],
      {
        approved: false,
        dirs: [
          ['a', false, []],
          ['b', false, []],
        ],
      },
    ],
    [
      'partial approval',
      ['a/x', 'b/y'],
      ['ann'],
      {
        approved: false,
        dirs: [
          ['a', true, ['ann']],
          ['b', false, []],
        ],
      },
    ],
    [
      'every directory approved',
      ['a/x', 'b/y'],
      ['AL', '@Bob'],
      {
        approved: true,
        dirs: [
          ['a', true, ['al']],
          ['b', true, ['bob']],
        ],
      },
    ],
    ['a root approver approves everything', ['a/x', 'b/y', 'z'], ['root'], { approved: true, dirs: [['', true, ['root']]] }],
    [
      'a root approver cannot approve below no_parent_owners',
      ['a/x', 'n/y'],
      ['root'],
      {
        approved: false,
        dirs: [
          ['a', true, ['root']],
          ['n', false, []],
        ],
      },
    ],
    [
      'one approver for two directories',
      ['b/1', 'c/2'],
      ['both'],
      {
        approved: true,
        dirs: [
          ['b', true, ['both']],
          ['c', true, ['both']],
        ],
      },
    ],
    [
      'a filtered directory needs an approver per filter',
      ['m/x.go', 'm/y.md'],
      ['gopher'],
      { approved: false, dirs: [['m', false, ['gopher']]] },
    ],
    [
      'a filtered directory fully approved',
      ['m/x.go', 'm/y.md'],
      ['gopher', 'writer'],
      { approved: true, dirs: [['m', true, ['gopher', 'writer']]] },
    ],
    ['duplicates and ./ paths are one file', ['./a/x', 'a/x'], ['ann'], { approved: true, dirs: [['a', true, ['ann']]] }],
    ['unrelated approvers do nothing', ['a/x'], ['stranger'], { approved: false, dirs: [['a', false, []]] }],
  ];
  for (const [name, files, logins, expected] of cases) {
    it(name, () => assert.deepEqual(view(files, logins), expected));
  }

  it('a collapsed-away file is still checked against its own approvers', () => {
    const o = build({
      'a/OWNERS': 'filters:\n  "\\\\.go$":\n    approvers: [gopher]\n  "\\\\.md$":\n    approvers: [writer]\n',
      'a/d/OWNERS': approvers('dee'),
    });
    const s = computeApprovalState(o, ['a/x.go', 'a/d/README.md'], ['gopher']);
    assert.deepEqual(
      s.dirs.map((d) => [d.dir, d.approved, d.files]),
      [['a', false, ['a/d/README.md', 'a/x.go']]],
    );
    assert.deepEqual(s.suggested.length, 1);
    assert.ok(['dee', 'writer'].includes(s.suggested[0]!));
  });
});

describe('computeApprovalState: auto_approve_unowned_subfolders', () => {
  const owners = build({
    OWNERS: approvers('root'),
    'a/OWNERS': `options:\n  auto_approve_unowned_subfolders: true\n${approvers('a-appr')}`,
    'a/d/OWNERS': approvers('d-appr'),
    'ab/OWNERS': approvers('ab-appr'),
  });
  const cases: Array<[string, string[], { approved: boolean; dirs: string[] }]> = [
    ['a new unowned subfolder is exempt', ['a/new-folder/test.go'], { approved: true, dirs: [] }],
    ['deeper in an unowned subfolder too', ['a/new-folder/x/y/test.go'], { approved: true, dirs: [] }],
    ['a file directly in the owners dir is not', ['a/test.go'], { approved: false, dirs: ['a'] }],
    ['a subfolder with its own OWNERS is not', ['a/d/x.go'], { approved: false, dirs: ['a/d'] }],
    ['a sibling whose name starts alike is not', ['ab/new/x.go'], { approved: false, dirs: ['ab'] }],
    ['exempt files drop out, the rest still need approval', ['a/new-folder/test.go', 'a/test.go'], { approved: false, dirs: ['a'] }],
  ];
  for (const [name, files, expected] of cases) {
    it(name, () => {
      const s = computeApprovalState(owners, files, []);
      assert.deepEqual({ approved: s.filesApproved, dirs: s.dirs.map((d) => d.dir) }, expected);
    });
  }

  it('on a root OWNERS: unowned top-level folders are exempt, root files are not', () => {
    const o = build({ OWNERS: `options:\n  auto_approve_unowned_subfolders: true\n${approvers('root')}`, 'owned/OWNERS': approvers('o') });
    const check = (files: string[]) => {
      const s = computeApprovalState(o, files, []);
      return [s.filesApproved, s.dirs.map((d) => d.dir)];
    };
    assert.deepEqual(check(['newdir/x.go']), [true, []]);
    assert.deepEqual(check(['README.md']), [false, ['']]);
    assert.deepEqual(check(['owned/x.go']), [false, ['owned']]);
  });
});

describe('computeApprovalState: suggested approvers', () => {
  it('one person approving both directories is preferred, whatever the seed', () => {
    const owners = build({ 'a/OWNERS': approvers('a1', 'both'), 'b/OWNERS': approvers('b1', 'both') });
    for (let seed = 0; seed < 20; seed++) {
      assert.deepEqual(computeApprovalState(owners, ['a/x', 'b/y'], [], { seed }).suggested, ['both']);
    }
  });

  it('only unapproved directories are covered; approvers already in are not suggested', () => {
    const owners = build({ 'a/OWNERS': approvers('a1'), 'b/OWNERS': approvers('b1'), 'c/OWNERS': approvers('c1') });
    assert.deepEqual(computeApprovalState(owners, ['a/x', 'b/y', 'c/z'], ['b1']).suggested, ['a1', 'c1']);
    assert.deepEqual(computeApprovalState(owners, ['a/x'], ['a1']).suggested, []);
  });

  it('leaf approvers are the candidates: root approvers only when a directory has no closer ones', () => {
    const owners = build({ OWNERS: approvers('root'), 'a/OWNERS': approvers('a1'), 'z/OWNERS': 'reviewers: [zed]\n' });
    assert.deepEqual(computeApprovalState(owners, ['a/x'], []).suggested, ['a1']);
    assert.deepEqual(computeApprovalState(owners, ['a/x', 'z/y'], []).suggested, ['root']);
  });

  it('nobody to suggest when no OWNERS names an approver', () => {
    const owners = build({ 'a/OWNERS': 'reviewers: [r]\n' });
    const s = computeApprovalState(owners, ['a/x'], ['r']);
    assert.deepEqual([s.filesApproved, s.dirs.map((d) => d.dir), s.suggested], [false, [''], []]);
  });

  it('the suggestions cover every unapproved directory (many directories, several seeds)', () => {
    const files: Record<string, string> = { OWNERS: approvers('root') };
    const changed: string[] = [];
    for (let i = 0; i < 40; i++) {
      const dir = `d${i % 8}/s${i}`;
      files[`${dir}/OWNERS`] =
        i % 5 === 0
          ? `filters:\n  "\\\\.go$":\n    approvers: [go${i % 3}]\n  "\\\\.md$":\n    approvers: [md${i % 4}]\n`
          : approvers(`p${i % 7}`, `q${i % 11}`);
      changed.push(`${dir}/x.go`, `${dir}/y.md`);
    }
    const owners = build(files);
    for (const seed of [0, 1, 42, 12345]) {
      const s = computeApprovalState(owners, changed, ['p3'], { seed });
      assert.equal(s.filesApproved, false);
      assert.deepEqual(s.suggested, [...s.suggested].sort());
      const unapproved = s.dirs.filter((d) => !d.approved);
      assert.ok(unapproved.length > 0);
      for (const d of unapproved) {
        for (const f of d.files) {
          const can = owners.approvers(f);
          assert.ok(can.has('p3') || s.suggested.some((l) => can.has(l)), `${f} of ${d.dir} not covered by ${s.suggested}`);
        }
      }
      // with the suggestions added, everything is approved
      assert.equal(computeApprovalState(owners, changed, ['p3', ...s.suggested]).filesApproved, true);
    }
  });

  it('the same seed gives the same suggestions', () => {
    const owners = build({ 'a/OWNERS': approvers('a1', 'a2', 'a3'), 'b/OWNERS': approvers('b1', 'b2') });
    const a = computeApprovalState(owners, ['a/x', 'b/y'], [], { seed: 7 }).suggested;
    assert.deepEqual(computeApprovalState(owners, ['a/x', 'b/y'], [], { seed: 7 }).suggested, a);
    assert.equal(a.length, 2);
  });
});
