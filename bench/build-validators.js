#!/usr/bin/env node
// Build step after tsc: writes the rule schema's validator as plain code (ajv standalone), so
// loading rules does not compile the schema in every process (~130 ms). The file carries the
// digest of the schema it was made from; coredx ignores it when the schema has changed since.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULE_SCHEMA } from '../dist/rules/schema.js';
import { AJV_OPTIONS, PREBUILT_RULE_VALIDATOR, schemaDigest } from '../dist/rules/validate.js';

const require = createRequire(import.meta.url);
const { Ajv } = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;

// Built once, so the generated code may be simplified (optimize): the checks are the same.
const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, optimize: true } });
const code = `${standaloneCode(ajv, ajv.compile(RULE_SCHEMA))}\nmodule.exports.digest = ${JSON.stringify(schemaDigest(RULE_SCHEMA))};\n`;
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'rules', PREBUILT_RULE_VALIDATOR);
writeFileSync(out, code);

// The bundled rules' index (src/rules/rule-index.ts): each rule file's hash and its checked spec, so
// a one-paste analyze does not parse and validate every TOML file again. Rules with problems are
// left out (loading them reports the problems as usual).
const { BUILTIN_RULES_DIR, loadRuleFile, ruleFiles } = await import('../dist/rules/load.js');
const { RULE_INDEX_FILE, compilerDigest, textHash } = await import('../dist/rules/rule-index.js');
const { readFileSync, statSync } = await import('node:fs');
const { relative } = await import('node:path');
const { indexedRule } = await import('../dist/rules/compile.js');
const rules = {};
for (const file of ruleFiles(BUILTIN_RULES_DIR, [])) {
  const { rule, problems } = loadRuleFile(file, { useIndex: false });
  // The engine tests a lazily compiled rule's gate before its [when]: the gate's conditions must be
  // some of [when]'s (each key compiles on its own), or an indexed rule could behave otherwise.
  // Its [when] is compiled in parts, tested in turn: together they must be [when], in its order.
  if (rule) {
    const labels = new Set(rule.when.map((c) => c.label));
    const lazy = indexedRule(rule.spec, file, rule.indexTokens);
    const stray = lazy.gate.find((c) => !labels.has(c.label));
    if (stray) throw new Error(`${file}: the gate condition "${stray.label}" is not one of [when]'s (src/rules/compile.ts GATE_KEYS)`);
    const parts = lazy.whenParts.flatMap((part) => part().map((c) => c.label));
    if (parts.join('\n') !== rule.when.map((c) => c.label).join('\n')) throw new Error(`${file}: [when] compiled in parts is not [when] (src/rules/compile.ts WHEN_ORDER): ${parts.join(', ')}`);
  }
  if (rule && problems.length === 0) {
    const { size, mtimeMs } = statSync(file);
    rules[relative(BUILTIN_RULES_DIR, file)] = { sha256: textHash(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')), size, mtimeMs, spec: rule.spec, tokens: rule.indexTokens };
  }
}
writeFileSync(RULE_INDEX_FILE, JSON.stringify({ schemaDigest: schemaDigest(RULE_SCHEMA), compilerDigest: compilerDigest(), rules }));

// The signature skip list parsed once (src/normalize/skip-list.ts), used while its TOML is unchanged.
const { PARSED_SKIP_FILE, builtSkipFile } = await import('../dist/normalize/skip-list.js');
writeFileSync(PARSED_SKIP_FILE, builtSkipFile());

// The marker search's Teddy tables for the registered formats' markers (src/source/marker-search.ts).
const { builtTeddyTables } = await import('../dist/source/marker-search.js');
const { markersOf } = await import('../dist/pipeline.js');
const { PARSERS } = await import('../dist/parse/registry.js');
const teddy = builtTeddyTables([markersOf(PARSERS)]);
writeFileSync(teddy.file, teddy.text);

// The rule types are generated from the schema (bench/rule-types.js): rewritten here when the schema
// changed, so the next tsc compiles the new ones (test/unit/rules/rule-types.test.ts fails meanwhile).
const { GENERATED_FILE, ruleSpecTypes } = await import('./rule-types.js');
const { existsSync } = await import('node:fs');
const types = ruleSpecTypes(RULE_SCHEMA);
// A copy without the sources (a package) has nothing to keep in step.
if (existsSync(dirname(GENERATED_FILE)) && (!existsSync(GENERATED_FILE) || readFileSync(GENERATED_FILE, 'utf8') !== types)) {
  writeFileSync(GENERATED_FILE, types);
  process.stderr.write(`build-validators: the rule schema changed: rewrote ${relative(process.cwd(), GENERATED_FILE)}; run tsc again\n`);
}

// The CLI bundled for start-up (bench/build-bundle.js), last: it holds what this step wrote above.
const { buildBundle } = await import('./build-bundle.js');
await buildBundle();
