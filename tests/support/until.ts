/** Polls `probe` until it returns something truthy, and returns that; fails after `limitMs`. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, limitMs = 8_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
