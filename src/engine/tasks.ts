import {
  DefaultRenderer,
  Listr,
  ListrLogger,
  ListrEventManager,
  ListrEventType,
  ListrLogLevels,
  ProcessOutput,
  SimpleRenderer,
  type ListrRendererFactory,
} from 'listr2';
import type { IoHost } from '../io/host.js';
import { hasUsableGeometry } from '../io/style.js';

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
  const fits = () => host.progress === 'fancy' && hasUsableGeometry(process.stdout);
  const renderer = fits() ? redrawWhileItFits(stream, fits) : host.progress === 'silent' ? 'silent' : 'simple';
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

type ListrTasks = ConstructorParameters<typeof DefaultRenderer>[0];

/**
 * listr2's redrawing renderer while the terminal has a usable size (`fits`). A resize that leaves
 * none (SIGWINCH to 0 columns) ends the redrawing, says where each task stands in plain lines and
 * hands the rest of the run to the line-based renderer: nothing moves the cursor after that. listr2
 * wraps its lines to `process.stdout`'s width whatever stream it draws on, so that stream's size
 * counts too.
 */
function redrawWhileItFits(stream: NodeJS.WriteStream, fits: () => boolean): ListrRendererFactory {
  return class {
    static nonTTY = false;
    static rendererOptions = DefaultRenderer.rendererOptions;
    static rendererTaskOptions = DefaultRenderer.rendererTaskOptions;
    private readonly fancy: DefaultRenderer;
    /** What the redrawing renderer hears: cut off when it hands over, so it never draws again. */
    private readonly fancyEvents = new ListrEventManager();
    private plain: SimpleRenderer | undefined;
    private readonly onResize = () => {
      if (!this.plain && !fits()) this.toPlainLines();
    };

    constructor(
      private readonly tasks: ListrTasks,
      private readonly options: { logger: ListrLogger },
      events: ListrEventManager,
    ) {
      events.on(ListrEventType.SHOULD_REFRESH_RENDER, () => this.fancyEvents.emit(ListrEventType.SHOULD_REFRESH_RENDER));
      this.fancy = new DefaultRenderer(tasks, options, this.fancyEvents);
    }

    async render(): Promise<void> {
      await this.fancy.render();
      stream.on('resize', this.onResize);
      if (process.stdout !== stream) process.stdout.on('resize', this.onResize);
      this.onResize();
    }

    end(): void {
      stream.off('resize', this.onResize);
      process.stdout.off('resize', this.onResize);
      if (this.plain) this.plain.end();
      else this.fancy.end();
    }

    private toPlainLines(): void {
      // The last frame is erased rather than drawn again: drawn at the new width it would be one
      // character a line. The lines below say the same.
      (this.fancy as unknown as { options: { clearOutput: boolean } }).options.clearOutput = true;
      this.fancy.end();
      this.fancyEvents.complete();
      const { logger } = this.options;
      this.plain = new SimpleRenderer(this.tasks as never, this.options as never);
      for (const task of this.tasks) {
        const title = task.title ?? '';
        if (task.isCompleted()) logger.log(ListrLogLevels.COMPLETED, title);
        else if (task.hasFailed()) logger.log(ListrLogLevels.FAILED, title);
        else if (task.isStarted()) logger.log(ListrLogLevels.STARTED, title);
      }
      this.plain.render();
    }
  } as unknown as ListrRendererFactory;
}
