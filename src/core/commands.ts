// The one command grammar every plugin shares: a command is a whole line that starts with "/".
// Text a reader does not see as a command never runs: quoted lines, fenced code blocks, HTML
// comments, and lines with non-ASCII characters (zero-width, bidi or homoglyph tricks).

export interface ParsedCommand {
  /** the command word as written, without the slash */
  name: string;
  /** whitespace-separated arguments */
  args: string[];
  /** the whole line, trimmed */
  line: string;
}

const COMMAND_LINE = /^\/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*?))?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE = /^ {0,3}>/;
const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;

/** Removes HTML comments, including one left open at the end (invisible when rendered). */
function stripHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
}

export function parseCommands(body: string): ParsedCommand[] {
  const commands: ParsedCommand[] = [];
  let fence: string | undefined;
  for (const rawLine of stripHtmlComments(body.replace(/\r\n?/g, '\n')).split('\n')) {
    const fenceMatch = FENCE.exec(rawLine);
    if (fence) {
      // A fence closes on a line of the same character, at least as long, and nothing else.
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length && rawLine.trim() === fenceMatch[1])
        fence = undefined;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      continue;
    }
    if (QUOTE.test(rawLine) || !PRINTABLE_ASCII.test(rawLine)) continue;
    const match = COMMAND_LINE.exec(rawLine);
    if (!match) continue;
    const argText = match[2] ?? '';
    commands.push({
      name: match[1]!,
      args: argText.split(/[ \t]+/).filter(Boolean),
      line: rawLine.trim(),
    });
  }
  return commands;
}
