/**
 * Scenario d (ii): the CLI is killed with SIGKILL right after a write reached the emulator (and was
 * carried out), before it could hear the answer.
 */
import { writeFaultSuite } from './harness/write-faults.js';

await writeFaultSuite(
  'kill',
  'the packed package against the emulator: the CLI is killed right after one write of a full apply reached AWS',
  'SIGKILL once it reached AWS: the next apply exits 0 and verified, the plan after it is empty, and the emulator holds what an undisturbed run leaves',
);
