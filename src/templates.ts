import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-info.js';

/**
 * Renders `templates/<name>` with `{{placeholder}}` values. Strict both ways: a placeholder without a
 * value and a value without a placeholder are errors, so a renamed field cannot silently vanish from a
 * policy document or the answers template.
 */
export function renderTemplate(name: string, values: Record<string, string>): string {
  const text = readFileSync(join(packageRoot(), 'templates', name), 'utf8');
  return fillPlaceholders(text, values, name);
}

export function fillPlaceholders(text: string, values: Record<string, string>, name = 'template'): string {
  const used = new Set<string>();
  const out = text.replace(/\{\{\s*([A-Za-z][\w.-]*)\s*\}\}/g, (_, key: string) => {
    if (!Object.hasOwn(values, key)) throw new Error(`${name}: no value for placeholder {{${key}}}`);
    used.add(key);
    return values[key] as string;
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`${name}: values without a placeholder: ${unused.join(', ')}`);
  return out;
}
