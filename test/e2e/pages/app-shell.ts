import type { Locator, Page } from 'playwright-core';

/** The masthead and the section navigation. */
export class AppShell {
  constructor(readonly page: Page) {}

  nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Sections' });
  }

  async go(section: 'Export' | 'Import' | 'Verify' | 'History' | 'Settings'): Promise<void> {
    await this.nav().getByRole('link', { name: section }).click();
    await this.page.getByRole('heading', { level: 1, name: section === 'Verify' ? 'Verify a transfer set' : section }).waitFor();
  }
}
