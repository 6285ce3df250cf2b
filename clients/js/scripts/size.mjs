// The package's size as a browser ships it: esbuild --minify, then gzip -9. Fails above 6 KB.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";

const LIMIT = 6 * 1024;
const result = await build({ entryPoints: ["dist/index.js"], bundle: true, minify: true, format: "esm", target: "es2022", write: false });
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
console.log(`bundle: ${code.length} B minified, ${gzipped} B minified+gzipped (limit ${LIMIT} B)`);
if (gzipped > LIMIT) {
  console.error(`size check failed: ${gzipped} B > ${LIMIT} B`);
  process.exit(1);
}
