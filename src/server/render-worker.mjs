// Entry of the render thread. Worker threads do not inherit the TypeScript
// loader the main thread runs under, so register tsx here, then load the
// thread's TypeScript code.
import { register } from 'tsx/esm/api';

register();
await import('./render-thread.ts');
