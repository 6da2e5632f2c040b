// Compiles the regex keys of an OWNERS file's `filters:` section.
//
// Prow compiles them with Go's RE2, which runs in linear time whatever the pattern. JavaScript's
// backtracking engine does not: `(a+)+$` against "aaaa…b" takes exponential time, and the patterns
// come from repository content. So a pattern is accepted only inside a subset where matching stays
// cheap, and everything else is an error the OWNERS file's authors see (verify-owners) instead of a
// hung bot. The rules, checked on the pattern's structure before compiling it:
//
//  1. Length: at most MAX_FILTER_PATTERN_LENGTH (256) characters.
//  2. No nested quantifiers: a group repeated by `*`, `+`, `{n,}` or `{n,m}` with m > 1 must not
//     contain any quantifier (`?` included) — rejects `(a+)+`, `(.*)*`, `(a?){3}`, `(x*y)+`.
//  3. No ambiguous repeated alternation: every alternation inside a repeated group must consist of
//     plain literals with pairwise distinct first characters — rejects `(a|a)*`, `(a|ab)+`,
//     `(\w|_)*`, `(|a)*`; accepts `(foo|bar)+`.
//  4. Polynomial backtracking stays O(n²) in the path length: at most one open-ended quantifier
//     (`*`, `+`, `{n,}`, or an upper bound above 16) — two when the pattern is anchored by a
//     leading `^` and has no top-level `|` (an unanchored search tries every start position, which
//     costs one more degree: `\w+\w+x` is O(n³) unanchored). A leading and a trailing `.*` are
//     dropped first, since in a search they change nothing: `.*_test\.go$` is `_test\.go$`.
//  5. RE2 syntax only: backreferences, lookaround, inline flags other than a leading `(?i)` /
//     `(?s)` / `(?m)`, `\p{…}`, `\Q…\E`, POSIX `[[:alpha:]]` classes and letter escapes RE2 does not
//     define are errors (Prow would have silently skipped the filter as invalid). Go spellings that
//     JavaScript writes differently are translated: a leading `(?flags)`, `(?P<name>`, `\A`, `\z`,
//     and `]` as the first character of a class.

export const MAX_FILTER_PATTERN_LENGTH = 256;
/** open-ended quantifiers allowed in an anchored pattern (one fewer when unanchored), rule 4 */
export const MAX_OPEN_QUANTIFIERS = 2;
/** a counted repetition with an upper bound above this counts as open-ended for rule 4 */
const LARGE_BOUND = 16;
/** Go's limit on repetition counts */
const MAX_REPEAT = 1000;

/** A pattern outside the accepted subset; `message` is the problem, for OwnersFileError. */
export class FilterPatternError extends Error {}

interface Frame {
  /** a quantifier occurs somewhere inside (any depth) */
  quantified: boolean;
  /** an alternation that is not "distinct-first-character literals" occurs somewhere inside */
  ambiguousAlt: boolean;
  /** this group has a top-level '|' */
  hasAlt: boolean;
  /** literal text of each finished alternative, null when an alternative is not a plain literal */
  alts: Array<string | null>;
  /** literal text of the alternative being read, null once it holds anything but literal characters */
  cur: string | null;
}

const newFrame = (): Frame => ({ quantified: false, ambiguousAlt: false, hasAlt: false, alts: [], cur: '' });

