// A problem found in configuration, and the error that carries all of them: every one names the
// file, the path inside it, the line and the reason, so they can be listed at once.

export interface ConfigProblem {
  file: string;
  /** dotted path inside the file, e.g. repos.acme/widgets.plugins.1 */
  path: string;
  line?: number;
  message: string;
}

/** The `file` of problems that belong to the process environment rather than to a file. */
export const ENVIRONMENT = 'environment';

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

/** `FILE:LINE: PATH: REASON`, as check-config prints it. */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  if (p.file === ENVIRONMENT && !p.path) return `${where}: ${p.message}`;
  return `${where}: ${p.path || '(top level)'}: ${p.message}`;
}

/** By line, file-level problems (no line) first; the sort is stable, so ties keep their order. */
export const byLine = (a: ConfigProblem, b: ConfigProblem): number => (a.line ?? 0) - (b.line ?? 0);
