/**
 * Scenario d (i): the write reaches the emulator, which carries it out, and the connection is cut
 * before its answer comes back.
 */
import { writeFaultSuite } from './harness/write-faults.js';

await writeFaultSuite(
  'lose-answer',
  'the packed package against the emulator: the answer to one write of a full apply is lost',
  'its answer lost: the same run ends with exit 0 and verified, the next plan is empty, and the emulator holds what an undisturbed run leaves',
);