/** Compiles a filter pattern into a RegExp used with `.test()` on a relative path. */
export function compileFilterPattern(source: string): RegExp {
  if (source.length === 0) throw new FilterPatternError('empty pattern');
  if (source.length > MAX_FILTER_PATTERN_LENGTH) {
    throw new FilterPatternError(`pattern longer than ${MAX_FILTER_PATTERN_LENGTH} characters`);
  }
  const fail = (why: string): never => {
    throw new FilterPatternError(why);
  };

  let i = 0;
  let flags = '';
  // A leading Go inline-flag group, `(?i)`, `(?is)`...
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (lead) {
    for (const f of lead[1]!) {
      if (f !== 'i' && f !== 'm' && f !== 's') fail(`unsupported inline flag "${f}"`);
      if (!flags.includes(f)) flags += f;
    }
    i = lead[0].length;
  }
  const caseFold = flags.includes('i');
  // A leading `.*` (or `.*?`) adds nothing to a search.
  const leadingAny = /^\.\*\??(?![*+?{])/.exec(source.slice(i));
  if (leadingAny) i += leadingAny[0].length;

  let out = '';
  const stack: Frame[] = [newFrame()];
  const top = (): Frame => stack[stack.length - 1]!;
  let openQuantifiers = 0;
  let topLevelAlternation = false;
  /** output offset of the last '.' atom read at the top level, for the trailing `.*` rule */
  let topLevelDotAt = -1;
  /** what the last atom was, for the quantifier that may follow it */
  let lastAtom: { kind: 'none' } | { kind: 'atom' } | { kind: 'group'; frame: Frame } = { kind: 'none' };

  const literal = (text: string, ch: string): void => {
    out += text;
    const f = top();
    if (f.cur !== null) f.cur += caseFold ? ch.toLowerCase() : ch;
    lastAtom = { kind: 'atom' };
  };
  const nonLiteral = (text: string, quantifiable: boolean): void => {
    out += text;
    top().cur = null;
    lastAtom = quantifiable ? { kind: 'atom' } : { kind: 'none' };
  };
  const finishAlternation = (f: Frame): void => {
    f.alts.push(f.cur);
    if (!f.hasAlt) return;
    const firsts = new Set<string>();
    for (const alt of f.alts) {
      if (alt === null || alt === '' || firsts.has(alt[0]!)) {
        f.ambiguousAlt = true;
        return;
      }
      firsts.add(alt[0]!);
    }
  };

  const escapeIn = (inClass: boolean): string => {
    // at a backslash; returns the JS text for it and advances i
    const c = source[i + 1];
    if (c === undefined) return fail('trailing backslash');
    if (/[1-9]/.test(c)) return fail('backreferences are not supported');
    if (c === '0') return fail('octal escapes are not supported');
    if ('dDwWsS'.includes(c)) {
      i += 2;
      return `\\${c}`;
    }
    if ('nrtfv'.includes(c)) {
      i += 2;
      return `\\${c}`;
    }
    if (c === 'x') {
      const hex = /^\\x[0-9a-fA-F]{2}/.exec(source.slice(i));
      if (!hex) return fail('only \\xHH hex escapes are supported');
      i += 4;
      return hex[0];
    }
    if (!inClass && (c === 'b' || c === 'B')) {
      i += 2;
      return `\\${c}`;
    }
    if (!inClass && (c === 'A' || c === 'z')) {
      if (flags.includes('m')) return fail(`\\${c} is not supported together with the m flag`);
      i += 2;
      return c === 'A' ? '^' : '$';
    }
    if (/[a-zA-Z0-9]/.test(c)) return fail(`unsupported escape \\${c}`);
    i += 2;
    return `\\${c}`;
  };

  const readQuantifier = (): { text: string; min: number; max: number } | undefined => {
    const c = source[i];
    let text: string;
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      text = c;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
      if (!m) return undefined; // a literal '{'
      text = m[0];
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) fail(`repeat count above ${MAX_REPEAT}`);
      if (max < min) fail(`invalid repeat count ${text}`);
    } else {
      return undefined;
    }
    i += text.length;
    if (source[i] === '?') {
      text += '?';
      i++;
    }
    return { text, min, max };
  };

  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      const text = escapeIn(false);
      if (next !== undefined && /[^a-zA-Z0-9]/.test(next)) literal(text, next);
      else nonLiteral(text, !(text === '^' || text === '$' || text === '\\b' || text === '\\B'));
    } else if (c === '[') {
      let j = i + 1;
      let text = '[';
      if (source[j] === '^') {
        text += '^';
        j++;
      }
      if (source[j] === ']') {
        text += '\\]';
        j++;
      }
      let closed = false;
      while (j < source.length) {
        const d = source[j]!;
        if (d === ']') {
          closed = true;
          j++;
          break;
        }
        if (d === '[' && source[j + 1] === ':') fail('POSIX character classes ([:name:]) are not supported');
        if (d === '\\') {
          i = j;
          text += escapeIn(true);
          j = i;
          continue;
        }
        text += d;
        j++;
      }
      if (!closed) fail('missing closing ]');
      i = j;
      nonLiteral(`${text}]`, true);
    } else if (c === '(') {
      let text = '(';
      let consumed = 1;
      if (source[i + 1] === '?') {
        const rest = source.slice(i + 2);
        const named = /^P?<([a-zA-Z_][a-zA-Z0-9_]*)>/.exec(rest);
        if (rest.startsWith(':')) {
          text = '(?:';
          consumed = 3;
        } else if (named) {
          text = `(?<${named[1]}>`;
          consumed = 2 + named[0].length;
        } else if (/^(=|!|<=|<!)/.test(rest)) {
          fail('lookaround assertions are not supported');
        } else if (/^P?</.test(rest)) {
          fail('invalid group name');
        } else {
          fail('inline flags are only supported at the start of the pattern');
        }
      }
      i += consumed;
      out += text;
      stack.push(newFrame());
      lastAtom = { kind: 'none' };
    } else if (c === ')') {
      if (stack.length === 1) fail('unmatched )');
      const f = stack.pop()!;
      finishAlternation(f);
      const parent = top();
      parent.quantified ||= f.quantified;
      parent.ambiguousAlt ||= f.ambiguousAlt;
      parent.cur = null;
      out += ')';
      i++;
      lastAtom = { kind: 'group', frame: f };
    } else if (c === '|') {
      if (stack.length === 1) topLevelAlternation = true;
      const f = top();
      f.hasAlt = true;
      f.alts.push(f.cur);
      f.cur = '';
      out += '|';
      i++;
      lastAtom = { kind: 'none' };
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)))) {
      const atomEnd = out.length;
      const q = readQuantifier()!;
      if (lastAtom.kind === 'none') fail(`nothing to repeat before "${q.text}"`);
      if (i === source.length && topLevelDotAt === atomEnd - 1 && q.min === 0 && q.max === Infinity) {
        // A trailing `.*` adds nothing to a search.
        out = out.slice(0, topLevelDotAt);
        break;
      }
      if (q.max === Infinity || q.max > LARGE_BOUND) openQuantifiers++;
      if (lastAtom.kind === 'group' && q.max > 1) {
        const g = lastAtom.frame;
        if (g.quantified) {
          fail(
            'nested quantifier: a repeated group contains a quantifier (like (a+)+ or (.*)*), ' + 'which can backtrack catastrophically',
          );
        }
        if (g.ambiguousAlt) {
          fail(
            'ambiguous repeated alternation: alternatives inside a repeated group must be plain ' +
              'literals starting with distinct characters (so (foo|bar)+ is fine, (a|a)* and (a|ab)+ are not)',
          );
        }
      }
      top().quantified = true;
      top().cur = null;
      out += q.text;
      lastAtom = { kind: 'none' };
      if (source[i] === '*' || source[i] === '+' || source[i] === '?' || /^\{\d+(,\d*)?\}/.test(source.slice(i))) {
        fail('nested repetition operator (like a**)');
      }
    } else if (c === '.') {
      topLevelDotAt = stack.length === 1 ? out.length : -1;
      nonLiteral('.', true);
      i++;
    } else if (c === '^' || c === '$') {
      nonLiteral(c, false);
      i++;
    } else {
      // '{' that is not a quantifier, ']' and '}' are literals in both RE2 and JS (non-unicode mode)
      literal(c === '{' || c === '}' || c === ']' ? `\\${c}` : c, c);
      i++;
    }
  }
  if (stack.length !== 1) fail('missing closing )');
  finishAlternation(top());
  const anchored = out.startsWith('^') && !topLevelAlternation;
  const allowed = anchored ? MAX_OPEN_QUANTIFIERS : MAX_OPEN_QUANTIFIERS - 1;
  if (openQuantifiers > allowed) {
    fail(
      `more than ${allowed} open-ended quantifier${allowed === 1 ? '' : 's'} (*, +, {n,}) in ` +
        `${anchored ? 'an anchored' : 'an unanchored'} pattern; anchor it with ^ or simplify it ` +
        '(filters are searches, so a leading or trailing .* is never needed)',
    );
  }
  try {
    return new RegExp(out, flags);
  } catch (err) {
    return fail(`invalid regular expression: ${(err as Error).message}`);
  }
}
