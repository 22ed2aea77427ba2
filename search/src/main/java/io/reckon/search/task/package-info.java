/**
 * Tasks: how a question becomes a prompt (as data), where a step ends, how the final answer is
 * found in a solution and when two answers are the same. Everything that compares answers
 * (grading, votes, dedupe, confidence, distinct replies, sweeps, reports) asks a {@link
 * io.reckon.search.task.Task}, never compares strings. Pure code: no I/O, no configuration
 * reading (the registry is filled from {@code reckon.tasks} by the actors module).
 */
package io.reckon.search.task;
