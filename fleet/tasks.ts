// A run is an ordered list of named tasks; each may return a teardown. Teardowns always run,
// in reverse order, even after a failure or an interrupt (Playwright's task runner and
// webServer do the same). A teardown that fails is reported, and the others still run.

export interface Task {
  readonly name: string;
  /** Do the work; return what undoes it (if anything). */
  setup(): Promise<Teardown | void>;
}

export type Teardown = () => Promise<void>;

export interface TaskRunResult {
  /** the task that failed, if any, and its error */
  readonly failed?: { readonly task: string; readonly error: unknown };
  readonly teardownErrors: readonly { readonly task: string; readonly error: unknown }[];
  /** names of the tasks whose setup completed, in order */
  readonly completed: readonly string[];
}

export async function runTaskList(
  tasks: readonly Task[],
  options: { onTask?: (name: string, stage: 'setup' | 'teardown') => void; shouldStop?: () => boolean } = {},
): Promise<TaskRunResult> {
  const teardowns: { task: string; teardown: Teardown }[] = [];
  const completed: string[] = [];
  let failed: TaskRunResult['failed'];
  for (const task of tasks) {
    if (options.shouldStop?.()) break;
    options.onTask?.(task.name, 'setup');
    try {
      const teardown = await task.setup();
      if (teardown) teardowns.push({ task: task.name, teardown });
      completed.push(task.name);
    } catch (error) {
      failed = { task: task.name, error };
      break;
    }
  }
  const teardownErrors: { task: string; error: unknown }[] = [];
  for (const { task, teardown } of teardowns.reverse()) {
    options.onTask?.(task, 'teardown');
    try {
      await teardown();
    } catch (error) {
      teardownErrors.push({ task, error });
    }
  }
  return { failed, teardownErrors, completed };
}
