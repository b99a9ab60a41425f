/**
 * The peak memory of a process that verifies a converged organization: the fake's state (exportState) and the
 * answers file are given; prints the process's peak resident set before verify (Node, tsx, the SDK and the
 * fake, loaded) and after it, in MiB, as one JSON line.
 * Run with: node --import tsx test/bench/verify-peak.ts <state> <answers>
 */
import { readFileSync } from 'node:fs';
import { FakeAws } from '../helpers/fake-aws.js';
import { BENCH_PAGE_SIZE, LATENCY_MS, benchRun } from './run.js';

const [state, file] = process.argv.slice(2) as [string, string];
const fake = new FakeAws().install().importState(readFileSync(state));
fake.pageSize = BENCH_PAGE_SIZE;
fake.delayMs = LATENCY_MS;
const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
const loadedMiB = mib(process.resourceUsage().maxRSS);
const code = await benchRun(['verify', '--answers', file]);
if (code !== 0) throw new Error(`verify exited ${code}`);
console.log(JSON.stringify({ peakBeforeVerifyMiB: loadedMiB, peakVerifyMiB: mib(process.resourceUsage().maxRSS) }));
fake.restore();
