import type { Locator, Page } from 'playwright-core';

/** The Export wizard, by what an operator sees: labels, buttons and headings. */
export class ExportWizardPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Export' });
  }

  heading(name: string | RegExp): Locator {
    return this.root.getByRole('heading', { level: 2, name });
  }

  additionalImage(n: number): Locator {
    return this.root.getByLabel(`Additional image ${n}`, { exact: true });
  }

  blockedImage(n: number): Locator {
    return this.root.getByLabel(`Blocked image ${n}`, { exact: true });
  }

  yaml(): Locator {
    return this.root.getByLabel('ImageSetConfiguration YAML');
  }

  button(name: string | RegExp): Locator {
    return this.root.getByRole('button', { name });
  }

  async addImage(n: number, reference: string): Promise<void> {
    if (n > 1) await this.button('Add image').click();
    await this.additionalImage(n).fill(reference);
  }

  async addBlocked(n: number, pattern: string): Promise<void> {
    await this.button('Add blocked image').click();
    await this.blockedImage(n).fill(pattern);
  }

  async setSourceTlsVerify(on: boolean): Promise<void> {
    const toggle = this.root.getByRole('switch', { name: "Verify the source registries' TLS certificates" });
    if ((await toggle.isChecked()) !== on) await toggle.click({ force: true });
  }

  async setCarrySignatures(on: boolean): Promise<void> {
    const toggle = this.root.getByRole('switch', { name: 'Carry cosign signatures' });
    if ((await toggle.isChecked()) !== on) await toggle.click({ force: true });
  }

  /** Waits for the configuration to be checked (valid or not). */
  async validated(): Promise<void> {
    await this.root.locator('.airlock-validation .pf-v6-c-alert').first().waitFor();
  }

  next(): Locator {
    return this.button('Next');
  }

  driveRadio(label: string): Locator {
    return this.root.getByRole('radio', { name: new RegExp(`^${label} `) });
  }
}
