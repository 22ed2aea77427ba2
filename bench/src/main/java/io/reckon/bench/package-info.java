/** Benchmarks and experiments; run through the scripts in {@code bench/}. */
package io.reckon.bench;
