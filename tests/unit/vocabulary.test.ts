import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ACTIVE_MAINTENANCE_STATUSES,
  closingStatus,
  isClosedStatus,
  isPostableStatus,
  OPEN_MAINTENANCE_STATUSES,
  postableStatuses,
  UNRESOLVED_INCIDENT_STATUSES,
  unresolved,
} from '../../src/lib/status/vocabulary';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.(ts|astro)$/.test(name) ? [path] : [];
  });
}

describe('the status vocabulary', () => {
  it('groups open and closed statuses for both kinds', () => {
    expect(unresolved()).toEqual([...UNRESOLVED_INCIDENT_STATUSES, ...OPEN_MAINTENANCE_STATUSES]);
    for (const s of unresolved()) expect(isClosedStatus(s), s).toBe(false);
    for (const s of ['resolved', 'postmortem', 'completed']) expect(isClosedStatus(s), s).toBe(true);
    expect(ACTIVE_MAINTENANCE_STATUSES).not.toContain('scheduled');
  });

  it('lets staff post every status but postmortem, each on its own kind', () => {
    expect(postableStatuses('incident')).toEqual(['investigating', 'identified', 'monitoring', 'resolved']);
    expect(isPostableStatus('incident', 'postmortem')).toBe(false);
    expect(isPostableStatus('incident', 'in_progress')).toBe(false);
    expect(isPostableStatus('maintenance', 'completed')).toBe(true);
    expect(closingStatus('incident')).toBe('resolved');
    expect(closingStatus('maintenance')).toBe('completed');
  });

  it('is the only place that spells out a group of status words', () => {
    const spelled = /\[\s*'(investigating|identified|monitoring|scheduled|in_progress|verifying)',\s*'(identified|monitoring|in_progress|verifying|resolved)'/;
    for (const file of [...sourceFiles('src'), ...sourceFiles('db')]) {
      if (file.endsWith(join('status', 'vocabulary.ts')) || file === join('db', 'vocabulary.ts')) continue;
      expect(readFileSync(file, 'utf8'), file).not.toMatch(spelled);
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/status (!==|===) 'resolved' \|\||=== 'resolved' \|\| \w+(\.status)? === 'completed'/);
    }
  });

  it('spells impacts, component statuses, alert states, webhook kinds and the public id shape once', () => {
    const lists = [
      /\[\s*'none',\s*'minor'/,
      /\[\s*'operational',\s*'degraded_performance'/,
      /\[\s*'firing',\s*'resolved'/,
      /\[\s*'webhook',\s*'slack'/,
      /\[\s*'incident',\s*'maintenance'\s*\]/,
      /\[\s*'suggest',\s*'(publish|apply)'/,
    ];
    for (const file of [...sourceFiles('src'), ...sourceFiles('db')]) {
      if (file === join('db', 'vocabulary.ts') || file.startsWith(join('db', 'migrations'))) continue;
      const text = readFileSync(file, 'utf8');
      for (const list of lists) expect(text, file).not.toMatch(list);
      if (file !== join('src', 'lib', 'ids.ts')) expect(text, file).not.toContain('[0-9a-z]{12}');
    }
  });

  it('keeps db/ free of src/lib, so the schema stands below the domain', () => {
    for (const file of sourceFiles('db')) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from '[./]*src\/lib\//);
  });
});
