// ACCESS_RULES_FILE: read and validated at start, then watched; a valid change replaces the rules, a bad one is logged.
import { type FSWatcher, watch } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseDocumentText } from '../document-text.ts';
import type { Logger } from '../logger.ts';
import { type AccessRules, parseAccessRules } from './rules-format.ts';

/** The rules from a file, kept current while it changes. */
export interface AccessRulesFile {
  /** The rules in force: the file's last valid content. */
  current(): AccessRules;
  /** Stops watching; pending timers are cleared. Never keeps the process alive, even when not called. */
  close(): void;
}

/** Timings of the watch; the defaults suit production, tests shorten them. */
export interface AccessRulesFileOptions {
  /** Quiet time after a change before the file is read again (default 200 ms; at most 10 times that). */
  debounceMs?: number;
  /** How often the file's mtime, size and inode are compared, for where fs.watch misses changes (default 3 s). */
  pollMs?: number;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

/**
 * The document in `text`: JSON for a `.json` file, YAML for `.yaml`/`.yml`, otherwise JSON when it parses as JSON,
 * else YAML. Throws an Error whose message says what is wrong and where, never quoting the text.
 */
export const parseRulesText = parseDocumentText;

interface Snapshot {
  rules: AccessRules;
  text: string;
  stamp: string;
}

const stampOf = (s: { mtimeMs: number; size: number; ino: number }) => `${s.mtimeMs}:${s.size}:${s.ino}`;

/** Reads the file, or 'changing' when it changed while being read (a write in progress). */
async function readStable(file: string): Promise<{ text: string; stamp: string } | 'changing'> {
  const before = await stat(file);
  const bytes = await readFile(file);
  const after = await stat(file);
  const stamp = stampOf(after);
  if (stampOf(before) !== stamp || bytes.length !== after.size) return 'changing';
  return { text: bytes.toString('utf8'), stamp };
}

/** The rules in `text`; throws an Error naming the problem (not the file). */
function rulesOf(text: string, file: string): AccessRules {
  return parseAccessRules(parseRulesText(text, file));
}

/**
 * Reads and validates the rules file once. Throws an Error whose message names the file and every problem
 * (`access rules file /etc/rules.yaml: rules[0].path: must start with /`), so the server refuses to start.
 */
export async function readAccessRulesFile(file: string): Promise<AccessRules> {
  return (await load(file)).rules;
}

async function load(file: string): Promise<Snapshot> {
  let read: Awaited<ReturnType<typeof readStable>>;
  try {
    read = await readStable(file);
    if (read === 'changing') read = await readStable(file);
  } catch (err) {
    throw new Error(`access rules file ${file}: cannot be read (${errorCode(err)})`);
  }
  if (read === 'changing') throw new Error(`access rules file ${file}: changed while being read`);
  try {
    return { rules: rulesOf(read.text, file), ...read };
  } catch (err) {
    throw new Error(`access rules file ${file}: ${(err as Error).message}`);
  }
}

/**
 * Loads `file` (throwing as `readAccessRulesFile` does) and watches it: fs.watch on its directory (which sees
 * editors' rename-into-place and Kubernetes' `..data` swaps), debounced, plus a cheap stat poll. A changed file that
 * validates replaces the rules (logged at info); one that does not, or cannot be read, is logged with the problem
 * (never the content) and the previous rules stay in force. A file read mid-write is read again later.
 */
export async function openAccessRulesFile(
  file: string,
  logger: Logger,
  options: AccessRulesFileOptions = {},
): Promise<AccessRulesFile> {
  const { debounceMs = 200, pollMs = 3000 } = options;
  const first = await load(file);
  let rules = first.rules;
  let lastText = first.text;
  let lastStamp = first.stamp;
  let closed = false;
  let running = false;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;

  let firstChangeAt: number | undefined;

  /** Debounced: reads once changes have been quiet for debounceMs, or at the latest 10 debounceMs after the first. */
  const schedule = () => {
    if (closed) return;
    const now = Date.now();
    firstChangeAt ??= now;
    const wait = Math.max(0, Math.min(debounceMs, firstChangeAt + 10 * debounceMs - now));
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      firstChangeAt = undefined;
      void run();
    }, wait).unref();
  };

  const reload = async () => {
    let read: Awaited<ReturnType<typeof readStable>>;
    try {
      read = await readStable(file);
    } catch (err) {
      if (lastStamp !== 'missing' && !closed) {
        logger.warn(
          { file, problem: errorCode(err) },
          'access rules file cannot be read; keeping the previous rules',
        );
      }
      lastStamp = 'missing';
      return;
    }
    if (read === 'changing') return schedule();
    lastStamp = read.stamp;
    if (read.text === lastText || closed) return;
    lastText = read.text;
    try {
      rules = rulesOf(read.text, file);
      logger.info({ file, format: rules.format }, 'access rules reloaded');
    } catch (err) {
      logger.error(
        { file, problem: (err as Error).message },
        'access rules file is invalid; keeping the previous rules',
      );
    }
  };

  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await reload();
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  const base = path.basename(file);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || name === base || name.startsWith('..')) schedule();
    });
    watcher.on('error', (err) => {
      logger.warn({ file, problem: errorCode(err) }, 'cannot watch the access rules file; polling it');
      watcher?.close();
    });
  } catch (err) {
    logger.warn({ file, problem: errorCode(err) }, 'cannot watch the access rules file; polling it');
  }

  const poll = setInterval(() => {
    void stat(file).then(
      (s) => {
        if (stampOf(s) !== lastStamp) schedule();
      },
      () => {
        if (lastStamp !== 'missing') schedule();
      },
    );
  }, pollMs).unref();

  return {
    current: () => rules,
    close() {
      closed = true;
      watcher?.close();
      clearInterval(poll);
      clearTimeout(debounce);
    },
  };
}
