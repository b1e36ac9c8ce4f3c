import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../protocol/index.js';
import { checkPasswordPolicy, passwordProblem } from './password-policy.js';

describe('password policy', () => {
  it.each(['password', '12345678', 'iloveyou', 'Qwerty123', 'PASSWORD1'])('refuses the common password %s', (pw) => {
    expect(passwordProblem('alice', pw)).toMatch(/common/);
  });

  it('refuses the user id as the password, in any case', () => {
    expect(passwordProblem('alice.smith', 'Alice.Smith')).toMatch(/user id/);
  });

  it.each(['correct horse battery staple', '长城上的风很大', 'x7#Lm!q2Zr'])('allows %s', (pw) => {
    expect(passwordProblem('alice', pw)).toBeNull();
  });

  it('checkPasswordPolicy throws BAD_REQUEST with reason WEAK_PASSWORD', () => {
    let caught: unknown;
    try {
      checkPasswordPolicy('bob', 'password1');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).toBody()).toMatchObject({ code: 'BAD_REQUEST', reason: 'WEAK_PASSWORD' });
    expect(() => checkPasswordPolicy('bob', 'a long and unusual passphrase')).not.toThrow();
  });
});
