// How the server and the worker say what happens: one line per event with a
// level, through pino: JSON lines with level and time for a journal or a log
// collector, the same events readable on a terminal (pino-pretty). Callers
// write a sentence and, where it helps, a few ids as fields; never a secret,
// a token, an address's query string or a request body.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogLevel = 'info' | 'warn' | 'error';

/**
 * What the domain and the server call to log: a sentence, its level (info
 * when left out) and fields. A function taking just the sentence fits too,
 * which is how tests collect lines.
 */
export type Log = (line: string, level?: LogLevel, fields?: Record<string, string | number | boolean>) => void;

/** The `[shirase] ` prefix of a line to the console is the logger's name in a structured line. */
const PREFIX = '[shirase] ';

/** A pino logger writing to stdout: JSON, or pretty lines when stdout is a terminal (or LOG_FORMAT=pretty). */
export function createLogger(options: { pretty?: boolean; level?: LogLevel } = {}): Logger {
  const base = { level: options.level ?? 'info', name: 'shirase', base: { pid: process.pid } };
  if (options.pretty ?? process.stdout.isTTY)
    return pino(base, pretty({ sync: true, colorize: process.stdout.isTTY, ignore: 'pid,hostname', translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l o' }));
  return pino(base, pino.destination({ dest: 1, sync: true }));
}

/** The Log the server passes around, writing to a pino logger. */
export function logTo(logger: Logger): Log {
  return (line, level = 'info', fields = {}) => logger[level](fields, line.startsWith(PREFIX) ? line.slice(PREFIX.length) : line);
}
