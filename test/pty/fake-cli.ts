/**
 * The CLI's real entry point (`main` in src/cli.ts, as bin/aws-groundwork.js calls it) with the
 * stateful fake AWS installed in this process, for tests that drive it in a real terminal.
 *   FAKE_AWS_STATE     file to load the fake's state from (when it exists) and to save it to at exit
 *   FAKE_AWS_DELAY_MS  how long every AWS call takes
 * Run with: node --import tsx test/pty/fake-cli.ts [arguments]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FakeAws } from '../helpers/fake-aws.js';

const fake = new FakeAws().install();
const statePath = process.env.FAKE_AWS_STATE;
if (statePath && existsSync(statePath)) fake.importState(readFileSync(statePath));
fake.delayMs = Number(process.env.FAKE_AWS_DELAY_MS ?? 0);
// Member accounts are ready at the first poll: the terminal tests wait on people, not on AWS.
fake.creationPolls = 0;
// Saved on every exit, Ctrl-C included, so the next process sees what this one changed.
process.on('exit', () => {
  if (statePath) writeFileSync(statePath, fake.exportState());
});

const { main } = await import('../../src/cli.js');
await main();
