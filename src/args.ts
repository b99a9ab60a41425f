import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from './io/output-format.js';

export const COMMANDS = ['wizard', 'plan', 'apply', 'verify', 'answers', 'permissions'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Args {
  command: Command;
  /** `answers FILE`: where to write the template. */
  target?: string;
  answers?: string;
  saveAnswers?: string;
  /** verify: also write the markdown evidence report here. */
  report?: string;
  yes: boolean;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  only?: string[];
  skip?: string[];
  output: OutputFormat;
  detailedExitcode: boolean;
  phase: 'read' | 'apply';
  set: string[];
  help: boolean;
  version: boolean;
}

export const helpText = (
  steps: readonly { id: string; title: string }[],
): string => `aws-groundwork: turn a fresh AWS account into a secure organization, one planned step at a time.

Usage
  aws-groundwork              interactive wizard: questions -> plan -> confirm -> apply -> verify
  aws-groundwork plan         read-only; prints the changes each step would make
  aws-groundwork apply        makes the planned changes (asks first, unless --yes), then verifies
  aws-groundwork verify       read-only; checks every control, reports drift
  aws-groundwork answers [FILE]
                              writes a commented answers-file template (to FILE, or stdout)
  aws-groundwork permissions  prints the IAM policy this tool needs (--phase read | apply)

Options
  --answers FILE        answers file (YAML or JSON); with it no question is asked
  --save-answers FILE   write the answers used in this run
  --set PATH=VALUE      give one answer, e.g. --set steps.account-alias.alias=acme (repeatable)
  --yes                 approve the plan without asking (destructive changes also need
                        their opt-in in the answers file)
  --profile NAME        AWS profile (default: the SDK's usual chain)
  --region REGION       home region (default: answers file, AWS_REGION, profile, else us-east-1)
  --endpoint-url URL    send every AWS call to this endpoint (LocalStack, moto); AWS_ENDPOINT_URL too
  --only ID[,ID]        run only these steps
  --skip ID[,ID]        leave these steps out
  --output FORMAT       human (default), json or markdown; for plan and verify
  --report FILE         (verify) also write the markdown evidence report to FILE; stdout keeps
                        --output. Replaces only an earlier report, never another file
  --detailed-exitcode   (plan) exit 3 when changes are pending
  --phase read|apply    (permissions) the policy for plan/verify, or for apply (default)
  -h, --help            show this help
  -v, --version         show the version

Steps (ids for --only, --skip and the answers file)
${steps.map((s) => `  ${s.id.padEnd(22)}${s.title}`).join('\n')}

Exit codes
  0  success; every control passes
  1  AWS or runtime error, or a declined confirmation
  2  usage error, or invalid or missing answers (nothing was changed)
  3  verify found failing controls, or plan --detailed-exitcode found pending changes
  130  stopped by Ctrl-C, 143 by SIGTERM (the AWS call in flight finished; run again to continue)

Results go to stdout; progress, questions and messages to stderr. Without a terminal nothing is
asked: give answers with --answers (see \`aws-groundwork answers\`) and approve with --yes.
`;

const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** Flags that belong to one command, and values with a fixed set: refused before anything runs. */
function checkFlags(command: Command, v: ParsedValues): { output: OutputFormat; phase: 'read' | 'apply' } {
  const output = (v.output ?? 'human') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) throw new UsageError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}`);
  if (v.output && command !== 'plan' && command !== 'verify') throw new UsageError('--output is for plan and verify');
  if (v.report !== undefined && command !== 'verify') throw new UsageError('--report is for verify');
  if (v.report === '') throw new UsageError('--report needs a file name');
  if (v['detailed-exitcode'] && command !== 'plan') throw new UsageError('--detailed-exitcode is for plan');
  const phase = v.phase ?? 'apply';
  if (phase !== 'read' && phase !== 'apply') throw new UsageError('--phase must be read or apply');
  if (v.phase && command !== 'permissions') throw new UsageError('--phase is for permissions');
  return { output, phase };
}

const OPTIONS = {
  answers: { type: 'string' },
  'save-answers': { type: 'string' },
  set: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  only: { type: 'string' },
  skip: { type: 'string' },
  output: { type: 'string' },
  report: { type: 'string' },
  'detailed-exitcode': { type: 'boolean' },
  phase: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

export function parseCliArgs(argv: string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'invalid arguments', 'See `aws-groundwork --help`.');
  }
  const { values: v, positionals } = parsed;
  const [first, ...rest] = positionals;
  const command = (first === undefined ? 'wizard' : first === 'help' ? 'wizard' : first) as Command;
  if (!(COMMANDS as readonly string[]).includes(command) || first === 'wizard') {
    throw new UsageError(`unknown command "${first}"`, 'Commands: plan, apply, verify, answers, permissions (see --help).');
  }
  const allowedPositionals = command === 'answers' ? 1 : 0;
  if (rest.length > allowedPositionals)
    throw new UsageError(`unexpected argument "${rest[allowedPositionals]}"`, 'See `aws-groundwork --help`.');

  const { output, phase } = checkFlags(command, v);

  const args: Args = {
    command,
    yes: v.yes ?? false,
    output,
    detailedExitcode: v['detailed-exitcode'] ?? false,
    phase,
    set: v.set ?? [],
    help: v.help ?? first === 'help',
    version: v.version ?? false,
  };
  if (rest[0] !== undefined) args.target = rest[0];
  if (v.answers !== undefined) args.answers = v.answers;
  if (v['save-answers'] !== undefined) args.saveAnswers = v['save-answers'];
  if (v.report !== undefined) args.report = v.report;
  if (v.profile !== undefined) args.profile = v.profile;
  if (v.region !== undefined) args.region = v.region;
  if (v['endpoint-url'] !== undefined) args.endpointUrl = v['endpoint-url'];
  const only = list(v.only);
  const skip = list(v.skip);
  if (only) args.only = only;
  if (skip) args.skip = skip;
  return args;
}
