import ora from 'ora';
import type { IoHost } from './host.js';

/**
 * Shows a spinner on the progress stream while `work` runs, only where progress may redraw (a
 * terminal with a usable size). Elsewhere the work just runs: CI logs get the message that follows,
 * not frames. A resize that leaves no usable size (SIGWINCH to 0 columns) stops the spinner at once:
 * nothing redraws on such a terminal, and ora computes the lines it erases from the width. Node
 * updates the stream's size and emits `resize` in the same tick, so no frame is drawn in between.
 */
export async function withSpinner<T>(host: IoHost, text: string, work: () => Promise<T>): Promise<T> {
  if (host.progress !== 'fancy') return work();
  const stream = host.progressStream;
  const spinner = ora({ text, stream: stream as NodeJS.WritableStream & { isTTY: true } }).start();
  const onResize = () => {
    if (host.progress !== 'fancy') spinner.stop();
  };
  stream.on('resize', onResize);
  try {
    return await work();
  } finally {
    stream.off('resize', onResize);
    // Stopping a stopped ora still moves the cursor: after a resize to no usable size, nothing may.
    if (spinner.isSpinning) spinner.stop();
  }
}
