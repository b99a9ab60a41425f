import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';
import { OUTPUT_FORMATS, VERIFY_ONLY_FORMATS, type OutputFormat } from './io/output-format.js';

export const COMMANDS = ['wizard', 'plan', 'apply', 'verify', 'answers', 'permissions', 'sso-config'] as const;
export type Command = (typeof COMMANDS)[number];

export interface Args {
  command: Command;
  /** `answers FILE`: where to write the template. */
  target?: string;
  /** `answers --from-account`: write the answers the live account stands at, instead of the template. */
  fromAccount?: boolean;
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
  aws-groundwork plan         read-only; prints the changes each step would make and the monthly cost
  aws-groundwork apply        makes the planned changes (asks first, unless --yes), then verifies
  aws-groundwork verify       read-only; checks every control, reports drift
  aws-groundwork answers [FILE]
                              writes a commented answers-file template (to FILE, or stdout)
  aws-groundwork answers --from-account [FILE]
                              read-only; writes the answers the live account stands at, the
                              controls' values where it falls short (commented)
  aws-groundwork permissions  prints the IAM policy this tool needs (--phase read | apply)
  aws-groundwork sso-config --answers FILE
                              read-only; prints IAM Identity Center's access portal and a
                              ~/.aws/config block (one profile per account and role) for
                              \`aws sso login\`

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
  --output FORMAT       human (default), json or markdown; for plan and verify. verify also
                        takes sarif (SARIF 2.1.0, for GitHub code scanning and other CI tools)
  --report FILE         (verify) also write the markdown evidence report to FILE; stdout keeps
                        --output. Replaces only an earlier report, never another file
  --detailed-exitcode   (plan) exit 3 when changes are pending
  --phase read|apply    (permissions) the policy for plan/verify, or for apply (default)
  -h, --help            show this help
  -v, --version         show the version

Steps (ids for --only, --skip and the answers file)
${stepColumns(steps)}

Exit codes
  0  success; every control passes
  1  AWS or runtime error, or a declined confirmation
  2  usage error, or invalid or missing answers (nothing was changed)
  3  verify found failing controls, or plan --detailed-exitcode found pending changes
  130  stopped by Ctrl-C, 143 by SIGTERM (the AWS call in flight finished; run again to continue)

Results go to stdout; progress, questions and messages to stderr. Without a terminal nothing is
asked: give answers with --answers (see \`aws-groundwork answers\`) and approve with --yes.
`;

/** Ids in one column, titles in the next: the column is as wide as the longest id, whatever it is. */
function stepColumns(steps: readonly { id: string; title: string }[]): string {
  const width = Math.max(0, ...steps.map((s) => s.id.length)) + 2;
  return steps.map((s) => `  ${s.id.padEnd(width)}${s.title}`).join('\n');
}

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
  if (VERIFY_ONLY_FORMATS.includes(output) && command !== 'verify') {
    throw new UsageError(`--output ${output} is for verify`, 'A plan prints human, json or markdown.');
  }
  if (v.report !== undefined && command !== 'verify') throw new UsageError('--report is for verify');
  if (v.report === '') throw new UsageError('--report needs a file name');
  if (v['from-account'] && command !== 'answers') throw new UsageError('--from-account is for answers');
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
  'from-account': { type: 'boolean' },
  phase: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type ParsedValues = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

const HELP_HINT = 'See `aws-groundwork --help` for every option.';
const SHORT_OPTIONS = Object.entries(OPTIONS).flatMap(([name, o]) => ('short' in o ? [`-${o.short} (--${name})`] : []));

/**
 * How far apart two words are: insertions, deletions, substitutions and swaps of neighbours each
 * count one (optimal string alignment), so `--ansewrs` is one step from `--answers`.
 */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known word a mistyped one most likely meant: the nearest within one edit for short words and
 * two for longer ones, or the one it begins (`--detailed` for `--detailed-exitcode`); none when no
 * word is near enough to be a fair guess.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const limit = w.length <= 4 ? 1 : 2;
  let best: { word: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(w, k);
    if (d <= limit && (!best || d < best.d)) best = { word: k, d };
  }
  return best?.word ?? (w.length >= 3 ? known.find((k) => k.startsWith(w)) : undefined);
}

const didYouMean = (word: string | undefined) => (word === undefined ? '' : `; did you mean ${word}?`);

