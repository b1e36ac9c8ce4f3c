/** Which passwords an account may not have: the commonest ones, and its own user id. */
import { dictionary } from '@zxcvbn-ts/language-common';
import { ProtocolError } from '../../../protocol/index.js';

let common: ReadonlySet<string> | null = null;

/** zxcvbn's list of the ~49,000 passwords seen most often in breaches, lowercased. */
function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  return common;
}

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

/** Why `password` is refused for `userId`, or null when it is allowed. Lengths are the body schema's job. */
export function passwordProblem(userId: string, password: string): string | null {
  const folded = fold(password);
  if (folded === fold(userId)) return 'the password must not be the user id';
  if (commonPasswords().has(folded)) return 'this password is among the most common ones and would be guessed first: choose another';
  return null;
}

/** Throws BAD_REQUEST (reason WEAK_PASSWORD) when `password` is refused for `userId`; for register and password changes. */
export function checkPasswordPolicy(userId: string, password: string): void {
  const problem = passwordProblem(userId, password);
  if (problem) throw new ProtocolError('BAD_REQUEST', problem, { reason: 'WEAK_PASSWORD' });
}
