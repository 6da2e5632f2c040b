import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OwnersFileError, parseOwnersAliases } from '../../src/owners/index.js';

const asObject = (m: Map<string, string[]>) => Object.fromEntries(m);

describe('parseOwnersAliases', () => {
  const cases: Array<[string, string, Record<string, string[]>]> = [
    ['lists of members', 'aliases:\n  team-a:\n    - alice\n    - bob\n', { 'team-a': ['alice', 'bob'] }],
    ['flow-mapping form: the keys are the members', 'aliases:\n  team-b: {carol, dave}\n', { 'team-b': ['carol', 'dave'] }],
    ['null alias is empty', 'aliases:\n  empty-team:\n', { 'empty-team': [] }],
    ['names and members normalized', 'aliases:\n  Best-Approvers: ["@Alice", BOB, alice]\n', { 'best-approvers': ['alice', 'bob'] }],
    ['empty file', '', {}],
    ['no aliases', 'aliases:\n', {}],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => assert.deepEqual(asObject(parseOwnersAliases('OWNERS_ALIASES', text)), expected));
  }

  const errors: Array<[string, string, RegExp]> = [
    ['a string value', 'aliases:\n  team: ""\n', /alias "team": alias group must contain a list of members/],
    ['a flow mapping with values', 'aliases:\n  team: {a: b}\n', /alias group must contain a list of members/],
    ['a non-string member', 'aliases:\n  team: [alice, 7]\n', /alias "team": every member must be a string, not a number/],
    ['bad indentation', 'aliases:\n  team:\n    - a\n   - b\n', /^invalid YAML/],
    ['unknown top-level key', 'alias:\n  team: [a]\n', /unknown key "alias"/],
    ['aliases not a mapping', 'aliases: [a]\n', /aliases must be a mapping/],
    ['duplicate after normalization', 'aliases:\n  Team: [a]\n  team: [b]\n', /alias "team" is defined twice/],
    ['nested alias', 'aliases:\n  leads: [alice]\n  all: [bob, Leads]\n', /alias "all": nested alias "leads"/],
    ['self reference', 'aliases:\n  loop: [loop]\n', /alias "loop": nested alias "loop"/],
  ];
  for (const [name, text, problem] of errors) {
    it(`error: ${name}`, () => {
      assert.throws(
        () => parseOwnersAliases('OWNERS_ALIASES', text),
        (err: unknown) => {
          assert.ok(err instanceof OwnersFileError);
          assert.equal(err.file, 'OWNERS_ALIASES');
          assert.match(err.problem, problem);
          return true;
        },
      );
    });
  }
});
