package io.reckon.protocol.api;

/**
 * {@code GET /health} and {@code GET /ready}.
 *
 * @param status {@code ok} (alive), {@code ready}, or {@code not ready}
 * @param proposers proposer workers registered
 * @param verifiers verifier workers registered
 * @param active questions of the service run searching now
 * @param waiting questions of the service run waiting for a slot
 * @param admitted generations admitted and not yet answered (requests, run questions, Kafka)
 * @param limit the admission limit, in generations
 * @param store whether the run store answers
 */
public record Health(
    String status, int proposers, int verifiers, int active, int waiting, long admitted, long limit,
    boolean store) {}
