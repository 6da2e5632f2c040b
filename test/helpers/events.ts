// Builders for normalized events in plugin and dispatcher tests.
import type { ChangeInfo, CommentEvent, PullRequestEvent, ReviewEvent } from '../../src/core/events.js';
import type { ForgeKind, RepoRef } from '../../src/forge/types.js';

let delivery = 0;

export const repoOf = (forge: ForgeKind = 'github'): RepoRef => ({ forge, owner: 'acme', name: 'widgets' });

export function changeInfo(overrides: Partial<ChangeInfo> = {}): ChangeInfo {
  return {
    number: 7,
    title: 'Add widgets',
    author: 'alice',
    state: 'open',
    draft: false,
    labels: [],
    url: 'https://forge.test/acme/widgets/pull/7',
    ...overrides,
  };
}

export function commentEvent(
  body: string,
  options: {
    login?: string;
    isBot?: boolean;
    action?: CommentEvent['action'];
    forge?: ForgeKind;
    change?: Partial<ChangeInfo>;
  } = {},
): CommentEvent {
  const login = options.login ?? 'bob';
  return {
    kind: 'comment',
    action: options.action ?? 'created',
    forge: options.forge ?? 'github',
    deliveryId: `delivery-${++delivery}`,
    repo: repoOf(options.forge),
    sender: { login, isBot: options.isBot ?? false },
    installationId: 1,
    change: changeInfo(options.change),
    comment: { id: 1, body, author: login, url: 'https://forge.test/acme/widgets/pull/7#comment-1' },
  };
}

export function reviewEvent(
  body: string,
  action: ReviewEvent['action'] = 'commented',
  login = 'bob',
  forge: ForgeKind = 'github',
): ReviewEvent {
  return {
    kind: 'review',
    action,
    forge,
    deliveryId: `delivery-${++delivery}`,
    repo: repoOf(forge),
    sender: { login, isBot: false },
    change: changeInfo(),
    review: { id: 2, body, author: login },
  };
}

export function pullRequestEvent(action: PullRequestEvent['action'] = 'opened'): PullRequestEvent {
  return {
    kind: 'pull_request',
    action,
    forge: 'github',
    deliveryId: `delivery-${++delivery}`,
    repo: repoOf(),
    sender: { login: 'alice', isBot: false },
    change: changeInfo({ headSha: 'a'.repeat(40), baseRef: 'main' }),
  };
}
