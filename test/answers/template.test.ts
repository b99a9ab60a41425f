import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAnswersText, validateAnswers } from '../../src/answers/answers.js';
import { answersTemplate } from '../../src/answers/template.js';
import { TestHost } from '../../src/io/test-host.js';
import { REGISTRY } from '../../src/registry.js';
import { FakeAws } from '../helpers/fake-aws.js';
import { answersFile, cli } from '../helpers/run-cli.js';

let fake: FakeAws;
beforeEach(() => {
  fake = new FakeAws().install();
});
afterEach(() => fake.restore());

/** What a person writes over the template's placeholders. */
const fillIn = (text: string) =>
  text
    .replaceAll('<your-company>', 'acme')
    .replace('<user-name>', 'jane')
    .replace('<monthly-usd>', '100')
    .replace('<given-name>', 'Jane')
    .replace('<family-name>', 'Founder')
    .replace('<name>@', 'jane@')
    .replaceAll('<your-domain>', 'acme.example')
    .replace('<full name>', 'Jane Founder')
    .replace('<job title>', 'CTO')
    .replace('<phone number>', '"+1 555 0100"');

/** Every answer only a person can choose, as the template leaves it. */
const PLACEHOLDER_PATHS = [
  'steps.account-alias.alias',
  'steps.member-accounts.accounts[0].name',
  'steps.member-accounts.accounts[0].email',
  'steps.member-accounts.accounts[1].name',
  'steps.member-accounts.accounts[1].email',
  'steps.member-accounts.accounts[2].name',
  'steps.member-accounts.accounts[2].email',
  'steps.member-accounts.accounts[3].name',
  'steps.member-accounts.accounts[3].email',
  'steps.member-accounts.accounts[4].name',
  'steps.member-accounts.accounts[4].email',
  'steps.security-contacts.security.name',
  'steps.security-contacts.security.title',
  'steps.security-contacts.security.email',
  'steps.security-contacts.security.phone',
  'steps.identity-center.users[0].userName',
  'steps.identity-center.users[0].givenName',
  'steps.identity-center.users[0].familyName',
  'steps.identity-center.users[0].email',
  'steps.cost-alerts.limitUsd',
  'steps.cost-alerts.emails[0]',
];

