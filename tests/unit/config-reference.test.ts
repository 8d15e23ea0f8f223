import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configurationMarkdown } from '../../src/cli/config-reference';
import { configReference } from '../../src/lib/config';

describe('docs/configuration.md', () => {
  it('is what npm run docs:config writes from the schema today', () => {
    expect(readFileSync('docs/configuration.md', 'utf8'), 'run npm run docs:config').toBe(configurationMarkdown());
  });

  it('describes every variable the configuration reads', () => {
    const undescribed = configReference()
      .filter((v) => v.description.trim().length < 10)
      .map((v) => v.name);
    expect(undescribed).toEqual([]);
    expect(configReference().map((v) => v.name)).toEqual(expect.arrayContaining(['DATABASE_PATH', 'METRICS_TOKEN', 'LOG_REQUESTS', 'BACKUP_EVERY']));
  });
});
