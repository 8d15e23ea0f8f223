import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';

export interface MailFile {
  name: string;
  at: number;
  to: string;
  /** Decoded: a Japanese subject reads as Japanese, not as `=?UTF-8?Q?…?=`. */
  subject: string;
}

/** One stored email as a person reads it: decoded headers and the plain-text part, with the source kept for checking. */
export interface StoredMail extends MailFile {
  from: string;
  date: Date | undefined;
  /** The list headers a mail client acts on (List-Id, List-Unsubscribe…), unfolded. */
  listHeaders: { name: string; value: string }[];
  text: string;
  source: string;
}

const addresses = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value.map((v) => v.text).join(', ') : (value?.text ?? ''));

async function parse(source: string, name: string, at: number) {
  // Only the text is wanted: no HTML-to-text work, no inline images.
  const mail = await simpleParser(source, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  return { mail, file: { name, at, to: addresses(mail.to), subject: mail.subject ?? '' } };
}

/** Emails written to files when no SMTP server is configured, newest first. */
export async function listMailFiles(dir: string, limit = 100): Promise<MailFile[]> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  const newest = names
    .map((name) => ({ name, at: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
    .slice(0, limit);
  // The headers are all the list needs: they end at the first blank line, well inside 8 KB.
  return Promise.all(
    newest.map(
      async ({ name, at }) =>
        (
          await parse(
            readFileSync(join(dir, name), 'utf8')
              .slice(0, 8_000)
              .split(/\r?\n\r?\n/)[0]! + '\r\n\r\n',
            name,
            at,
          )
        ).file,
    ),
  );
}

/** One stored email, or undefined for a name that is not one of them (no paths, no traversal). */
export async function readMailFile(dir: string, name: string): Promise<StoredMail | undefined> {
  if (basename(name) !== name || !name.endsWith('.eml')) return undefined;
  let source: string;
  let at: number;
  try {
    source = readFileSync(join(dir, name), 'utf8');
    at = statSync(join(dir, name)).mtimeMs;
  } catch {
    return undefined;
  }
  const { mail, file } = await parse(source, name, at);
  const listHeaders = [...mail.headers.keys()]
    .filter((key) => key.startsWith('list-'))
    .map((key) => ({
      name: key.replace(/(^|-)\w/g, (c) => c.toUpperCase()),
      value:
        mail.headerLines
          .find((h) => h.key === key)
          ?.line.replace(/^[^:]+:\s*/, '')
          .replace(/\r?\n[ \t]+/g, ' ') ?? '',
    }));
  return { ...file, from: addresses(mail.from), date: mail.date, listHeaders, text: mail.text ?? '', source };
}
