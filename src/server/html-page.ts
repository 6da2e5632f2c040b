// The frame of the server's own small pages (the root pointer, the GitHub App registration pages):
// self-contained HTML with inline CSS, so nothing else has to be served for them to look right.

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE = `
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:#1f2328;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:720px;margin:48px auto;padding:0 16px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:24px 32px;margin-bottom:16px}
h1{font-size:24px;font-weight:600;margin:0 0 8px}
h2{font-size:16px;font-weight:600;margin:24px 0 8px}
p{margin:8px 0}
.muted{color:#59636e}
a{color:#0969da;text-decoration:none}a:hover{text-decoration:underline}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eff2f5;border-radius:6px;padding:2px 6px;overflow-wrap:anywhere}
.btn{display:inline-block;font:inherit;font-weight:500;padding:6px 16px;border-radius:6px;border:1px solid rgba(31,35,40,.15);background:#1f883d;color:#fff;cursor:pointer}
.btn:hover{background:#1a7f37;text-decoration:none}
.btn[disabled]{background:#94d3a2;cursor:not-allowed}
.btn-plain{background:#f6f8fa;color:#24292f}.btn-plain:hover{background:#eef1f4}
.flash{border-radius:6px;padding:12px 16px;margin:16px 0;border:1px solid}
.flash-error{background:#ffebe9;border-color:rgba(255,129,130,.4)}
.flash-ok{background:#dafbe1;border-color:rgba(74,194,107,.4)}
.flash-warn{background:#fff8c5;border-color:rgba(212,167,44,.4)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:12px 0}dt{font-weight:600}dd{margin:0}
label{display:block;font-weight:600;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;padding:5px 12px;font:inherit;border:1px solid #d0d7de;border-radius:6px}
ol{padding-left:20px}li{margin:6px 0}
footer{text-align:center;color:#59636e;font-size:12px}
`;

/** A whole page; `body` is trusted HTML (escape what comes from outside with escapeHtml). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}
<footer><a href="/">ci-orchestrator</a> · <a href="/healthz">/healthz</a> · <a href="/merge-queue">/merge-queue</a></footer>
</main></body></html>`;
}
