// Test fixture for parent-watch.test.ts: a process that watches its parent, prints what it
// watches, and when a watched process is gone prints which one and ends.
import { watchParent } from './parent-watch.ts';

const keepAlive = setInterval(() => {}, 1000);
const watch = watchParent({
  intervalMs: 100,
  onGone: (gone) => {
    console.log(JSON.stringify({ gone: gone.pid, atMs: Date.now() }));
    clearInterval(keepAlive);
  },
});
console.log(JSON.stringify({ watching: watch?.watched.map((p) => p.pid) ?? [] }));
setTimeout(() => clearInterval(keepAlive), 60_000).unref();
