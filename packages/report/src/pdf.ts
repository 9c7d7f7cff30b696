import { existsSync, statSync, accessSync, constants } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

/**
 * HTML → PDF through the system's Chromium (Debian's /usr/bin/chromium),
 * driven by playwright-core, which never downloads a browser. A missing
 * Chromium is not an error: the HTML report is the primary output, so we
 * say what is missing and how to get it, and go on. A Chromium that is there
 * but does not work is an error (the user asked for it, or installed it), and
 * one that says in one line which executable failed and what to do, instead
 * of Playwright's page-long launch log.
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

/** A Chromium that exists but cannot print; the message is one line naming the executable and the fix. */
export class PdfError extends Error {
  constructor(
    message: string,
    readonly executablePath: string,
  ) {
    super(message);
    this.name = "PdfError";
  }
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

/**
 * The executable writePdf uses. packages/pipelines/nx/chromium.cjs resolves it the same way for
 * the report stage's cache key; a test holds the two together.
 */
export function chromiumPath(options: PdfOptions = {}): string {
  return options.executablePath ?? (process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH);
}

/** What to do about a Chromium that does not work, depending on where its path came from. */
function fixFor(options: PdfOptions): string {
  if (options.executablePath) return "pass the path of a working Chromium";
  return process.env.CHROMIUM_PATH
    ? `point CHROMIUM_PATH at a working Chromium (e.g. ${DEFAULT_CHROMIUM_PATH}) or unset it`
    : "reinstall it with `apt-get install --reinstall -y chromium` (or set CHROMIUM_PATH to a working Chromium)";
}

/** Why launching failed, in a few words, from Playwright's multi-line error. */
export function launchFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const spawn = /spawn \S+ (E[A-Z]+)/.exec(text);
  if (spawn) return spawn[1] === "EACCES" ? "is not executable" : `could not be started (${spawn[1]})`;
  const exit = /exitCode=(\d+)/.exec(text);
  if (exit) return `exited with code ${exit[1]} before it was ready`;
  if (/Timeout \d+ms exceeded/.test(text)) return "did not start in time";
  if (/has been closed|Browser closed/.test(text)) return "closed before it was ready";
  return `failed to start (${firstLine(text)})`;
}

function firstLine(text: string): string {
  return (text.split("\n").find((l) => l.trim()) ?? "")
    .replace(/^[\w.]+: /, "")
    .trim()
    .slice(0, 160);
}

export async function writePdf(htmlPath: string, pdfPath: string, options: PdfOptions = {}): Promise<PdfResult> {
  const executablePath = chromiumPath(options);
  const target = resolve(pdfPath);
  // A PDF of an earlier HTML must never sit beside this one, whatever happens below.
  await rm(target, { force: true });
  if (!existsSync(executablePath)) {
    return {
      ok: false,
      message: `PDF skipped: no Chromium at ${executablePath} — install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`,
    };
  }
  const broken = (why: string) => new PdfError(`PDF failed: the Chromium at ${executablePath} ${why} — ${fixFor(options)}`, executablePath);
  if (!statSync(executablePath).isFile()) throw broken("is not a file");
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw broken("is not executable");
  }
  const { format = "A4", timeoutMs = 60_000 } = options;
  // Same directory as the target, so the final rename is atomic: an interrupted
  // run never leaves a truncated report.pdf that Nx would cache as complete.
  const partial = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.partial`);
  // A fresh profile each time: no state leaks between runs, and nothing is
  // read from a user's real Chromium profile.
  const userDataDir = await mkdtemp(join(tmpdir(), "toy-sae-report-chromium-"));
  try {
    const context = await chromium
      .launchPersistentContext(userDataDir, {
        executablePath,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: timeoutMs,
        offline: true,
      })
      .catch((error: unknown) => {
        throw broken(launchFailure(error));
      });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      // The report is self-contained; refuse anything but the file itself so
      // a stray reference can never reach the network.
      await page.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
      await page.goto(pathToFileURL(resolve(htmlPath)).href, { waitUntil: "load", timeout: timeoutMs });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      // outline: the headings (report, sections, figures) become the PDF's bookmarks;
      // tagged: an accessible PDF whose structure tree follows the HTML.
      await page.pdf({ path: partial, format, printBackground: true, preferCSSPageSize: true, outline: true, tagged: true });
    } catch (error) {
      if (error instanceof PdfError) throw error;
      const why = firstLine(error instanceof Error ? error.message : String(error));
      throw new PdfError(`PDF failed: the Chromium at ${executablePath} could not print ${htmlPath}: ${why}`, executablePath);
    } finally {
      await context.close().catch(() => undefined);
    }
    await rename(partial, target);
    return { ok: true, path: target };
  } finally {
    await rm(partial, { force: true });
    await rm(userDataDir, { recursive: true, force: true });
  }
}
