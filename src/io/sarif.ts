import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { controlLabels, controlsFor, FRAMEWORKS } from '../controls/mapping.js';
import type { Check, Finding, FindingStatus } from '../model.js';
import type { CheckTitles, RunInfo } from './report.js';

/**
 * `verify --output sarif`: the findings as a SARIF 2.1.0 log, for GitHub code scanning and other CI
 * tools. One rule per check the run's steps declare, one result per finding that is not a pass.
 *
 * Findings are about AWS resources, not source files, but code scanning accepts a result only with
 * `physicalLocation.artifactLocation.uri`: each result points at the answers file (the line of its
 * step's section when it can be found), which is what a person edits or applies to fix it, and names
 * the account and the resource as logical locations.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://www.npmjs.com/package/aws-groundwork';
/**
 * The fingerprint's name and version: a result keeps it for as long as its account, check and
 * resource stay the same, so code scanning tracks one alert across runs, whatever the message says.
 */
export const FINGERPRINT = 'awsGroundworkFinding/v1';

/** The steps of the run, each with the checks it declares: the rules. */
export interface SarifStep {
  id: string;
  checks: readonly Check[];
}

export interface SarifInput {
  findings: Finding[];
  info: RunInfo;
  steps: readonly SarifStep[];
  /** For a check no step of the run declares (never expected): its title. */
  titles: CheckTitles;
  /** The answers file the run used, as given on the command line; none when every answer came from --set. */
  answersFile?: string;
  /** What a relative answers path is relative to (the working directory). */
  cwd?: string;
}

/**
 * A failing check is an error; a manual one a warning (a person has to look, and verify does not fail
 * on it); one that could not be evaluated is an error too, as verify's exit code counts it, and it
 * also makes the invocation unsuccessful.
 */
const LEVEL: Record<Exclude<FindingStatus, 'pass'>, 'error' | 'warning'> = { fail: 'error', manual: 'warning', error: 'error' };
const STATUS_WORD: Record<Exclude<FindingStatus, 'pass'>, string> = {
  fail: 'Fails',
  manual: 'Needs a person',
  error: 'Could not be checked',
};

type Json = Record<string, unknown>;

export function renderSarif(input: SarifInput): string {
  return JSON.stringify(sarifLog(input), null, 2);
}

export function sarifLog(input: SarifInput): Json {
  const { findings, info } = input;
  const rules = ruleList(input);
  const index = new Map(rules.map((r, i) => [r.check.id, i]));
  const artifact = artifactFor(input);
  const open = findings.filter((f): f is Finding & { status: Exclude<FindingStatus, 'pass'> } => f.status !== 'pass');
  const errors = open.filter((f) => f.status === 'error');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: info.tool.name,
            version: info.tool.version,
            semanticVersion: info.tool.version,
            informationUri: INFORMATION_URI,
            rules: rules.map((r) => rule(r.check)),
          },
        },
        invocations: [
          {
            executionSuccessful: errors.length === 0,
            startTimeUtc: info.startedAt,
            endTimeUtc: info.finishedAt,
            account: info.caller.arn,
            toolExecutionNotifications: errors.map((f) => ({
              level: 'error',
              message: { text: `${f.check} in account ${accountOf(f)}: ${f.reason}` },
              associatedRule: { id: f.check, index: index.get(f.check)! },
            })),
            properties: { command: info.command, region: info.region, managementAccount: info.caller.accountId },
          },
        ],
        ...(artifact.uri ? { artifacts: [{ location: { uri: artifact.uri }, roles: ['userSpecifiedConfiguration'] }] } : {}),
        results: open.map((f) => result(f, index.get(f.check)!, artifact)),
        columnKind: 'unicodeCodePoints',
        properties: {
          frameworks: Object.values(FRAMEWORKS).map((f) => ({ name: f.name, version: f.version, url: f.url })),
        },
      },
    ],
  };
}

/** Every check the steps declare, in step order, then any finding's check that none declares. */
function ruleList(input: SarifInput): { check: Check }[] {
  const seen = new Set<string>();
  const rules: { check: Check }[] = [];
  const add = (check: Check) => {
    if (seen.has(check.id)) return;
    seen.add(check.id);
    rules.push({ check });
  };
  for (const step of input.steps) for (const check of step.checks) add(check);
  for (const f of input.findings) add({ id: f.check, title: input.titles.get(f.check) ?? f.check });
  return rules;
}