describe('the answers template', () => {
  it('unedited, is refused by plan with exit 2, naming each placeholder and what to put there, before any AWS call', async () => {
    const template = await cli(['answers']);
    expect(template.code).toBe(0);
    const run = await cli(['plan', '--answers', answersFile(template.stdout)]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(fake.calls).toEqual([]);
    const named = [...run.stderr.matchAll(/^ {2}(\S+): is still the template's placeholder: put \S.* there/gm)].map((m) => m[1]);
    expect(named).toEqual(PLACEHOLDER_PATHS);
    expect(run.stderr).toContain("steps.account-alias.alias: is still the template's placeholder: put the sign-in alias you want there");
    expect(run.stderr).toContain(
      "steps.security-contacts.security.title: is still the template's placeholder: put that person's job title there",
    );
  });

  it('unedited, is refused by apply --yes the same way, before any AWS call', async () => {
    const template = await cli(['answers']);
    const run = await cli(['apply', '--yes', '--answers', answersFile(template.stdout)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("steps.security-contacts.security.email: is still the template's placeholder");
    expect(fake.calls).toEqual([]);
  });

  it('writes no made-up value a person must choose: outside comments, only <...> placeholders', () => {
    const values = answersTemplate(REGISTRY)
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    expect(values).not.toMatch(/acme|Jane|Founder|CTO|555|example/i);
    for (const placeholder of ['alias: <your-company>', 'name: <full name>', 'email: security@<your-domain>', 'phone: <phone number>']) {
      expect(values).toContain(placeholder);
    }
    expect(values).toContain('- { name: <your-company>-dev, email: aws+dev@<your-domain>, ou: Workloads }');
  });

  it('with every <...> replaced, is a valid answers file that names every step with its defaults', () => {
    const text = fillIn(answersTemplate(REGISTRY));
    const answers = validateAnswers(parseAnswersText(text, 'template'), REGISTRY, 'template');
    expect(Object.keys(answers.steps)).toEqual(REGISTRY.map((s) => s.id));
    expect(answers.steps['account-alias']).toEqual({ alias: 'acme', allowReplace: false });
    expect(answers.steps['mfa-enforcement']).toEqual({ groups: ['Admins'] });
    expect(answers.steps['admin-group']).toEqual({ name: 'Admins', users: [] });
    expect(answers.steps['member-accounts']).toEqual({
      accounts: [
        { name: 'acme-dev', email: 'aws+dev@acme.example', ou: 'Workloads' },
        { name: 'acme-staging', email: 'aws+staging@acme.example', ou: 'Workloads' },
        { name: 'acme-prod', email: 'aws+prod@acme.example', ou: 'Workloads' },
        { name: 'acme-log-archive', email: 'aws+log-archive@acme.example', ou: 'Security', purpose: 'log-archive' },
        { name: 'acme-security-tooling', email: 'aws+security-tooling@acme.example', ou: 'Security', purpose: 'security-tooling' },
      ],
    });
    expect(answers.steps['security-contacts']).toEqual({
      security: { name: 'Jane Founder', title: 'CTO', email: 'security@acme.example', phone: '+1 555 0100' },
    });
  });

  it('with every <...> replaced, plans', async () => {
    const template = await cli(['answers']);
    const run = await cli(['plan', '--answers', answersFile(fillIn(template.stdout))]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('set the account alias to "acme"');
  });

  it('explains every answer in a comment above it, and says which are required', () => {
    const text = answersTemplate(REGISTRY);
    for (const step of REGISTRY) {
      for (const [key, field] of Object.entries(step.answers.fields)) {
        expect(text).toContain(`# ${field.description}`);
        expect(text).toMatch(new RegExp(`\\n    (# )?${key}:`));
      }
    }
    expect(text).toContain('      email: security@<your-domain>');
    expect(text).toContain('    # billing:');
    expect(text).toContain('    #   email: billing@<your-domain>');
    expect(text).toContain('(required)');
    expect(text).toContain('(replace each <...>, or write [] for none)');
    expect(text).not.toMatch(/\{\{|\}\}/);
  });

  it('a section uncommented from the template keeps its placeholders until they are edited', () => {
    const billing = answersTemplate(REGISTRY)
      .split('\n')
      .filter((line) => /^ {4}# {1,3}(billing:|name:|title:|email: billing|phone:)/.test(line))
      .slice(0, 5)
      .map((line) => line.replace('# ', ''));
    const text = `version: 1\nsteps:\n  security-contacts:\n    security: { name: Jane Founder, title: CTO, email: security@acme.example, phone: "+1 555 0100" }\n${billing.join('\n')}\n`;
    expect(() => validateAnswers(parseAnswersText(text, 'billing.yaml'), REGISTRY, 'billing.yaml')).toThrow(
      /steps\.security-contacts\.billing\.name: is still the template's placeholder[^]*billing\.phone: is still the template's placeholder/,
    );
  });
});

describe('placeholders outside the file', () => {
  it('the wizard offers no placeholder as a default, and refuses one typed in', async () => {
    const host = new TestHost({ 'GW_ASK_account-alias.alias': ['acme'], GW_APPROVE_PLAN: ['stop'] });
    await cli(['--only', 'account-alias,security-contacts'], { host });
    const asked = host.requests.filter((r) => r.kind === 'input');
    expect(asked.map((r) => r.code)).toContain('GW_ASK_security-contacts.security.name');
    for (const request of asked) expect(request.default ?? '').not.toMatch(/[<>]/);
    const alias = asked.find((r) => r.code === 'GW_ASK_account-alias.alias');
    expect(alias?.validate?.('<your-company>')).toContain("steps.account-alias.alias is still the template's placeholder");
  });

  it('--set with a placeholder exits 2 and sends nothing', async () => {
    const run = await cli(['plan', '--only', 'account-alias', '--set', 'steps.account-alias.alias=<your-company>']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is still the template's placeholder: put the sign-in alias you want there");
    expect(fake.calls).toEqual([]);
  });
});
