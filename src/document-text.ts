// Settings files a person writes (access rules, local users): JSON or YAML, errors that say where, never what.
import path from 'node:path';
import { parseDocument } from 'yaml';

/** A document that does not parse; the message says where (line and column), never quoting the text. */
export class DocumentSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentSyntaxError';
  }
}

function jsonProblem(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : '';
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return `not valid JSON (line ${lineColumn[1]} column ${lineColumn[2]})`;
  const position = /at position (\d+)/.exec(message);
  if (!position) return 'not valid JSON';
  const before = text.slice(0, Number(position[1])).split('\n');
  return `not valid JSON (line ${before.length} column ${before.at(-1)!.length + 1})`;
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text);
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line} column ${at.col}` : '';
    throw new DocumentSyntaxError(`not valid YAML: ${error.code.toLowerCase().replace(/_/g, ' ')}${where}`);
  }
  try {
    // Aliases are capped: a "billion laughs" file must not exhaust memory.
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw new DocumentSyntaxError('not valid YAML: too many aliases');
  }
}

/**
 * The document in `text`: JSON for a `.json` file, YAML for `.yaml`/`.yml`, otherwise JSON when it parses as JSON,
 * else YAML. A leading byte-order mark is ignored. Throws DocumentSyntaxError.
 */
export function parseDocumentText(text: string, file: string): unknown {
  const source = text.replace(/^\uFEFF/, '');
  const extension = path.extname(file).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return parseYaml(source);
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    if (extension === '.json') throw new DocumentSyntaxError(jsonProblem(err, source));
  }
  try {
    return parseYaml(source);
  } catch (err) {
    throw new DocumentSyntaxError(`not valid JSON, nor ${(err as Error).message.replace(/^not /, '')}`);
  }
}
