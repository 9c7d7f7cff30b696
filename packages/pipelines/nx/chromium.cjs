/**
 * Which Chromium the report stage would print its PDF with, as one line — an Nx `runtime` input
 * of the report and reproduce targets (nx-plugin.cjs).
 *
 * Why a cache input rather than "never cache a report without its PDF": a machine without
 * Chromium is a supported setup (the HTML is the report; the stage says how to get the PDF), so
 * its HTML-only result should be cached there like any other. What must not happen is replaying
 * that result once a browser exists. With the browser's path and version in the key, installing,
 * removing or upgrading Chromium, or pointing CHROMIUM_PATH elsewhere, reruns the report stage,
 * and switching back restores the matching cached report. A broken Chromium fails the stage, so
 * nothing is cached for it.
 *
 * Resolves the executable as packages/report/src/pdf.ts `chromiumPath` does (a test holds the
 * two together): $CHROMIUM_PATH when set and non-empty, else /usr/bin/chromium.
 */
const { spawnSync } = require("node:child_process");
const { statSync } = require("node:fs");

const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** The executable writePdf would launch under this environment. */
function chromiumPath(env = process.env) {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/** "<path>: <what --version says>", or why there is no usable version ("absent", "not a file", "broken: …"). */
function describeChromium(env = process.env) {
  const path = chromiumPath(env);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return `${path}: absent`;
  }
  if (!stat.isFile()) return `${path}: not a file`;
  // --version answers in ~0.2 s without starting a browser; the timeout keeps a hung
  // executable from hanging Nx's hashing.
  const r = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 15_000, env });
  if (r.error) return `${path}: broken: ${r.error.code ?? r.error.message}`;
  if (r.status !== 0) return `${path}: broken: --version exited with ${r.status ?? r.signal}`;
  return `${path}: ${r.stdout.trim().split("\n")[0] || "no version"}`;
}

module.exports = { DEFAULT_CHROMIUM_PATH, chromiumPath, describeChromium };

if (require.main === module) process.stdout.write(`${describeChromium()}\n`);
