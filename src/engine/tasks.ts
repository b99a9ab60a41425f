import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import type { IoHost } from '../io/host.js';

export interface Task {
  title: string;
  /** `progress` shows a live status line under the task (e.g. an account being created, and for how long). */
  run: (progress: (text: string) => void) => Promise<void>;
}

/**
 * Runs tasks with listr2 progress on the host's progress stream (never stdout). Tasks report their own
 * outcome to the caller; listr2 only draws. With `stopOnError`, the first failure ends the run and is
 * rethrown; otherwise every task runs and failures are left to the tasks to record.
 */
export async function runTasks(host: IoHost, tasks: Task[], opts: { stopOnError: boolean; concurrency?: number }): Promise<void> {
  if (tasks.length === 0) return;
  const stream = host.progressStream as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream) });
  const renderer = host.progress === 'fancy' ? 'default' : host.progress === 'plain' ? 'simple' : 'silent';
  const list = new Listr(
    tasks.map((t) => ({
      title: t.title,
      task: (_ctx: unknown, task: { output: string }) =>
        t.run((text) => {
          task.output = text;
        }),
    })),
    {
      concurrent: opts.concurrency && opts.concurrency > 1 ? opts.concurrency : false,
      exitOnError: opts.stopOnError,
      collectErrors: false,
      registerSignalListeners: false,
      renderer,
      fallbackRenderer: 'simple',
      rendererOptions: { logger },
      fallbackRendererOptions: { logger },
    } as never,
  );
  await list.run();
}
