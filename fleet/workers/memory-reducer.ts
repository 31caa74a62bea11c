// Protocol worker threads run without V8's memory reducer.
//
// The reducer starts a full, memory-reducing GC when it judges an isolate idle from its allocation
// rate measured against its GC speed, and a worker busy with 3,000 users was judged so: in the
// issue 18 acceptance run (10,000 chatters + 2,000 callers on 4 threads, `node --trace-gc`) two
// workers each ran a "Mark-Compact (reduce)" of 298 and 306 ms (the whole heap compacted, 239 and 292
// MB down to 111), where their other major GCs paused 10-70 ms. In eight runs of that shape without
// it the longest worker major GC was 50-80 ms (README "The longest pauses were V8's memory
// reducer"). A load generator has no one to give the memory back to during a run; the price is a
// larger heap between collections (~+250 MB of RSS at 12,000 users).
//
// V8 flags are per process; set before a Worker is made, the flag holds for that worker's heap (the
// main thread's heap, made before, keeps its reducer). Test: ./memory-reducer.test.ts.
import v8 from 'node:v8';

/** Turn V8's memory reducer off for the isolates made from now on (the protocol workers); setting it again changes nothing. */
export function withoutMemoryReducer(): void {
  v8.setFlagsFromString('--no-memory-reducer');
}
