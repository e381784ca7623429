// Package explain turns the computed facts of a promotion preview into a few
// plain sentences.
//
// Deterministic is the default: no network, the same facts always give the
// same text. LLM asks any OpenAI-compatible chat-completions endpoint
// through a Provider, but sends only Facts, with resource names and
// namespaces replaced by placeholders (R1, NS1, ...), and checks the answer
// before restoring the names: a placeholder it was not given, a resource it
// invented or a number that is not in the facts discards the answer, and
// the deterministic text is used with the reason recorded. Answers are
// cached by the SHA-256 of the facts; errors and timeouts fall back too.
//
// Design decisions:
//   - Money is in cents in the facts and shown as "$1,234.56"; the LLM sees
//     the same strings, so numbers in its answer can be checked literally
//     (after dropping thousands separators and trailing zeros).
//   - Findings named in the text are the new ones of severity 7 or more
//     (high and critical), at most five, highest first; drivers are the
//     three largest absolute cost changes.
//   - Small integers (0–10) may appear in an answer without being in the
//     facts ("two risks", "3 resources" are counts an honest summary makes);
//     every other number must be in the facts.
package explain
