/** CPU time, in ms, that `work` takes (all of this process's threads, the collector's too). */
export function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * The CPU time of `work`, run a second time when the first run passed `bound`:
 * test files share their worker's process, and a collection of what earlier
 * files left can land in one run. A shape that is slow every time (the
 * super-linear ones these bounds catch take seconds) is slow twice.
 */
export function cpuMsAgainst(bound: number, work: () => unknown): number {
  const first = cpuMs(work);
  return first > bound ? Math.min(first, cpuMs(work)) : first;
}
