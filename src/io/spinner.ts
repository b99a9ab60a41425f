import ora from 'ora';
import type { IoHost } from './host.js';

/**
 * Shows a spinner on the progress stream while `work` runs, only where progress may redraw (a
 * terminal). Elsewhere the work just runs: CI logs get the message that follows, not frames.
 */
export async function withSpinner<T>(host: IoHost, text: string, work: () => Promise<T>): Promise<T> {
  if (host.progress !== 'fancy') return work();
  const spinner = ora({ text, stream: host.progressStream as NodeJS.WritableStream & { isTTY: true } }).start();
  try {
    return await work();
  } finally {
    spinner.stop();
  }
}
