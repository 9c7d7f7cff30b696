/**
 * nx/chromium.cjs, the report stage's runtime cache input: it names the Chromium writePdf would
 * use, and what that Chromium is, so the key changes exactly when the PDF could.
 */
import { createRequire } from "node:module";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { chromiumPath } from "@toy-sae/report";

const require = createRequire(import.meta.url);
const { describeChromium, chromiumPath: inputPath } = require("../nx/chromium.cjs") as {
  describeChromium(env?: Record<string, string | undefined>): string;
  chromiumPath(env?: Record<string, string | undefined>): string;
};

const dir = mkdtempSync(join(tmpdir(), "chromium-input-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("nx/chromium.cjs", () => {
  it("resolves the same executable as writePdf, with CHROMIUM_PATH set, empty or unset", () => {
    for (const value of [undefined, "", "/opt/other/chromium"]) {
      vi.stubEnv("CHROMIUM_PATH", value);
      try {
        expect(inputPath(process.env)).toBe(chromiumPath());
      } finally {
        vi.unstubAllEnvs();
      }
    }
  });

  it("says absent, the version, or broken", () => {
    expect(describeChromium({ CHROMIUM_PATH: join(dir, "none") })).toBe(`${join(dir, "none")}: absent`);
    const fake = script("fake-chromium", 'echo "Chromium 1.2.3 built on nothing"');
    expect(describeChromium({ CHROMIUM_PATH: fake })).toBe(`${fake}: Chromium 1.2.3 built on nothing`);
    const other = script("other-chromium", 'echo "Chromium 1.2.4 built on nothing"');
    expect(describeChromium({ CHROMIUM_PATH: other })).not.toBe(describeChromium({ CHROMIUM_PATH: fake }));
    expect(describeChromium({ CHROMIUM_PATH: "/bin/false" })).toBe("/bin/false: broken: --version exited with 1");
    expect(describeChromium({ CHROMIUM_PATH: dir })).toBe(`${dir}: not a file`);
  });
});
