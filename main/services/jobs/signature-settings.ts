/**
 * The app's "Carry cosign signatures" switch in the engine's terms. registries.d is read here, in
 * main, as the CLI reads it for --remove-signatures=false: a broken file stops the job before it
 * starts, and the parsed settings (plain data) cross into the worker with the rest of the spec.
 */
import { loadRegistriesD } from '../../../src/registry/registries-d';
import type { SignatureSettings } from '../../../src/signatures';

export interface AppSignatureSettings {
  readonly settings: SignatureSettings;
  /** What containers tools would silently ignore in registries.d; shown with the job's warnings. */
  readonly warnings: readonly string[];
}

/** `registriesDir` empty: the directory containers tools use (~/.config/containers/registries.d, else /etc). */
export async function signatureSettings(carry: boolean | undefined, registriesDir: string): Promise<AppSignatureSettings> {
  if (carry !== true) return { settings: { removeSignatures: true }, warnings: [] };
  const registriesD = await loadRegistriesD(registriesDir === '' ? {} : { dir: registriesDir });
  return { settings: { removeSignatures: false, registriesD }, warnings: registriesD.warnings };
}
