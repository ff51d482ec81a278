/**
 * Import-cycle check for src/ (`npm run check:cycles`, also run by .ci/run): no cycle between
 * files, and none between folders. Type-only imports count too: a cycle through types still ties
 * two modules together.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A file reaches itself through its imports.",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-circular-folders",
      severity: "error",
      comment:
        "A folder reaches itself through its files' imports (e.g. report/ imports answer/, answer/ imports report/), even when no file cycle exists.",
      scope: "folder",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    includeOnly: "^src/",
    // Type-only imports are dependencies too (they are erased from the JavaScript only).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
