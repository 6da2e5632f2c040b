// A real git repository on disk, for code that fetches from git (the GitLab tree-hash path).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GitRepo {
  /** file:// URL git can fetch from */
  url: string;
  commit(files: Record<string, string>, message?: string): { sha: string; tree: string };
  remove(): void;
}

export function createGitRepo(): GitRepo {
  const dir = mkdtempSync(join(tmpdir(), 'ci-orchestrator-git-src-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', dir, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@test' },
    }).trim();
  git('init', '--quiet');
  // What GitLab's servers allow: partial fetches, and fetching any commit by its sha.
  git('config', 'uploadpack.allowFilter', 'true');
  git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  return {
    url: `file://${dir}`,
    commit(files, message = 'change') {
      for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
      git('add', '--all');
      git('commit', '--quiet', '--allow-empty', '-m', message);
      return { sha: git('rev-parse', 'HEAD'), tree: git('rev-parse', 'HEAD^{tree}') };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
