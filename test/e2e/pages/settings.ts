import type { Locator, Page } from 'playwright-core';

export class SettingsPage {
  constructor(readonly page: Page) {}

  stationFingerprint(): Locator {
    return this.page.getByTestId('station-fingerprint');
  }

  async trust(pem: string, label: string): Promise<void> {
    await this.page.getByLabel('Public key (PEM)').fill(pem);
    await this.page.getByLabel('Label', { exact: true }).fill(label);
    await this.page.getByRole('button', { name: 'Trust key' }).click();
  }

  trustedTable(): Locator {
    return this.page.getByRole('grid', { name: 'Trusted station keys' });
  }
}
