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
