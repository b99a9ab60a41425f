import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isReadAction } from '../../src/aws/actions.js';
import { REGISTRY } from '../../src/registry.js';
import { STEP_LIST } from '../../src/step-list.js';

describe('the step registry', () => {
  it('has unique ids, one per folder under steps/, equal to the folder name', () => {
    const ids = REGISTRY.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const folders = readdirSync(new URL('../../steps/', import.meta.url), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect([...ids].sort()).toEqual(folders);
  });

  it('uses kebab-case ids, the ten of the design in the design order, with member accounts (log-archive among them) before the trail, then the guardrails that keep that baseline', () => {
    for (const step of REGISTRY) expect(step.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(REGISTRY.map((s) => s.id)).toEqual([
      'account-alias',
      'password-policy',
      'admin-group',
      'mfa-enforcement',
      'organization',
      'member-accounts',
      'org-trail',
      'root-credentials',
      's3-block-public-access',
      'security-contacts',
      'identity-center',
      'cost-alerts',
      'threat-detection',
      'guardrails',
    ]);
  });

  it('gives every step a title, a description, checks and declared IAM actions', () => {
    for (const step of REGISTRY) {
      expect(step.title.length, step.id).toBeGreaterThan(0);
      expect(step.description.length, step.id).toBeGreaterThan(0);
      expect(step.checks.length, step.id).toBeGreaterThan(0);
      expect(step.permissions.read.length, step.id).toBeGreaterThan(0);
      for (const action of [...step.permissions.read, ...step.permissions.apply]) {
        expect(action, step.id).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
      }
    }
  });

  it('declares only read actions for plan and verify, and only writes for apply', () => {
    for (const step of REGISTRY) {
      for (const action of step.permissions.read) expect(isReadAction(action), `${step.id} ${action}`).toBe(true);
      for (const action of step.permissions.apply) expect(isReadAction(action), `${step.id} ${action}`).toBe(false);
    }
  });

  it('matches the light step list that --help prints without loading the steps', () => {
    expect(STEP_LIST).toEqual(REGISTRY.map((s) => ({ id: s.id, title: s.title })));
  });

  it('lists implied actions (checked by AWS, never sent) apart from the actions a step sends', () => {
    for (const step of REGISTRY) {
      for (const action of step.permissions.implied ?? []) {
        expect(action, step.id).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
        expect([...step.permissions.read, ...step.permissions.apply], step.id).not.toContain(action);
      }
    }
  });

  it('names its destructive opt-in as a boolean answer of the step', () => {
    for (const step of REGISTRY.filter((s) => typeof s.destructiveOptIn === 'string')) {
      expect(step.answers.fields[step.destructiveOptIn as string]?.kind).toBe('boolean');
    }
  });
});
