import { describe, expect, it } from 'vitest';
import { parseAnswersText, validateAnswers } from '../../src/answers/answers.js';
import { answersTemplate } from '../../src/answers/template.js';
import { REGISTRY } from '../../src/registry.js';

describe('the answers template', () => {
  it('is itself a valid answers file that names every step with its defaults', () => {
    const text = answersTemplate(REGISTRY);
    const answers = validateAnswers(parseAnswersText(text, 'template'), REGISTRY, 'template');
    expect(Object.keys(answers.steps)).toEqual(REGISTRY.map((s) => s.id));
    expect(answers.steps['mfa-enforcement']).toEqual({ groups: ['Admins'] });
    expect(answers.steps['admin-group']).toEqual({ name: 'Admins', users: [] });
  });

  it('explains every answer in a comment above it, and says which are required', () => {
    const text = answersTemplate(REGISTRY);
    for (const step of REGISTRY) {
      for (const [key, field] of Object.entries(step.answers.fields)) {
        expect(text).toContain(`# ${field.description}`);
        expect(text).toMatch(new RegExp(`\\n    (# )?${key}:`));
      }
    }
    expect(text).toContain('      email: security@acme.example');
    expect(text).toContain('    # billing:');
    expect(text).toContain('(required)');
    expect(text).not.toMatch(/\{\{|\}\}/);
  });
});
