// Bundles the compiled package into one minified ES module for pages that load it without a
// bundler: dist/wsr-client.min.js (the test page and the demo serve this file).
import { build } from "esbuild";

await build({
  entryPoints: ["dist/index.js"],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  outfile: "dist/wsr-client.min.js",
  logLevel: "warning",
});