function rule(check: Check): Json {
  const controls = controlsFor(check.id);
  const labels = controlLabels(check.id);
  const listed = controls.map((c, i) => `${labels[i]} (${c.framework}${c.version === 'unversioned' ? '' : ` v${c.version}`})`);
  const remediation = check.remediation ?? 'Run `aws-groundwork plan` with your answers file, then `apply` the fix it shows.';
  return {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: `${check.title}. Evidences ${listed.join(', ')}.` },
    help: {
      text: `${check.title}\n\nControls: ${listed.join('; ')}.\n\nRemediation: ${remediation}`,
      markdown: [`**${check.title}**`, '', `Controls: ${listed.join('; ')}.`, '', `Remediation: ${remediation}`].join('\n'),
    },
    helpUri: INFORMATION_URI,
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'aws', ...labels], precision: 'very-high', controls },
  };
}

/** `password-policy.minimum-length` -> `PasswordPolicyMinimumLength`: SARIF's rule name is an identifier. */
const ruleName = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

interface Artifact {
  /** The answers file as a URI relative to the working directory (the repository in CI). */
  uri?: string;
  /** The line each step's section starts on, 1 when it cannot be found. */
  lineOf: (step: string) => number;
}

function result(f: Finding & { status: Exclude<FindingStatus, 'pass'> }, ruleIndex: number, artifact: Artifact): Json {
  const next = f.remediation ? `${/[.!?]$/.test(f.reason) ? '' : '.'} Fix: ${f.remediation}` : '';
  return {
    ruleId: f.check,
    ruleIndex,
    level: LEVEL[f.status],
    message: { text: `${STATUS_WORD[f.status]} in account ${accountOf(f)}, ${f.resource}: ${f.reason}${next}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifact.uri ?? `urn:aws-groundwork:answers:steps:${f.step}` },
          region: { startLine: artifact.lineOf(f.step) },
        },
        logicalLocations: [
          { name: f.account.id, fullyQualifiedName: `aws:account/${f.account.id}`, kind: 'namespace' },
          { name: f.resource, fullyQualifiedName: `aws:account/${f.account.id}/${f.resource}`, kind: 'resource' },
        ],
      },
    ],
    partialFingerprints: fingerprints(f),
    properties: {
      status: f.status,
      step: f.step,
      account: { id: f.account.id, name: f.account.name, role: f.account.role, ...(f.account.env ? { env: f.account.env } : {}) },
      resource: f.resource,
      reason: f.reason,
      remediation: f.remediation,
      controls: controlsFor(f.check),
    },
  };
}

/**
 * Account, check and resource: what makes a finding the same one tomorrow. The same value also goes
 * under `primaryLocationLineHash`, which GitHub's upload action otherwise computes from the answers
 * file's line, so that editing the answers file does not close one alert and open another.
 */
function fingerprints(f: Finding): Record<string, string> {
  const hash = createHash('sha256').update(`${f.account.id}\0${f.check}\0${f.resource}`).digest('hex').slice(0, 32);
  return { [FINGERPRINT]: hash, primaryLocationLineHash: `${hash}:1` };
}

const accountOf = (f: Finding) => `${f.account.id} (${f.account.name})`;

function artifactFor(input: SarifInput): Artifact {
  const file = input.answersFile;
  if (!file) return { lineOf: () => 1 };
  const cwd = input.cwd ?? process.cwd();
  let text = '';
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch {
    // The run already read it; if it is gone now the results still point at it, at line 1.
  }
  const lines = text.split(/\r?\n/);
  const stepsLine = lines.findIndex((l) => /^\s*["']?steps["']?\s*:/.test(l));
  return {
    uri: fileUri(file, cwd),
    lineOf: (step) => {
      const key = new RegExp(`^\\s*["']?${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
      const at = lines.findIndex((l, i) => i > stepsLine && key.test(l));
      return at >= 0 ? at + 1 : 1;
    },
  };
}

/** Relative to the working directory, `/`-separated and percent-encoded; a file outside it as `file:`. */
function fileUri(file: string, cwd: string): string {
  const rel = normalize(isAbsolute(file) ? relative(cwd, file) : file);
  if (isAbsolute(rel) || rel.split(sep)[0] === '..') return pathToFileURL(resolve(cwd, file)).href;
  return rel
    .split(sep)
    .filter((s) => s !== '.' && s !== '')
    .map(encodeURIComponent)
    .join('/');
}
