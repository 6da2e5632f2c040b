// One Prow input file, parsed: its data and a way back from a path inside it to its line, so every
// note and error names `file:line: path`. Reading and YAML errors are InputError (the command
// exits 1), distinct from the notes about what has no equivalent (the command still succeeds).
import { readFile } from 'node:fs/promises';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

export type Path = ReadonlyArray<string | number>;

export interface SourceFile {
  /** the name the user gave */
  file: string;
  /** the parsed YAML: `{}` for an empty file */
  data: unknown;
  /** the line of the key or item at `path`, else of its nearest ancestor that has one */
  lineOf(path: Path): number | undefined;
}

/** A Prow input that cannot be read or is not what Prow would accept. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<{ line?: number; path: string; message: string }>,
  ) {
    super(problems.map((p) => `${p.line ? `${file}:${p.line}` : file}: ${p.path || '(top level)'}: ${p.message}`).join('\n'));
    this.name = 'InputError';
  }
}

export async function readSourceFile(file: string): Promise<SourceFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, [{ path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseSourceFile(text, file);
}

export function parseSourceFile(text: string, file: string): SourceFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(
      file,
      doc.errors.map((e) => ({ line: e.linePos?.[0].line, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new InputError(file, [{ path: '', message: `invalid YAML: ${(err as Error).message}` }]);
  }
  return { file, data, lineOf: (path) => lineOfPath(doc, counter, path) };
}

/** Parses `source.data` (or a part of it) with a schema; a mismatch is an InputError naming each place. */
export function parseWith<T extends z.ZodType>(schema: T, source: SourceFile, value: unknown = source.data, at: Path = []): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(
    source.file,
    result.error.issues.map((issue) => {
      const path = [...at, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      return { line: source.lineOf(path), path: dotted(path), message: issue.message };
    }),
  );
}

export const dotted = (path: Path): string => path.map(String).join('.');

function lineOfPath(doc: Document, counter: LineCounter, path: Path): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const last = path[depth - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
    else if (isSeq(parent)) node = parent.items[Number(last)];
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}
