import type { Locator, Page } from 'playwright-core';

export class ImportWizardPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByRole('region', { name: 'Import' });
  }

  heading(name: string | RegExp): Locator {
    return this.root.getByRole('heading', { level: 2, name });
  }

  button(name: string | RegExp): Locator {
    return this.root.getByRole('button', { name, exact: typeof name === 'string' });
  }

  driveRadio(label: string): Locator {
    return this.root.getByRole('radio', { name: new RegExp(`^${label} `) });
  }

  setRadio(setId: string): Locator {
    return this.root.getByRole('radio', { name: `Select transfer set ${setId}` });
  }

  field(label: string): Locator {
    return this.root.getByLabel(label, { exact: true });
  }

  async setCarrySignatures(on: boolean): Promise<void> {
    const toggle = this.root.getByRole('switch', { name: 'Carry cosign signatures' });
    if ((await toggle.isChecked()) !== on) await toggle.click({ force: true });
  }
}
