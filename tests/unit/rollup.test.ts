import { describe, expect, it } from 'vitest';
import { derivePageStatus } from '../../src/lib/status/rollup';
import type { ComponentStatus } from '../../src/lib/status/vocabulary';

const page = (statuses: ComponentStatus[], impacts: Parameters<typeof derivePageStatus>[1] = []) => derivePageStatus(statuses, impacts);

describe('the page banner', () => {
  it('is all operational with no components and no incident', () => {
    expect(page([])).toEqual({ indicator: 'none', description: 'All Systems Operational' });
  });

  it.each([
    ['operational', 'none', 'All Systems Operational'],
    ['under_maintenance', 'maintenance', 'Service Under Maintenance'],
    ['degraded_performance', 'minor', 'Partially Degraded Service'],
    ['partial_outage', 'major', 'Partial System Outage'],
    ['major_outage', 'critical', 'Major System Outage'],
  ] as const)('maps a single %s component to %s', (status, indicator, description) => {
    expect(page([status])).toEqual({ indicator, description });
  });

  it.each([
    [['major_outage', 'major_outage'], 'critical', 'Major System Outage'],
    [['major_outage', 'operational', 'operational'], 'major', 'Partial System Outage'],
    [['partial_outage', 'partial_outage'], 'major', 'Partial System Outage'],
    [['partial_outage', 'degraded_performance'], 'minor', 'Minor Service Outage'],
    [['degraded_performance', 'degraded_performance'], 'minor', 'Degraded System Service'],
    [['degraded_performance', 'operational'], 'minor', 'Partially Degraded Service'],
    [['under_maintenance', 'operational'], 'maintenance', 'Service Under Maintenance'],
    [['operational', 'operational'], 'none', 'All Systems Operational'],
  ] as const)('blends %j into %s', (statuses, indicator, description) => {
    expect(page([...statuses])).toEqual({ indicator, description });
  });

  it('takes the first matching rule: one major outage beats many degraded', () => {
    expect(page(['degraded_performance', 'degraded_performance', 'major_outage'])).toEqual({
      indicator: 'major',
      description: 'Partial System Outage',
    });
  });

  it('is raised by an unresolved incident whose impact is worse than the components show', () => {
    expect(page(['operational', 'operational'], ['critical'])).toEqual({ indicator: 'critical', description: 'Major System Outage' });
    expect(page([], ['minor'])).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
  });

  it('is not lowered by an unresolved incident of smaller impact', () => {
    expect(page(['major_outage'], ['minor'])).toEqual({ indicator: 'critical', description: 'Major System Outage' });
  });

  it('lets an incident with impact none leave maintenance showing', () => {
    expect(page(['under_maintenance'], ['none'])).toEqual({ indicator: 'maintenance', description: 'Service Under Maintenance' });
  });
});
