// Replies to a command follow Prow's shape: a mention and the message, then a collapsed quote of
// the comment being answered, so a thread stays readable.
import type { CommentEvent, ReviewEvent } from './events.js';

export function formatReply(event: CommentEvent | ReviewEvent, message: string): string {
  const source = event.kind === 'comment' ? event.comment : event.review;
  if (source.body.trim() === '') return `@${source.author}: ${message}`; // a review with no text: nothing to quote
  const link = event.kind === 'comment' && source.body ? `[this](${event.comment.url})` : 'this';
  const quoted = source.body
    .split(/\r?\n/)
    .map((line) => `> ${line}`)
    .join('\n');
  return [`@${source.author}: ${message}`, '', '<details>', '', `In response to ${link}:`, '', quoted, '', '</details>'].join('\n');
}
