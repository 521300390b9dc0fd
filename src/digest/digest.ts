import { createHash, type Hash } from 'node:crypto';
import { AirlockError } from '../errors';

const SHA256 = /^sha256:([a-f0-9]{64})$/;

export function isSha256Digest(value: string): boolean {
  return SHA256.test(value);
}

/** The hex part of a sha256 digest; throws for anything else (we only ever write sha256). */
export function digestHex(digest: string): string {
  const match = SHA256.exec(digest);
  if (!match?.[1]) {
    throw new AirlockError('DIGEST_UNSUPPORTED', `"${digest}" is not a sha256 digest`, {
      context: { expected: 'sha256:<64 hex>', actual: digest },
      hint: 'Airlock handles sha256 content only, as every OCI registry does today',
    });
  }
  return match[1];
}

export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Incremental sha256 that can be resumed from where a dropped stream left off. */
export class DigestAccumulator {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.count += chunk.byteLength;
  }

  get bytes(): number {
    return this.count;
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}
