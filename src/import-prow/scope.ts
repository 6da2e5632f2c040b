// Prow names what a setting applies to as "org" or "org/repo". The converter turns every name it
// meets into a key of this project's `repos` map: "org/*" or "org/repo".

export interface Scope {
  org: string;
  /** absent: any repository of the org that no setting names on its own */
  repo?: string;
}

const PART = /^[^\s/*]+$/;

/** "org" or "org/repo"; undefined for anything else (a Gerrit URL, a wildcard, a blank). */
export function parseScope(name: string): Scope | undefined {
  const [org, repo, ...rest] = name.split('/');
  if (org === undefined || !PART.test(org) || rest.length > 0) return undefined;
  if (repo === undefined) return { org };
  return PART.test(repo) ? { org, repo } : undefined;
}

export const scopeKey = (scope: Scope): string => (scope.repo === undefined ? `${scope.org}/*` : `${scope.org}/${scope.repo}`);

/** Whether a list of Prow names ("org", "org/repo") covers the scope, the way Prow reads such lists. */
export function namesCover(names: readonly string[], scope: Scope): boolean {
  return names.includes(scope.org) || (scope.repo !== undefined && names.includes(`${scope.org}/${scope.repo}`));
}

/** The names a set of Prow names mentions, split into orgs and repos. */
export class Mentions {
  readonly orgs = new Set<string>();
  readonly repos = new Set<string>();

  add(name: string): void {
    const scope = parseScope(name);
    if (!scope) return;
    if (scope.repo === undefined) this.orgs.add(scope.org);
    else this.repos.add(`${scope.org}/${scope.repo}`);
  }

  addAll(names: Iterable<string>): void {
    for (const name of names) this.add(name);
  }
}
