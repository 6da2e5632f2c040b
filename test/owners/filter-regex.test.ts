import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern, FilterPatternError } from '../../src/owners/index.js';

describe('compileFilterPattern: accepted patterns and how they match', () => {
  // pattern, paths expected to match, paths expected not to match
  const cases: Array<[string, string[], string[]]> = [
    ['\\.go$', ['a.go', 'x/y/z.go'], ['a.gox', 'go']],
    ['^docs/', ['docs/a.md'], ['x/docs/a.md']],
    ['(^|/)BUILD(\\.bazel)?$', ['BUILD', 'a/BUILD.bazel'], ['xBUILD', 'BUILD.txt']],
    ['.*_test\\.go$', ['a_test.go', 'p/b_test.go'], ['a.go']],
    ['^pkg/.*/zz_generated\\..*\\.go$', ['pkg/a/zz_generated.deepcopy.go'], ['pkg/zz_generated.x.go']],
    ['(foo|bar)+\\.txt', ['foobar.txt', 'barfoo.txt'], ['baz.txt']],
    ['(?i)readme', ['README.md', 'ReadMe'], ['read.me']],
    ['(?P<ext>\\.ya?ml)$', ['a.yaml', 'b.yml'], ['c.yamlx']],
    ['\\Asrc/', ['src/a'], ['x/src/a']],
    ['[]x]y', [']y', 'xy'], ['y']],
    ['a{2,3}b', ['aab', 'xaaab'], ['ab']],
    ['x{', ['x{'], ['x']],
    ['.*/testdata/.*', ['a/testdata/b'], ['testdata/b']],
    ['^[^/]+/[^/]+/OWNERS$', ['a/b/OWNERS'], ['a/OWNERS', 'a/b/c/OWNERS']],
    ['^.*\\.md$', ['a.md', 'x/b.md'], ['a.mdx']],
    ['a|.*', ['', 'zzz'], []],
    ['.*', ['', 'x'], []],
  ];
  for (const [pattern, yes, no] of cases) {
    it(pattern, () => {
      const re = compileFilterPattern(pattern);
      assert.deepEqual(
        [...yes, ...no].map((p) => re.test(p)),
        [...yes.map(() => true), ...no.map(() => false)],
      );
    });
  }
});

describe('compileFilterPattern: rejected patterns', () => {
  const cases: Array<[string, RegExp]> = [
    ['(a+)+$', /nested quantifier/],
    ['(.*)*', /nested quantifier/],
    ['(x*y)+', /nested quantifier/],
    ['(a?){3}', /nested quantifier/],
    ['((a+)b)*', /nested quantifier/],
    ['(a|a)*', /ambiguous repeated alternation/],
    ['(a|ab)+c', /ambiguous repeated alternation/],
    ['(\\w|_)*', /ambiguous repeated alternation/],
    ['(|a)*', /ambiguous repeated alternation/],
    ['(?i)(A|a)+', /ambiguous repeated alternation/],
    ['.*.*.*x', /more than 1 open-ended quantifier \(\*, \+, \{n,\}\) in an unanchored pattern/],
    ['\\w+\\w+x', /more than 1 open-ended quantifier/],
    ['[^/]+/[^/]+/OWNERS$', /anchor it with \^/],
    ['^a.*|b.*c.*', /more than 1 open-ended quantifier/],
    ['^a+b+c+', /more than 2 open-ended quantifiers \(\*, \+, \{n,\}\) in an anchored pattern/],
    ['x.{0,100}y.{0,100}z', /more than 1 open-ended quantifier/],
    ['a{1,2000}', /repeat count above 1000/],
    ['x'.repeat(257), /longer than 256/],
    ['', /empty pattern/],
    ['(a)\\1', /backreferences/],
    ['a(?=b)', /lookaround/],
    ['(?<!a)b', /lookaround/],
    ['(?i:a)b', /inline flags are only supported at the start/],
    ['(?U)a', /unsupported inline flag "U"/],
    ['\\pL', /unsupported escape \\p/],
    ['\\Qa.b\\E', /unsupported escape \\Q/],
    ['[[:alpha:]]', /POSIX character classes/],
    ['a**', /nested repetition operator/],
    ['*a', /nothing to repeat/],
    ['(a', /missing closing \)/],
    ['a)', /unmatched \)/],
    ['[a', /missing closing \]/],
    ['a\\', /trailing backslash/],
  ];
  for (const [pattern, problem] of cases) {
    it(pattern.length > 40 ? `${pattern.slice(0, 20)}… (${pattern.length} chars)` : pattern, () => {
      assert.throws(
        () => compileFilterPattern(pattern),
        (err: unknown) => {
          assert.ok(err instanceof FilterPatternError);
          assert.match(err.message, problem);
          return true;
        },
      );
    });
  }

  // How long they take is measured by bench/filter-regex.ts; here, that they answer. One that
  // backtracked exponentially would not finish on this path, and the test would time out.
  it('accepted worst cases answer on a long adversarial path', () => {
    const path = `${'a'.repeat(1000)}!`;
    for (const pattern of ['.*.*x', '.*x.*', '(ab|cd)*x', '^\\w+\\w+x', '^(foo|bar)+$', 'a{0,16}a{0,16}a{0,16}x', '^.*a.*x']) {
      assert.equal(compileFilterPattern(pattern).test(path), false, pattern);
    }
  });
});
