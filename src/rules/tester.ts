// Deprecated path of the rule tester, kept only for importers not yet moved to src/rule-tester.ts
// (test/vocabulary.test.ts). The tester runs the pipeline, which imports rules/: it belongs above
// the pipeline. Delete this file once nothing imports it.
export * from '../rule-tester.js';
