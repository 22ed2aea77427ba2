package io.reckon.protocol.api;

/** The reply to {@code POST /v1/runs} (202): the new run's id and state. */
public record RunAccepted(String id, String status, int questions) {}
