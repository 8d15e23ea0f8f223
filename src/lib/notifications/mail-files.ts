import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface MailFile {
  name: string;
  at: number;
  to: string;
  subject: string;
}

const header = (text: string, name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(text.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' '))?.[1]?.trim() ?? '';

/** Emails written to files when no SMTP server is configured, newest first. */
export function listMailFiles(dir: string, limit = 100): MailFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(0, limit)
    .map(({ name, at }) => {
      const head = readFileSync(join(dir, name), 'utf8').slice(0, 8_000);
      return { name, at, to: header(head, 'To'), subject: header(head, 'Subject') };
    });
}

/** One stored email's text, or undefined for a name that is not one of them (no paths, no traversal). */
export function readMailFile(dir: string, name: string): string | undefined {
  if (basename(name) !== name || !name.endsWith('.eml')) return undefined;
  try {
    return readFileSync(join(dir, name), 'utf8');
  } catch {
    return undefined;
  }
}
