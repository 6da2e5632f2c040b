// What the import could not carry over, each with where it came from and why: the report the
// command prints. A note never stops the conversion; only unreadable input does (InputError).
import { dotted, type Path, type SourceFile } from './source-file.js';

export interface Note {
  file: string;
  line?: number;
  /** where in the Prow file, e.g. plugins.kubernetes.plugins */
  path: string;
  message: string;
}

/** Collects notes once each: the same thing said about the same place is said once. */
export class Notes {
  private readonly seen = new Set<string>();
  readonly list: Note[] = [];

  add(source: SourceFile, path: Path, message: string): void {
    const line = source.lineOf(path);
    this.push({ file: source.file, ...(line !== undefined ? { line } : {}), path: dotted(path), message });
  }

  /** Forgets what was said about a place and everything under it (a job that is not converted after all). */
  forget(file: string, path: Path): void {
    const at = dotted(path);
    for (let i = this.list.length - 1; i >= 0; i--) {
      const note = this.list[i]!;
      if (note.file !== file || (note.path !== at && !note.path.startsWith(`${at}.`))) continue;
      this.list.splice(i, 1);
      this.seen.delete(keyOf(note));
    }
  }

  push(note: Note): void {
    const key = keyOf(note);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(note);
  }
}

const keyOf = (note: Note): string => `${note.file}\0${note.path}\0${note.message}`;

/** `file:line: path: message`, as check-config prints its problems. */
export const formatNote = (note: Note): string =>
  `${note.line ? `${note.file}:${note.line}` : note.file}: ${note.path || '(top level)'}: ${note.message}`;

/** The keys of a map that a converter does not read, in file order. */
export const otherKeys = (value: object, known: readonly string[]): string[] => Object.keys(value).filter((key) => !known.includes(key));
