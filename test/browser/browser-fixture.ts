import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { endDeviceClients, realDatabase, startHomeward } from '../e2e/gateway-fixture';
import { killLeftovers, runHomeward } from '../e2e/homeward-process';

/** Debian's Chromium: the browser tests never download one (no `npx playwright install`). */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots are kept as artefacts under test-results/ (gitignored; CI keeps the folder). */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-results', 'browser');

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];

export interface Browser {
  readonly context: BrowserContext;
  /** Console errors and uncaught exceptions of every page (CSP violations show up here). */
  readonly problems: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a new, empty profile. Fails with the install command when it is missing. */
export async function launchChromium(executable = CHROMIUM): Promise<Browser> {
  if (!existsSync(executable)) {
    throw new Error(`The browser tests need Debian's Chromium at ${executable}. Install it with: apt-get install -y chromium (never "npx playwright install").`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'homeward-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: executable, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 }, timeout: 60_000 });
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    problems,
    async newPage(viewport) {
      const page = context.pages().find((p) => p.url() === 'about:blank') ?? (await context.newPage());
      if (viewport) await page.setViewportSize(viewport);
      page.setDefaultTimeout(20_000);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot under test-results/browser/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** An account made with `homeward user add`, with the password it printed (to type into the form). */
export async function anAccount(databaseUrl: string, args: string[]): Promise<{ id: string; email: string; password: string }> {
  const email = `${randomUUID().slice(0, 8)}@example.nhs.uk`;
  const run = runHomeward(['user', 'add', '--email', email, '--name', `${args[1] ?? 'user'} ${email.slice(0, 4)}`, ...args], { DATABASE_URL: databaseUrl });
  if ((await run.exited) !== 0) throw new Error(`homeward user add failed: ${run.stderr()}`);
  const { user, password } = JSON.parse(run.stdout()) as { user: { id: string }; password: string };
  return { id: user.id, email, password };
}

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly string[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) in the page and returns the serious and critical
 * violations. axe is evaluated through the DevTools protocol, which the page's CSP does not block.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const result = await axe.run(globalThis, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
}

/** Presses Tab until `selector` has focus (bounded): proves it is reachable by keyboard alone. */
export async function tabTo(page: Page, selector: string, maxPresses = 40): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    if (await page.evaluate((s) => (globalThis as unknown as { document: { activeElement: { matches(s: string): boolean } | null } }).document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${selector} was not reached with ${maxPresses} presses of Tab`);
}

/** What every browser spec runs against: Debian's Chromium, a scratch database and `homeward start`. */
export interface HomewardInBrowser {
  readonly browser: Browser;
  readonly db: Awaited<ReturnType<typeof realDatabase>>;
  /** Replaceable: a spec may stop Homeward and start it again on the same ports. */
  homeward: Awaited<ReturnType<typeof startHomeward>>;
  /** The dashboard's address, e.g. http://127.0.0.1:40123 (unchanged by a restart on the same ports). */
  readonly base: string;
  /** Saves a screenshot as an artefact; the paths are listed when the suite ends. */
  shot(page: Page, name: string): Promise<string>;
}

/**
 * The shared set-up of the browser specs, registered as the suite's beforeAll and afterAll:
 * Chromium first (a missing one fails fast with the install command), then a scratch database
 * and `homeward start`; afterwards everything is closed and the screenshots listed.
 */
export function homewardInBrowser(timeoutMs = 120_000): HomewardInBrowser {
  const shots: string[] = [];
  const started: { browser?: Browser; db?: HomewardInBrowser['db']; homeward?: HomewardInBrowser['homeward'] } = {};
  const need = <K extends keyof typeof started>(key: K): NonNullable<(typeof started)[K]> => {
    const value = started[key];
    if (!value) throw new Error(`homewardInBrowser: ${key} is used before the suite's beforeAll ran`);
    return value as NonNullable<(typeof started)[K]>;
  };
  beforeAll(async () => {
    started.browser = await launchChromium();
    started.db = await realDatabase();
    started.homeward = await startHomeward(started.db.url);
  }, timeoutMs);
  afterAll(async () => {
    endDeviceClients();
    await started.browser?.close();
    await killLeftovers();
    await started.db?.dispose();
    if (shots.length) process.stdout.write(`browser screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}\n`);
  });
  return {
    get browser() {
      return need('browser');
    },
    get db() {
      return need('db');
    },
    get homeward() {
      return need('homeward');
    },
    set homeward(next) {
      started.homeward = next;
    },
    get base() {
      return `http://127.0.0.1:${need('homeward').apiPort}`;
    },
    async shot(page, name) {
      const path = await screenshot(page, name);
      shots.push(path);
      return path;
    },
  };
}

/**
 * Opens `url` (the worklist by default is `${base}/`), signs in through the form as a person would,
 * and by default waits for the live stream (staff landing on the worklist). A deep link stays
 * where it was after sign-in, so pass `{ live: false }` for a page without the stream.
 */
export async function signInAs(page: Page, url: string, who: { readonly email: string; readonly password: string }, options: { readonly live?: boolean } = {}): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Email address').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (options.live ?? true) await page.locator('.stream-status.live').waitFor();
}