/** An option node:util does not know, said in our words with the option it was most likely meant to be. */
function unknownOption(raw: string): UsageError {
  const long = raw.replace(/^-+/, '');
  // `-x` is one letter: every short option is one edit away, so listing them helps more than a guess.
  if (/^-[^-]$/.test(raw)) return new UsageError(`unknown option ${raw}`, `Short options: ${SHORT_OPTIONS.join(', ')}. ${HELP_HINT}`);
  const guess = closest(long.split('=')[0] ?? long, Object.keys(OPTIONS));
  return new UsageError(`unknown option ${raw}${didYouMean(guess && `--${guess}`)}`, HELP_HINT);
}

/**
 * The option as the person typed it: `--answer` of `--answer=x`; `-answers` when a single-dash group
 * (which the parser splits into -a -n -s ...) is a long option's name; otherwise the one short letter.
 */
function unknownWord(arg: string, rawName: string): string {
  const word = arg.split('=')[0] ?? arg;
  if (word.startsWith('--')) return word;
  return /^-[^-]{2,}$/.test(word) && closest(word.slice(1), Object.keys(OPTIONS)) ? word : rawName;
}

/**
 * Refuses, in words a person can act on, what node:util's strict parser would refuse with its own
 * text: unknown options, a value missing or given where none is taken. The strict parse afterwards
 * is only a safety net.
 */
function checkOptionTokens(argv: string[]): void {
  const { tokens } = parseArgs({ args: argv, allowPositionals: true, strict: false, tokens: true, options: OPTIONS });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const def = (OPTIONS as Record<string, { type: 'string' | 'boolean' } | undefined>)[t.name];
    if (!def) throw unknownOption(unknownWord(argv[t.index] ?? t.rawName, t.rawName));
    if (def.type === 'boolean' && t.value !== undefined) throw new UsageError(`${t.rawName} takes no value (got "${t.value}")`, HELP_HINT);
    if (def.type === 'string' && t.value === undefined) throw new UsageError(`${t.rawName} needs a value`, HELP_HINT);
    if (def.type === 'string' && !t.inlineValue && t.value !== undefined && t.value.length > 1 && t.value.startsWith('-')) {
      throw new UsageError(
        `${t.rawName} needs a value, and is followed by the option ${t.value}`,
        `A value that starts with "-" is written ${t.rawName}=${t.value}.`,
      );
    }
  }
}

/** An unknown first word: the command it most likely meant, or the flag for a file name. */
function unknownCommand(first: string): UsageError {
  const commands = COMMANDS.filter((c) => c !== 'wizard');
  const hint = `Commands: ${commands.join(', ')} (see --help); the wizard is \`aws-groundwork\` with no command.`;
  if (first === 'wizard') return new UsageError('unknown command "wizard"', hint);
  if (/[./\\]/.test(first)) return new UsageError(`unknown command "${first}"; did you mean --answers ${first}?`, hint);
  return new UsageError(`unknown command "${first}"${didYouMean(closest(first, [...commands, 'help']))}`, hint);
}

/** A word as a POSIX shell reads it back: as it is when plain, otherwise in single quotes. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * This run's command line for another command: the same answers (file and --set), the same steps and
 * the same account, profile and endpoint, so a command it suggests works where this run did. Answers
 * saved by --save-answers stand in for the --set flags they contain.
 */
export function commandLine(args: Args, command: 'plan' | 'apply' | 'verify'): string {
  const words = ['aws-groundwork', command];
  const file = args.answers ?? args.saveAnswers;
  if (file) words.push('--answers', file);
  if (args.answers || !args.saveAnswers) for (const s of args.set) words.push('--set', s);
  if (args.only) words.push('--only', args.only.join(','));
  if (args.skip) words.push('--skip', args.skip.join(','));
  if (args.profile) words.push('--profile', args.profile);
  if (args.region) words.push('--region', args.region);
  if (args.endpointUrl) words.push('--endpoint-url', args.endpointUrl);
  return words.map(shellWord).join(' ');
}

export function parseCliArgs(argv: string[]): Args {
  checkOptionTokens(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS,
    });
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'invalid arguments', HELP_HINT);
  }
  const { values: v, positionals } = parsed;
  const [first, ...rest] = positionals;
  const command = (first === undefined ? 'wizard' : first === 'help' ? 'wizard' : first) as Command;
  if (!(COMMANDS as readonly string[]).includes(command) || first === 'wizard') throw unknownCommand(first as string);
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
  if (v['from-account']) args.fromAccount = true;
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
