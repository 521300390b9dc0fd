/**
 * One Airlock station for the e2e tests: the real main-process services (AppServices, the IPC
 * server, the worker-thread job host) under plain Node, with the platform ports answered by the
 * test (dialogs, a fake removable drive backed by a temp folder, PDF printing by Chromium), and a
 * browser page showing the built renderer through the bridge.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Drive } from '../../../main/ipc/contract';
import { createIpcHandlers } from '../../../main/ipc/handlers';
import { createIpcServer, type IpcServer } from '../../../main/ipc/server';
import { AppServices } from '../../../main/services/app-services';
import type { SecretCipher } from '../../../main/services/credentials';
import type { DriveService } from '../../../main/services/drives';
import { workerThreadHost } from '../../../main/services/jobs/host';
import type { Dialogs } from '../../../main/services/ports';
import { HARNESS_ENTRY_URL, routeAppOrigin } from './app-origin';
import { bridgeContext, pageNotifier } from './bridge';
import { RENDERER_DIST } from './build';

/** AES-256-GCM with a key that lives as long as the station: stands in for safeStorage. */
export function memoryCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    isAvailable: () => true,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

export type DialogKind = 'openFile' | 'chooseFolder' | 'saveFile';

/** Native dialogs answered from a queue the test fills; an unexpected dialog fails loudly. */
export class ScriptedDialogs implements Dialogs {
  private readonly answers: Array<{ kind: DialogKind; path: string | undefined }> = [];
  readonly asked: Array<{ kind: DialogKind; title: string }> = [];

  answer(kind: DialogKind, path: string | undefined): void {
    this.answers.push({ kind, path });
  }

  private next(kind: DialogKind, title: string): string | undefined {
    this.asked.push({ kind, title });
    const index = this.answers.findIndex((a) => a.kind === kind);
    if (index < 0) throw new Error(`the test did not expect a ${kind} dialog ("${title}")`);
    const [answer] = this.answers.splice(index, 1);
    return answer?.path;
  }

  openFile = async ({ title }: { title: string }): Promise<string | undefined> => this.next('openFile', title);
  chooseFolder = async ({ title }: { title: string }): Promise<string | undefined> => this.next('chooseFolder', title);
  saveFile = async ({ title }: { title: string }): Promise<string | undefined> => this.next('saveFile', title);
}

/** A removable drive that is really a temp folder; eject is recorded. */
export class FakeDrives implements DriveService {
  readonly ejected: string[] = [];
  private plugged: Array<Omit<Drive, 'freeBytes' | 'totalBytes'>> = [];

  plug(label: string, mountPoint: string, fsType = 'ext4'): void {
    this.plugged.push({ id: `/dev/sd${String.fromCharCode(98 + this.plugged.length)}1`, device: `/dev/sd${String.fromCharCode(98 + this.plugged.length)}1`, disk: `/dev/sd${String.fromCharCode(98 + this.plugged.length)}`, label, mountPoint, fsType, readOnly: false, transport: 'usb' });
  }

  async list(): Promise<readonly Drive[]> {
    return Promise.all(
      this.plugged.map(async (d) => {
        const st = await statfs(d.mountPoint);
        return { ...d, freeBytes: st.bavail * st.bsize, totalBytes: st.blocks * st.bsize };
      }),
    );
  }

  async eject(drive: Drive): Promise<{ ejected: string; poweredOff: boolean }> {
    this.ejected.push(drive.device);
    this.plugged = this.plugged.filter((d) => d.id !== drive.id);
    return { ejected: drive.device, poweredOff: true };
  }
}

export interface StationOptions {
  readonly name: string;
  readonly dir: string;
  readonly viewport?: { readonly width: number; readonly height: number };
  readonly colorScheme?: 'light' | 'dark';
}

export class Station {
  readonly dialogs = new ScriptedDialogs();
  readonly drives = new FakeDrives();
  readonly clipboard: string[] = [];
  readonly pageErrors: string[] = [];
  readonly cspViolations: string[] = [];
  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly services: AppServices,
    readonly server: IpcServer,
  ) {}

  static async launch(browser: Browser, options: StationOptions): Promise<Station> {
    const dataDir = join(options.dir, 'data');
    await mkdir(dataDir, { recursive: true });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 860 }, colorScheme: options.colorScheme ?? 'light', reducedMotion: 'reduce' });
    const pages = (): readonly Page[] => context.pages();
    const station: { current?: Station } = {};
    const services = await AppServices.create({
      stationDir: dataDir,
      defaultCacheDir: join(options.dir, 'cache'),
      dialogs: {
        openFile: (o) => station.current!.dialogs.openFile(o),
        chooseFolder: (o) => station.current!.dialogs.chooseFolder(o),
        saveFile: (o) => station.current!.dialogs.saveFile(o),
      },
      printer: {
        async toPdf(html) {
          const printPage = await context.newPage();
          try {
            await printPage.setContent(html, { waitUntil: 'load' });
            return await printPage.pdf({ format: 'A4', printBackground: true });
          } finally {
            await printPage.close();
          }
        },
      },
      clipboard: { writeText: (text) => station.current!.clipboard.push(text) },
      cipher: memoryCipher(),
      drives: { list: () => station.current!.drives.list(), eject: (d) => station.current!.drives.eject(d) },
      jobHost: workerThreadHost(),
      notify: pageNotifier(pages),
      hostname: options.name,
      drivePollMs: 500,
    });
    const server = createIpcServer(createIpcHandlers(services));
    await routeAppOrigin(context, RENDERER_DIST);
    await bridgeContext(context, server);
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __cspViolations?: string[] }).__cspViolations ??= [];
        (window as unknown as { __cspViolations: string[] }).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    const page = await context.newPage();
    station.current = new Station(options.name, context, page, services, server);
    page.on('pageerror', (err) => station.current!.pageErrors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) station.current!.cspViolations.push(msg.text());
    });
    services.driveWatcher.start();
    return station.current;
  }

  async open(): Promise<void> {
    await this.page.goto(HARNESS_ENTRY_URL);
    await this.page.getByRole('heading', { level: 1, name: 'Export' }).waitFor();
  }

  async close(): Promise<void> {
    await this.services.shutdown();
    await this.context.close();
  }
}
