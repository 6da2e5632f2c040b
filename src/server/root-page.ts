// GET /: what this server is and where things go, instead of a 404 (GitHub also sends people here
// after they install the App: the manifest's setup_url).
import type { Request, RequestHandler } from 'express';
import type { Options } from '../config/env.js';
import { requestBaseUrl, SETUP_PATHS } from './github-app-manifest.js';
import { GITHUB_WEBHOOK_PATH } from './github-webhook-route.js';
import { GITLAB_WEBHOOK_PATH } from './gitlab-webhook-route.js';
import { escapeHtml, htmlPage } from './html-page.js';

export function rootPage(options: Options): RequestHandler {
  return (req, res) => {
    const base = requestBaseUrl(req, options.publicUrl);
    const lines = facts(options, base);
    // curl's */* gets the text; browsers ask for HTML.
    const text = () => {
      res
        .type('text/plain')
        .send(`ci-orchestrator: a Prow-style chat-ops CI bot.\n${lines.map((l) => `${l.label}: ${l.text}`).join('\n')}\n`);
    };
    res.format({
      'text/plain': text,
      html: () => {
        const item = (l: Fact) => `<dt>${escapeHtml(l.label)}</dt><dd>${l.html}</dd>`;
        res.send(
          htmlPage(
            'ci-orchestrator',
            `<div class="card">
<h1>ci-orchestrator</h1>
<p>A Prow-style chat-ops CI bot: commands such as <code>/hold</code> and <code>/test</code> in pull request comments.</p>
${installedNote(req)}<dl>${lines.map(item).join('\n')}</dl></div>`,
          ),
        );
      },
      default: text,
    });
  };
}

interface Fact {
  label: string;
  text: string;
  html: string;
}

function facts(options: Options, base: string): Fact[] {
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`;
  const link = (path: string) => `<a href="${path}">${escapeHtml(path)}</a>`;
  const github: Fact = options.github
    ? {
        label: 'GitHub',
        text: `App ${options.github.appId}; webhooks go to ${base}${GITHUB_WEBHOOK_PATH}`,
        html: `App ${escapeHtml(options.github.appId)}; webhooks go to ${code(`${base}${GITHUB_WEBHOOK_PATH}`)}`,
      }
    : {
        label: 'GitHub',
        text: `not registered: open ${base}${SETUP_PATHS.register} to register the App (webhooks will go to ${base}${GITHUB_WEBHOOK_PATH})`,
        html: `not registered: ${link(SETUP_PATHS.register)} registers the App (webhooks will go to ${code(`${base}${GITHUB_WEBHOOK_PATH}`)})`,
      };
  const gitlab: Fact = options.gitlab
    ? {
        label: 'GitLab',
        text: `${options.gitlab.url}; webhooks go to ${base}${GITLAB_WEBHOOK_PATH}`,
        html: `${escapeHtml(options.gitlab.url)}; webhooks go to ${code(`${base}${GITLAB_WEBHOOK_PATH}`)}`,
      }
    : {
        label: 'GitLab',
        text: 'off (set GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET)',
        html: `off (set ${code('GITLAB_TOKEN')} and ${code('GITLAB_WEBHOOK_SECRET')})`,
      };
  return [
    github,
    gitlab,
    { label: 'Health', text: `${base}/healthz`, html: link('/healthz') },
    { label: 'Merge queue', text: `${base}/merge-queue`, html: link('/merge-queue') },
    { label: 'Metrics', text: `${base}/metrics`, html: link('/metrics') },
  ];
}

/** GitHub adds ?installation_id=...&setup_action=install when it sends someone here after installing. */
function installedNote(req: Request): string {
  const action = req.query.setup_action;
  if (action !== 'install' && action !== 'update') return '';
  const id = typeof req.query.installation_id === 'string' ? ` (installation ${escapeHtml(req.query.installation_id)})` : '';
  return `<div class="flash flash-ok">The App is ${action === 'install' ? 'installed' : 'updated'}${id}: comments on pull requests in the repositories you chose now reach the bot. Try <code>/help</code> on one.</div>\n`;
}
