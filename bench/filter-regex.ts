// OWNERS filter patterns against adversarial paths (prints figures; not a test).
//
//   node --import tsx bench/filter-regex.ts [--length 1000] [--runs 20]
//
// compileFilterPattern refuses the patterns that backtrack badly (nested quantifiers, ambiguous
// repeated alternation, too many open-ended quantifiers). This times the worst of what it accepts
// on a path built to make a backtracking engine work hard: `--length` times "a", then "!", which
// none of them matches. It reports each pattern's slowest and median run; the budget it was
// written for is 50 ms per test. test/owners/filter-regex.test.ts checks the same patterns' answers.
import minimist from 'minimist';
import { compileFilterPattern } from '../src/owners/index.js';

/** The worst cases compileFilterPattern accepts; the test file lists the same ones. */
const ACCEPTED_WORST_CASES = ['.*.*x', '.*x.*', '(ab|cd)*x', '^\\w+\\w+x', '^(foo|bar)+$', 'a{0,16}a{0,16}a{0,16}x', '^.*a.*x'];
const BUDGET_MS = 50;

const args = minimist(process.argv.slice(2), { default: { length: 1000, runs: 20 } });
const path = `${'a'.repeat(Number(args.length))}!`;
const runs = Number(args.runs);

console.log(`path: ${args.length} x "a" then "!"; ${runs} runs per pattern; budget ${BUDGET_MS} ms`);
for (const pattern of ACCEPTED_WORST_CASES) {
  const re = compileFilterPattern(pattern);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    re.test(path);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const max = times.at(-1)!;
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `${pattern.padEnd(26)} median ${median.toFixed(2).padStart(7)} ms  max ${max.toFixed(2).padStart(7)} ms${max > BUDGET_MS ? '  OVER BUDGET' : ''}`,
  );
}
