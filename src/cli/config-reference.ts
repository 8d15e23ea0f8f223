// `npm run docs:config`: writes docs/configuration.md from the configuration
// schema's own descriptions and defaults, so the reference cannot drift from
// what the server reads (a unit test compares the two).
import { writeFileSync } from 'node:fs';
import { configReference } from '../lib/config';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');

/** The reference page as Markdown. */
export function configurationMarkdown(): string {
  const rows = configReference().map(
    (v) => `| \`${v.name}\` | ${v.default === undefined ? '(none)' : v.default === '' ? '(empty)' : `\`${cell(v.default)}\``} | ${cell(v.description)} |`,
  );
  return [
    '# Configuration',
    '',
    '<!-- Written by `npm run docs:config` from src/lib/config.ts; edit the descriptions there. -->',
    '',
    'Shirase reads these variables from the environment and from `.env` in the',
    'project folder (a variable the environment sets wins). Every one has a',
    'default that serves the local demo; a bad value stops the start with a list',
    'of every problem at once. `.env.example` lists them with comments.',
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync('docs/configuration.md', configurationMarkdown());
  console.log('Wrote docs/configuration.md.');
}
