package io.reckon.protocol;

/**
 * Marker for every message and persisted event. Pekko's configuration binds it to the
 * Jackson CBOR serializer, so a type that crosses an actor or process boundary implements it
 * and nothing else has to be registered.
 */
public interface CborSerializable {}
