/** What is wrong with a password change before asking the server: the key of its message, or null. */

/** The shortest new password, counted as the server counts it (UTF-16 code units, protocol/http.ts). */
export const MIN_PASSWORD = 8;

export type PasswordProblem = 'passwordMissing' | 'passwordTooShort' | 'passwordMismatch';

export function passwordProblem(oldPassword: string, newPassword: string, again: string): PasswordProblem | null {
  if (oldPassword === '') return 'passwordMissing';
  if (newPassword.length < MIN_PASSWORD) return 'passwordTooShort';
  if (newPassword !== again) return 'passwordMismatch';
  return null;
}
