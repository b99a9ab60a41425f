// `npm run bench`: the performance figures of issue 8, as one table. Run after `npm run build` (the
// npm script does both). Timings are medians of several runs on this machine; ratios are what count.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/aws-groundwork.js');
const quietEnv = {
  ...process.env,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  npm_config_loglevel: 'error',
  npm_config_update_notifier: 'false',
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timeMs(cmd, args, opts = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: quietEnv, stdio: 'ignore', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
function medianOf(runs, cmd, args, opts) {
  timeMs(cmd, args, opts); // warm the file cache
  return median(Array.from({ length: runs }, () => timeMs(cmd, args, opts)));
}

const rows = [];
const add = (what, figure, note = '') => rows.push([what, figure, note]);

// Start-up.
const nodeMs = medianOf(15, process.execPath, ['-e', '']);
const versionMs = medianOf(15, process.execPath, [bin, '--version']);
const helpMs = medianOf(15, process.execPath, [bin, '--help']);
add('node -e ""', `${nodeMs.toFixed(0)} ms`, 'median of 15');
add('aws-groundwork --version', `${versionMs.toFixed(0)} ms`, `${(versionMs / nodeMs).toFixed(2)}x node`);
add('aws-groundwork --help', `${helpMs.toFixed(0)} ms`, `${(helpMs / nodeMs).toFixed(2)}x node (target <= 2x)`);

// The package.
const work = mkdtempSync(join(tmpdir(), 'gw-bench-'));
try {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      env: quietEnv,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  add('tarball size', `${(packed.size / 1024).toFixed(0)} KiB`, `${packed.entryCount} files`);
  add('unpacked size', `${(packed.unpackedSize / 1024 / 1024).toFixed(1)} MiB`);
  add('runtime dependencies', String(Object.keys(pkg.dependencies ?? {}).length), 'everything is bundled');

  // Cold install-and-run: an empty folder and an empty npm cache, as a first `npx` would have.
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  execFileSync('npm', ['init', '-y'], { cwd: app, env: quietEnv, stdio: 'ignore' });
  const coldMs =
    timeMs('npm', ['install', '--no-audit', '--no-fund', '--cache', join(work, 'empty-cache'), join(work, packed.filename)], { cwd: app }) +
    timeMs('npx', ['--no-install', 'aws-groundwork', '--version'], { cwd: app });
  add('cold install-and-run', `${(coldMs / 1000).toFixed(2)} s`, 'empty npm cache; AWS CDK CLI: 1.5 s');
} finally {
  rmSync(work, { recursive: true, force: true });
}

// AWS requests, verify time and memory, against the fake with 50 ms added to every request: the management
// account alone, the full example (six accounts) and twenty-five accounts; then ten new accounts in one apply.
const tsx = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
const aws = JSON.parse(
  execFileSync(process.execPath, ['--import', tsx, join(root, 'test/bench/aws-figures.ts')], {
    cwd: root,
    env: quietEnv,
    encoding: 'utf8',
  }).trim(),
);
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
for (const [key, label] of [
  ['one', '1 account'],
  ['six', '6 accounts'],
  ['twentyFive', '25 accounts'],
]) {
  add(`AWS requests of plan / verify, ${label}`, `${aws[`${key}PlanRequests`]} / ${aws[`${key}VerifyRequests`]}`, 'converged');
}
add('verify, 1 account', seconds(aws.oneVerifyMs), `${aws.latencyMs} ms per AWS request, median of 3`);
add('verify, 6 accounts', seconds(aws.sixVerifyMs), `${(aws.sixVerifyMs / aws.oneVerifyMs).toFixed(2)}x 1 account`);
add(
  'verify, 25 accounts',
  seconds(aws.twentyFiveVerifyMs),
  `${(aws.twentyFiveVerifyMs / aws.oneVerifyMs).toFixed(2)}x 1 account (target <= 1.5x)`,
);
add(
  'peak memory, verify of 25 accounts',
  `${aws.peakVerifyMiB} MiB`,
  `resident, whole process; ${aws.peakBeforeVerifyMiB} MiB of it before verify (Node, tsx, the SDK, the fake)`,
);
add(
  'apply, 10 new accounts',
  seconds(aws.tenAccountsApplyMs),
  `${aws.tenAccountsApplyRequests} requests, ${aws.tenAccountsPolls} of them polls; organization and member-accounts only`,
);
add('apply, 10 new accounts and their baseline', seconds(aws.tenBaselinesApplyMs), `${aws.tenBaselinesApplyRequests} requests`);

const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['figure', 'value', 'note'][i].length));
const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log([line(['figure', 'value', 'note']), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
