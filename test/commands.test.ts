import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommands } from '../src/core/commands.js';

const names = (body: string) => parseCommands(body).map((c) => [c.name, ...c.args].join(' '));

describe('parseCommands', () => {
  const cases: Array<[string, string, string[]]> = [
    ['a lone command', '/hold', ['hold']],
    ['arguments split on whitespace', '/hold   cancel  because', ['hold cancel because']],
    ['several commands, one per line', '/hold\nthanks!\n/help', ['hold', 'help']],
    ['CRLF line endings', '/hold\r\n/unhold\r\n', ['hold', 'unhold']],
    ['trailing whitespace', '/hold \t', ['hold']],
    ['case kept as written', '/HOLD', ['HOLD']],
    ['dashes and digits in names', '/remove-hold\n/retest-required2', ['remove-hold', 'retest-required2']],
    ['not at the start of a line', 'please /hold', []],
    ['indented', ' /hold', []],
    ['a quoted line', '> /hold', []],
    ['a quoted line with indentation', '  > /hold', []],
    ['a nested quote', '>> /hold', []],
    ['inside a backtick fence', '```\n/hold\n```\n/help', ['help']],
    ['inside a tilde fence', '~~~sh\n/hold\n~~~', []],
    ['an unclosed fence hides the rest', '```\n/hold', []],
    ['a shorter fence does not close a longer one', '````\n```\n/hold\n````\n/help', ['help']],
    ['a fence of the other character does not close', '```\n~~~\n/hold\n```', []],
    ['inside an HTML comment', '<!-- /hold -->\n/help', ['help']],
    ['inside a multi-line HTML comment', '<!--\n/hold\n-->', []],
    ['inside an unclosed HTML comment', '<!--\n/hold', []],
    ['a path is not a command', '/usr/bin/env', []],
    ['a slash alone', '/', []],
    ['a digit first is not a command', '/1', []],
    ['zero-width space in the name', '/ho\u200bld', []],
    ['fullwidth slash', '\uff0fhold', []],
    ['Cyrillic homoglyph', '/h\u043eld', []],
    ['bidi override on the line', '/hold \u202e', []],
    ['non-breaking space before an argument', '/hold\u00a0cancel', []],
    ['an empty body', '', []],
  ];
  for (const [name, body, expected] of cases) {
    it(name, () => assert.deepEqual(names(body), expected));
  }

  it('keeps the whole line for replies', () => {
    assert.deepEqual(parseCommands('/hold for the release  '), [
      { name: 'hold', args: ['for', 'the', 'release'], line: '/hold for the release' },
    ]);
  });

  it('stays linear on a hostile 1 MB body', () => {
    const body = `${'/a '.repeat(100_000)}\n${'`'.repeat(500_000)}\n<!--${'-'.repeat(100_000)}`;
    const started = performance.now();
    parseCommands(body);
    assert.ok(performance.now() - started < 1000);
  });
});
