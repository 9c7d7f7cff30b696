import { existsSync } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/**
 * HTML → PDF through the system's Chromium (Debian's /usr/bin/chromium),
 * driven by playwright-core, which never downloads a browser. A missing
 * Chromium is not an error: the HTML report is the primary output, so we
 * say what is missing and how to get it, and go on.
 */

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

export type PdfResult = { ok: true; path: string } | { ok: false; message: string };

export interface PdfOptions {
  /** Chromium executable; default $CHROMIUM_PATH, else /usr/bin/chromium. */
  executablePath?: string;
  /** Page format; default "A4". */
  format?: "A4" | "Letter";
  /** Give up after this many ms (launch, load and print each); default 60 000. */
  timeoutMs?: number;
}

/** Chromium flags: no sandbox (containers run as root), and nothing that phones home. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function chromiumPath(options: PdfOptions = {}): string {
  return options.executablePath ?? process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
}

export async function writePdf(htmlPath: string, pdfPath: string, options: PdfOptions = {}): Promise<PdfResult> {
  const executablePath = chromiumPath(options);
  if (!existsSync(executablePath)) {
    return {
      ok: false,
      message: `PDF skipped: no Chromium at ${executablePath} — install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    };
  }
  const { format = "A4", timeoutMs = 60_000 } = options;
  const target = resolve(pdfPath);
  // Same directory as the target, so the final rename is atomic: an interrupted
  // run never leaves a truncated report.pdf that Nx would cache as complete.
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.partial`);
  // A fresh profile each time: no state leaks between runs, and nothing is
  // read from a user's real Chromium profile.
  const userDataDir = await mkdtemp(join(tmpdir(), "toy-sae-report-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      timeout: timeoutMs,
      offline: true,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      // The report is self-contained; refuse anything but the file itself so
      // a stray reference can never reach the network.
      await page.route("**/*", (route) =>
        route.request().url().startsWith("file:") ? route.continue() : route.abort(),
      );
      await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: "load", timeout: timeoutMs });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      await page.pdf({ path: partial, format, printBackground: true, preferCSSPageSize: true });
    } finally {
      await context.close();
    }
    await rename(partial, target);
    return { ok: true, path: target };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await rm(userDataDir, { recursive: true, force: true });
  }
}
