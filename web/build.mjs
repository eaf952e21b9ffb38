// Build the widget and the demo page into dist/: careers-chat.js (widget + socket.io client
// in one file), careers-chat.css, and the demo site that embeds them.
import { cp, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

process.chdir(fileURLToPath(new URL(".", import.meta.url)));
await rm("dist", { recursive: true, force: true });
await build({
  entryPoints: { "careers-chat": "src/widget.js" },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outdir: "dist",
  legalComments: "linked",
  logLevel: "warning",
});
await build({
  entryPoints: { "careers-chat": "src/widget.css" },
  minify: true,
  outdir: "dist",
  logLevel: "warning",
});
await cp("demo", "dist", { recursive: true });
