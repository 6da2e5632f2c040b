// What a comment asks of the trigger plugin, with Prow's patterns: each is
// line-anchored and case-sensitive, evaluated on the whole comment text.
import type { Presubmit } from '../config/jobs-schema.js';
import { compileFilterPattern } from '../owners/filter-regex.js';

export const OK_TO_TEST_RE = /^\/ok-to-test\s*$/m;
export const OK_TO_TEST_CANCEL_RE = /^\/ok-to-test\s+cancel\s*$/m;
export const TEST_ALL_RE = /^\/test all,?($|\s.*)/m;
export const RETEST_RE = /^\/retest\s*$/m;
export const RETEST_REQUIRED_RE = /^\/retest-required\s*$/m;
export const TEST_MANUAL_REQUIRED_RE = /^\/test-manual-required\s*$/m;
/** `/test ?`: list the jobs */
const TEST_HELP_RE = /^\/test[ \t]*\?\s*$/m;
/** a bare `/test` */
const TEST_NO_TARGET_RE = /^\/test\s*$/m;
/** `/retest` takes no targets */
const RETEST_WITH_TARGET_RE = /^\/retest[ \t]+\S+/m;
const TEST_WITH_TARGET_RE = /^\/test[ \t]+\S+/m;

const compiled = new Map<string, RegExp>();

/**
 * A pattern from the configuration, compiled once. User patterns go through the OWNERS filter
 * compiler, which accepts only patterns that match in bounded time (config validation rejects the
 * others at load, so this does not throw on a validated configuration).
 */
export function compilePattern(source: string): RegExp {
  let re = compiled.get(source);
  if (!re) compiled.set(source, (re = compileFilterPattern(source)));
  return re;
}

const defaultTriggers = new Map<string, RegExp>();

/**
 * The job's trigger: its own `trigger`, else Prow's default, where the name goes in unescaped (job
 * names are [A-Za-z0-9._-], so a "." matches any character, as in Prow).
 */
export function triggerOf(job: Presubmit): RegExp {
  if (job.trigger) return compilePattern(job.trigger);
  let re = defaultTriggers.get(job.name);
  if (!re) defaultTriggers.set(job.name, (re = new RegExp(`^/test( | .* )${job.name},?($|\\s.*)`, 'm')));
  return re;
}

/** The command that runs the job again, as help lists it. */
export const rerunCommandOf = (job: Presubmit): string => job.rerun_command || `/test ${job.name}`;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The text without fenced code blocks and HTML comments, by the rules of the shared command grammar
 * (src/core/commands.ts), so that text a reader does not see cannot make a comment relevant.
 */
export function stripCodeBlocks(body: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of body.replace(/<!--[\s\S]*?(?:-->|$)/g, '').split('\n')) {
    const open = FENCE.exec(line)?.[1];
    if (fence) {
      // A fence closes on a line of the same character, at least as long, and nothing else.
      if (open && open[0] === fence[0] && open.length >= fence.length && line.trim() === open) fence = undefined;
    } else if (open) {
      fence = open;
    } else {
      kept.push(line);
    }
  }
  return kept.join('\n');
}

/** Prow's relevance gate: whether the (code-stripped) comment asks anything of trigger. */
export function isRelevant(text: string, presubmits: readonly Presubmit[], honourOkToTest: boolean): boolean {
  const patterns = [
    RETEST_RE,
    RETEST_REQUIRED_RE,
    TEST_MANUAL_REQUIRED_RE,
    TEST_ALL_RE,
    TEST_HELP_RE,
    TEST_NO_TARGET_RE,
    RETEST_WITH_TARGET_RE,
    TEST_WITH_TARGET_RE,
    ...(honourOkToTest ? [OK_TO_TEST_RE, OK_TO_TEST_CANCEL_RE] : []),
  ];
  return patterns.some((re) => re.test(text)) || presubmits.some((job) => triggerOf(job).test(text));
}

export const HELP_NOTES = {
  noTarget: 'The `/test` command needs one or more targets.',
  retestWithTarget: 'The `/retest` command does not accept any targets.',
  noTestAllJobs: 'No jobs can be run with `/test all`.',
  targetNotFound: 'The specified targets were not found.',
} as const;

/**
 * Prow's ShouldRespondWithHelp, in its order: undefined when the comment gets no help reply, else
 * the note to put above the job list ('' for a plain `/test ?`). `selected` is how many jobs the
 * comment selected.
 */
export function helpNote(body: string, selected: number): string | undefined {
  if (TEST_HELP_RE.test(body)) return '';
  if (TEST_NO_TARGET_RE.test(body)) return HELP_NOTES.noTarget;
  if (RETEST_WITH_TARGET_RE.test(body)) return HELP_NOTES.retestWithTarget;
  if (selected === 0 && TEST_ALL_RE.test(body)) return HELP_NOTES.noTestAllJobs;
  if (selected === 0 && TEST_WITH_TARGET_RE.test(body)) return HELP_NOTES.targetNotFound;
  return undefined;
}
