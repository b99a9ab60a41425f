import { randomInt } from 'node:crypto';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
/** Symbols IAM accepts in passwords that survive being read aloud or pasted into a shell. */
const SYMBOLS = '!@#$%^&*()_+-=[]{}';

/**
 * A one-time console password from the OS's cryptographic generator, with every character class, so
 * it meets any password policy this tool writes (and any minimum length up to `length`).
 */
export function generatePassword(length: number): string {
  const classes = [LOWER, UPPER, DIGITS, SYMBOLS];
  const all = classes.join('');
  const chars = classes.map((c) => c[randomInt(c.length)] as string);
  while (chars.length < length) chars.push(all[randomInt(all.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}
