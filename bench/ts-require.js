'use strict';
/**
 * Lets a plain-node benchmark require the project's TypeScript sources (src/ and test/support/)
 * without a build step: each .ts file is transpiled in memory with the project's TypeScript.
 * Type errors are not reported here (run `npx tsc -p tsconfig.test.json --noEmit` for that).
 */
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(outputText, filename);
};
