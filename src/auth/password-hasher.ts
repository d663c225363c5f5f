import { Injectable } from '@nestjs/common';
import argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, 3 passes): memory-hard, as OWASP recommends. */
@Injectable()
export class PasswordHasher {
  // Verifying against this when the account does not exist keeps the timing of
  // "no such email" and "wrong password" alike, so logins cannot probe for accounts.
  private readonly dummy = argon2.hash('not-a-password-of-anyone');

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id });
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash ?? (await this.dummy), password);
    } catch {
      return false;
    }
  }
}
