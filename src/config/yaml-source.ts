// A YAML file read for validation: its data, and the line of any path inside it, so problems found
// in the data can be reported where they are in the text.
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-problem.js';

export interface YamlSource {
  file: string;
  data: unknown;
  /** the line of the key (or sequence item) at `path`, else of its nearest ancestor that exists */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Parses YAML text; `file` names it in errors. Throws ConfigError listing every YAML error. */
export function readYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0].line,
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `invalid YAML: ${(err as Error).message}` }]);
  }
  return { file, data, lineOf: (path) => lineOfPath(doc, lineCounter, path) };
}

function lineOfPath(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const parent = doc.getIn(path.slice(0, depth - 1) as unknown[], true);
    const last = path[depth - 1];
    let node: unknown;
    if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
    else if (isSeq(parent)) node = parent.items[Number(last)];
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}
